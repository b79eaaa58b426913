import { randomFillSync } from 'node:crypto';
import { encodeTime, monotonicFactory } from 'ulid';

/**
 * ulid's own PRNG asks the CSPRNG for one byte per character (16 calls for a new millisecond's
 * random part); this one takes the bytes from a pool refilled 4 KiB at a time by the same CSPRNG.
 * `byte / 256` is what ulid's PRNG returns, so each character stays uniform over base32.
 */
function pooledRandom(): () => number {
  const pool = new Uint8Array(4096);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++] / 256;
  };
}

/**
 * A monotonic ULID (`ulid` package): 48 bits of milliseconds, then 80 random bits, in Crockford
 * base32 (26 characters, no I, L, O or U). Ids made in the same millisecond (or after the clock
 * went back) keep the last time and increment the random part, so they still sort in creation
 * order. The random part comes from Node's CSPRNG (`randomFillSync`), through pooledRandom.
 */
export const ulid: (now?: number) => string = monotonicFactory(pooledRandom());

const ID_BODY = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Whether `value` is an id made by newId(prefix). */
export function isId(prefix: string, value: string): boolean {
  return value.startsWith(`${prefix}_`) && ID_BODY.test(value.slice(prefix.length + 1));
}

/** A prefixed id, e.g. `cli_01JDQ7ZK3M2V8X4B6N9P0RSTWV`. */
export function newId(prefix: string): string {
  return `${prefix}_${ulid()}`;
}

/** The smallest id with `prefix` made at or after `at`: ids made before it sort below it. */
export function idsBefore(prefix: string, at: Date): string {
  return `${prefix}_${encodeTime(at.getTime(), 10)}`;
}
