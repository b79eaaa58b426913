/** Reading what either driver returns: pg hands out Dates and parsed jsonb, SQLite text. */
export const date = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
export const maybeDate = (v: Date | string | null): Date | null => (v === null ? null : date(v));
export const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
export const maybeJson = <T>(v: unknown): T | null => (v === null || v === undefined ? null : json<T>(v));

/**
 * A unique index refused the write (both drivers, through Sequelize). `index` names the index
 * when PostgreSQL says so; SQLite names the columns instead, so callers check both.
 */
export function isUniqueViolation(err: unknown, index: string, columns: readonly string[]): boolean {
  const e = err as { name?: string; parent?: { constraint?: string; message?: string }; fields?: unknown };
  if (e?.name !== 'SequelizeUniqueConstraintError') return false;
  if (e.parent?.constraint) return e.parent.constraint === index;
  const fields = Array.isArray(e.fields) ? e.fields : Object.keys((e.fields as object) ?? {});
  return columns.every((c) => fields.includes(c)) || columns.every((c) => e.parent?.message?.includes(c));
}
