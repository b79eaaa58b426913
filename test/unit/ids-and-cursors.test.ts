import { newId, ulid } from '../../src/platform/ids';
import { CursorCodec } from '../../src/platform/http/pagination';

describe('ids', () => {
  it('are prefixed, Crockford base32 and sort in creation order', () => {
    const ids = Array.from({ length: 500 }, () => newId('cli'));
    for (const id of ids) expect(id).toMatch(/^cli_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('put the time first', () => {
    expect(ulid(1000) < ulid(2000)).toBe(true);
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
