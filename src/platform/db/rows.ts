/** Reading what either driver returns: pg hands out Dates and parsed jsonb, SQLite text. */
export const date = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
export const maybeDate = (v: Date | string | null): Date | null => (v === null ? null : date(v));
export const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
export const maybeJson = <T>(v: unknown): T | null => (v === null || v === undefined ? null : json<T>(v));

/**
 * A unique index refused the write (both drivers, through Sequelize or straight from the
 * driver). `index` names the index when PostgreSQL says so; SQLite names the columns instead,
 * so callers give both.
 */
export function isUniqueViolation(err: unknown, index: string, columns: readonly string[]): boolean {
  const e = err as { name?: string; code?: string; constraint?: string; message?: string; parent?: { constraint?: string; message?: string }; fields?: unknown };
  // Straight from the driver (a write through `execute`): pg's error names the constraint;
  // SQLite's message names the columns ("UNIQUE constraint failed: t.a, t.b").
  if (e?.code === '23505') return e.constraint === index;
  if (e?.code === 'SQLITE_CONSTRAINT') return /UNIQUE constraint failed/.test(e.message ?? '') && columns.every((c) => new RegExp(`\\.${c}\\b`).test(e.message ?? ''));
  if (e?.name !== 'SequelizeUniqueConstraintError') return false;
  if (e.parent?.constraint) return e.parent.constraint === index;
  const fields = Array.isArray(e.fields) ? e.fields : Object.keys((e.fields as object) ?? {});
  return columns.every((c) => fields.includes(c)) || columns.every((c) => e.parent?.message?.includes(c));
}
