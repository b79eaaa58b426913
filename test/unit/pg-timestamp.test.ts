import { types } from 'pg';
import { timestamptzParser } from '../../src/platform/db/pg-timestamp';

/**
 * The fast `timestamptz` reader gives the Date pg's own parser (postgres-date) gives, for every
 * form PostgreSQL writes in DateStyle ISO, and hands what it does not read itself to that parser.
 */
const builtin = types.getTypeParser(1184, 'text') as (raw: string) => unknown;

function reader() {
  const fellBack: string[] = [];
  const parse = timestamptzParser((raw) => {
    fellBack.push(raw);
    return builtin(raw);
  });
  return { parse, fellBack };
}

/** `YYYY-MM-DD HH:MM:SS` of `ms` since the epoch, as PostgreSQL writes it before the fraction and offset. */
const civil = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

describe('timestamptz text read into Dates', () => {
  it('reads what PostgreSQL writes — every fraction length and offset form — to the Date pg would build', () => {
    const { parse, fellBack } = reader();
    const offsets = ['+00', '-03', '+05:30', '-09:30', '+14', '-12', '+01:02:03', '-00:00:30'];
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    const values: string[] = [];
    for (let i = 0; i < 4000; i++) {
      // From 1000 to 9999, leap days and ends of months among them by chance.
      const ms = Date.UTC(1000, 0, 1) + (next() / 2147483647) * (Date.UTC(9999, 11, 31) - Date.UTC(1000, 0, 1));
      const digits = i % 7; // 0 to 6 fraction digits
      const fraction = digits ? `.${String(next()).padStart(10, '0').slice(0, digits)}` : '';
      values.push(`${civil(ms)}${fraction}${offsets[i % offsets.length]}`);
    }
    values.push('2024-02-29 23:59:59.999999+00', '1970-01-01 00:00:00+00', '1969-12-31 23:59:59.001-01', '9999-12-31 23:59:59.999+00', '1000-01-01 00:00:00-14');
    for (const raw of values) {
      const ours = parse(raw) as Date;
      expect(ours).toBeInstanceOf(Date);
      expect([raw, ours.getTime()]).toEqual([raw, (builtin(raw) as Date).getTime()]);
    }
    expect(fellBack).toEqual([]);
  });

  it('hands BC years, early and far years, infinity and malformed text to pg’s parser', () => {
    const { parse, fellBack } = reader();
    const others = [
      'infinity',
      '-infinity',
      '0044-03-15 12:00:00+00 BC',
      '0099-06-01 00:00:00+00',
      '12345-01-01 00:00:00+00',
      '2026-12-07 10:54:27.791', // no offset: timestamp without time zone, local time
      '2026-12-07 10:54:27.791+0x',
      '2026-12-07 10:54:27+05:3',
      '2026-12-07T10:54:27Z',
      '2026-12-07',
    ];
    for (const raw of others) {
      const ours = parse(raw);
      const theirs = builtin(raw);
      if (theirs instanceof Date) expect([raw, (ours as Date).getTime()]).toEqual([raw, theirs.getTime()]);
      else expect([raw, ours]).toEqual([raw, theirs]);
    }
    expect(fellBack).toEqual(others);
  });
});
