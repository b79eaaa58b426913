import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const KEY_LEN = 32;

function scryptAsync(secret: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LEN, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** A new client secret: 256 random bits, shown once. */
export function generateSecret(): string {
  return `cs_${randomBytes(32).toString('base64url')}`;
}

/** More secret checks are waiting than the process takes on: answered with a 503, retried later. */
export class SecretChecksBusyError extends Error {
  constructor() {
    super('too many secret checks are waiting');
    this.name = 'SecretChecksBusyError';
  }
}

export interface SecretHasherSettings {
  /** scrypt computations at once (each takes one thread of libuv's pool for ~40 ms). */
  concurrency: number;
  /** Checks that may wait for one of those; beyond that a check fails at once. */
  queue: number;
}

const VERIFIED_LIMIT = 10_000;

/**
 * Hashes and checks client secrets with scrypt (`scrypt$N$r$p$salt$hash`; the parameters travel
 * with the hash so they can be raised later).
 *
 * Each check costs ~40 ms of a CPU on a threadpool thread, and anyone can ask for one (a token
 * request, an `X-API-Key` header, with a made-up client id: unknown ids cost the same, so that
 * timing does not tell which exist). Unbounded, a flood of bad credentials fills libuv's pool and
 * the CPUs, and every database query of the process waits behind it (`npm run bench:flood`: reads
 * fell to 0.00–0.29 of their rate). So at most `concurrency` computations run at once (config:
 * half the pool and half the CPUs by default), at most `queue` checks wait, and a check beyond
 * that fails with `SecretChecksBusyError` (a 503) instead of queueing without end — before the
 * client is even looked up (`admit`). A secret verified for a client is remembered with the
 * stored hash it matched (under a digest of client id and secret, never the secret; the 10 000
 * most recently used), so clients that authenticate again and again do not pay, or wait for,
 * scrypt each time; after a rotation the stored hash differs and the old entry no longer counts.
 */
export class SecretHasher {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** digest(client id, secret) → the stored hash that secret was verified against; oldest first. */
  private readonly verified = new Map<string, string>();

  constructor(private readonly settings: SecretHasherSettings) {}

  /**
   * Sheds a check before any work is done for it (the client's lookup included): throws
   * SecretChecksBusyError when no check could wait now, unless this secret is one this process
   * has verified for this client (that needs no scrypt). The same for every client id, known or not.
   */
  admit(clientId: string, secret: string): void {
    if (this.full() && !this.remembers(clientId, secret)) throw new SecretChecksBusyError();
  }

  /** Whether this process has verified `secret` for the client (checking it again needs no scrypt, and is no guess). */
  remembers(clientId: string, secret: string): boolean {
    return this.verified.has(rememberKey(clientId, secret));
  }

  async hash(secret: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await this.scrypt(secret, salt, N, R, P);
    return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  /** Whether `secret` is the one `stored` was made from (for the client `clientId`). */
  async verify(clientId: string, secret: string, stored: string): Promise<boolean> {
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !hash) return false;
    const remembered = rememberKey(clientId, secret);
    const known = this.verified.get(remembered);
    // Most recently used last: the oldest entry is the one dropped when the map is full. An
    // entry for another hash (the secret was rotated) no longer counts for `admit` either.
    this.verified.delete(remembered);
    if (known === stored) {
      this.verified.set(remembered, stored);
      return true;
    }
    const expected = Buffer.from(hash, 'base64url');
    const actual = await this.scrypt(secret, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
    const ok = actual.length === expected.length && timingSafeEqual(actual, expected);
    if (ok) {
      if (this.verified.size >= VERIFIED_LIMIT) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(remembered, stored);
    }
    return ok;
  }

  /**
   * The same scrypt work as a real check, always false: for an unknown or revoked client, so that
   * the answer's timing does not tell which client ids exist. A secret remembered for the client
   * (it was revoked since) is forgotten, so `admit` sheds it like any other.
   */
  async failCheck(clientId: string, secret: string): Promise<false> {
    this.verified.delete(rememberKey(clientId, secret));
    await this.scrypt(secret, randomBytes(16), N, R, P);
    return false;
  }

  /** Checks running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private full(): boolean {
    return this.running >= this.settings.concurrency && this.waiting.length >= this.settings.queue;
  }

  private async scrypt(secret: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
    if (this.full()) throw new SecretChecksBusyError();
    if (this.running >= this.settings.concurrency) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    // Here this check holds one of the `running` places (a finished one handed its place over).
    try {
      return await scryptAsync(secret, salt, n, r, p);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

function rememberKey(clientId: string, secret: string): string {
  return createHash('sha256').update(clientId).update('\0').update(secret).digest('base64');
}
