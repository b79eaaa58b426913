import { isId, newId, ulid } from '../../src/platform/ids';
import { CursorCodec } from '../../src/platform/http/pagination';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The first 10 characters of a ULID are the milliseconds, base32, most significant first. */
const timeOf = (id: string) => [...id.slice(-26, -16)].reduce((ms, c) => ms * 32 + CROCKFORD.indexOf(c), 0);

describe('ids', () => {
  afterEach(() => jest.restoreAllMocks());

  it('are the prefix, an underscore and a 26-character Crockford base32 ULID', () => {
    const ids = Array.from({ length: 500 }, () => newId('cli'));
    for (const id of ids) {
      expect(id).toMatch(/^cli_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(isId('cli', id)).toBe(true);
      expect(isId('ten', id)).toBe(false);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(isId('cli', 'cli_01JDQ7ZK3M2V8X4B6N9P0RSTWU')).toBe(false); // U is not Crockford
    expect(isId('cli', 'cli_01jdq7zk3m2v8x4b6n9p0rstwv')).toBe(false);
  });

  it('put the current time first', () => {
    const before = Date.now();
    const id = newId('tok');
    const after = Date.now();
    expect(timeOf(id)).toBeGreaterThanOrEqual(before);
    expect(timeOf(id)).toBeLessThanOrEqual(after);
  });

  it('increase strictly within one millisecond, and when the clock goes back', () => {
    const now = Date.now() + 60_000; // later than any id made so far
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now);
    const ids = Array.from({ length: 1000 }, () => newId('cli'));
    clock.mockReturnValue(now - 5000);
    ids.push(newId('cli'), newId('cli'));
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    for (const id of ids) expect(timeOf(id)).toBe(now);
  });

  it('take their random part from the CSPRNG, a pool of bytes at a time', () => {
    // The module object itself (a namespace import would be a frozen copy of it).
    const nodeCrypto = require('node:crypto') as typeof import('node:crypto');
    const draw = jest.spyOn(nodeCrypto, 'randomFillSync');
    const math = jest.spyOn(Math, 'random');
    // 300 new milliseconds: 300 × 16 random characters, more than one pool of 4,096 bytes.
    const start = Date.now() + 120_000;
    const ids = Array.from({ length: 300 }, (_, i) => ulid(start + i));
    expect(draw).toHaveBeenCalled();
    expect(draw.mock.calls.length).toBeLessThanOrEqual(2);
    expect(math).not.toHaveBeenCalled();
    // Every base32 character turns up in the random parts (uniform, not a biased subset).
    const seen = new Set(ids.flatMap((id) => [...id.slice(10)]));
    expect(seen.size).toBe(32);
    draw.mockRestore();
    math.mockRestore();
  });
});

describe('cursors', () => {
  const codec = new CursorCodec(Buffer.alloc(32, 7));
  it('round-trip a position for the same list', () => {
    const cursor = codec.encode(['2026-11-25T10:00:00.000Z', 'cli_x'], 'ctx');
    expect(codec.decode(cursor, 'ctx')).toEqual(['2026-11-25T10:00:00.000Z', 'cli_x']);
  });

  it('refuse another list, another key, and any edit', () => {
    const cursor = codec.encode(['a', 'b'], 'ctx');
    expect(() => codec.decode(cursor, 'other')).toThrow();
    expect(() => new CursorCodec(Buffer.alloc(32, 8)).decode(cursor, 'ctx')).toThrow();
    const flipped = cursor.slice(0, 5) + (cursor[5] === 'A' ? 'B' : 'A') + cursor.slice(6);
    expect(() => codec.decode(flipped, 'ctx')).toThrow();
  });
});
