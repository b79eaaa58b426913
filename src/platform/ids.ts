import { monotonicFactory } from 'ulid';

/**
 * A monotonic ULID (`ulid` package): 48 bits of milliseconds, then 80 random bits, in Crockford
 * base32 (26 characters, no I, L, O or U). Ids made in the same millisecond (or after the clock
 * went back) keep the last time and increment the random part, so they still sort in creation
 * order. The random part comes from the platform's CSPRNG (`crypto.getRandomValues`, which
 * ulid 3 detects; it throws rather than fall back to Math.random).
 */
export const ulid: (now?: number) => string = monotonicFactory();

const ID_BODY = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Whether `value` is an id made by newId(prefix). */
export function isId(prefix: string, value: string): boolean {
  return value.startsWith(`${prefix}_`) && ID_BODY.test(value.slice(prefix.length + 1));
}

/** A prefixed id, e.g. `cli_01JDQ7ZK3M2V8X4B6N9P0RSTWV`. */
export function newId(prefix: string): string {
  return `${prefix}_${ulid()}`;
}
