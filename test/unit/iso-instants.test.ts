import { iso, isoOrNull } from '../../src/platform/http/handler-kit';

/** The kit writes instants itself for speed: they must be toISOString's, character for character. */
describe('instants as the contract writes them', () => {
  it('are toISOString’s for instants across years 1000–9999, before and after 1970', () => {
    let seed = 11;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const instants = [Date.UTC(1000, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999), 0, -1, Date.UTC(2000, 1, 29, 12), Date.UTC(2100, 1, 28, 23, 59, 59, 999), Date.UTC(1900, 2, 1), Date.UTC(2024, 11, 31, 23, 59, 59, 999)];
    for (let i = 0; i < 20_000; i++) instants.push(Math.floor(Date.UTC(1000, 0, 1) + next() * (Date.UTC(10000, 0, 1) - Date.UTC(1000, 0, 1))));
    for (const t of instants) {
      const d = new Date(t);
      expect([t, iso(d)]).toEqual([t, d.toISOString()]);
    }
  });

  it('leaves other years to toISOString, and refuses an invalid Date as it does', () => {
    for (const t of [Date.UTC(999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), Date.UTC(-50, 5, 5), 8.64e15]) expect(iso(new Date(t))).toBe(new Date(t).toISOString());
    expect(() => iso(new Date(NaN))).toThrow(RangeError);
    expect(isoOrNull(null)).toBeNull();
    expect(isoOrNull(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });
});
