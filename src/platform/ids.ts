import { randomBytes } from 'node:crypto';

/** Crockford base32, as in ULID: time-sortable, no I, L, O or U. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTime = 0;
let lastRandom: number[] = [];

function encodeTime(time: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[time % 32] + out;
    time = Math.floor(time / 32);
  }
  return out;
}

/** A monotonic ULID: ids made in the same millisecond still sort in creation order. */
export function ulid(now = Date.now()): string {
  if (now <= lastTime) {
    // Same millisecond (or the clock went back): increment the previous random part.
    let i = lastRandom.length - 1;
    while (i >= 0 && lastRandom[i] === 31) lastRandom[i--] = 0;
    if (i >= 0) lastRandom[i]++;
    now = lastTime;
  } else {
    const bytes = randomBytes(16);
    lastRandom = Array.from(bytes, (b) => b % 32);
    lastTime = now;
  }
  return encodeTime(now) + lastRandom.map((n) => ALPHABET[n]).join('');
}

const ID_BODY = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Whether `value` is an id made by newId(prefix). */
export function isId(prefix: string, value: string): boolean {
  return value.startsWith(`${prefix}_`) && ID_BODY.test(value.slice(prefix.length + 1));
}

/** A prefixed id, e.g. `cli_01JDQ7ZK3M2V8X4B6N9P0RSTWV`. */
export function newId(prefix: string): string {
  return `${prefix}_${ulid()}`;
}
