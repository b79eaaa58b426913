/**
 * Sort values for the list tests: only ten distinct values per column, so most rows tie on the
 * sort value; lower-case ASCII names order the same under every collation.
 */
export const NAMES = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];
export const AMOUNTS = [-500, 0, 100, 250, 300, 999, 1000, 4096, 70000, 123456];
export const INSTANTS = NAMES.map((_, i) => new Date(Date.UTC(2026, 0, 1 + i, 9, 30, 0, 123)));
export const DATES = NAMES.map((_, i) => `2026-02-${String(i + 1).padStart(2, '0')}`);

// mulberry32: repeatable runs, and every bit random (an LCG's low bits repeat with a short period).
let seed = 42;
export function random(n: number): number {
  let t = (seed = (seed + 0x6d2b79f5) | 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
}

export const pick = <T>(values: readonly T[]): T => values[random(values.length)];

/** The order the list piece promises: the sort value (NULL after every value), then the id. */
export function compareBy(sort: string) {
  const descending = sort.startsWith('-');
  const key = sort.replace('-', '');
  const rank = (v: unknown) => (v instanceof Date ? v.getTime() : v);
  return (a: { id: string }, b: { id: string }) => {
    const [x, y] = [rank((a as Record<string, unknown>)[key]), rank((b as Record<string, unknown>)[key])];
    const c = x === y ? 0 : x === null ? 1 : y === null ? -1 : (x as never) < (y as never) ? -1 : 1;
    const order = c || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    return descending ? -order : order;
  };
}
