import { SecretChecksBusyError, SecretHasher, generateSecret } from '../../src/platform/auth/secrets';
import { defaultSecretCheckConcurrency, loadConfig, threadpoolSize } from '../../src/platform/config/config';

/** Lets every started check reach the gate. */
const settle = () => new Promise((resolve) => setImmediate(resolve));
const CLIENT = 'cli_01M892BP80K3M5N7P9R1S3T5V7';

/** Counts the scrypt computations really in progress (not the hasher's own bookkeeping). */
function watchScrypt() {
  // The module object itself (its properties can be replaced; an ES namespace's cannot).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const crypto = require('node:crypto') as typeof import('node:crypto');
  const original = crypto.scrypt;
  const seen = { started: 0, inProgress: 0, most: 0 };
  const spy = jest.spyOn(crypto, 'scrypt').mockImplementation(((...args: unknown[]) => {
    const callback = args[args.length - 1] as (err: Error | null, key: Buffer) => void;
    seen.started++;
    seen.inProgress++;
    seen.most = Math.max(seen.most, seen.inProgress);
    (original as (...a: unknown[]) => void)(...args.slice(0, -1), (err: Error | null, key: Buffer) => {
      seen.inProgress--;
      callback(err, key);
    });
  }) as never);
  return { seen, restore: () => spy.mockRestore() };
}

describe('secret checks', () => {
  it('hash and verify: the right secret matches, another does not', async () => {
    const hasher = new SecretHasher({ concurrency: 2, queue: 10 });
    const secret = generateSecret();
    const stored = await hasher.hash(secret);
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await hasher.verify(CLIENT, secret, stored)).toBe(true);
    expect(await hasher.verify(CLIENT, `${secret}x`, stored)).toBe(false);
    expect(await hasher.verify(CLIENT, secret, 'bcrypt$whatever')).toBe(false);
  });

  it('computes at most `concurrency` at once and lets the rest wait', async () => {
    const hasher = new SecretHasher({ concurrency: 2, queue: 10 });
    const watch = watchScrypt();
    try {
      const checks = Array.from({ length: 6 }, (_, i) => hasher.failCheck(CLIENT, `s${i}`));
      await settle();
      expect(hasher.load).toEqual({ running: 2, waiting: 4 });
      expect(watch.seen.inProgress).toBe(2);
      expect(await Promise.all(checks)).toEqual([false, false, false, false, false, false]);
      expect(watch.seen).toEqual({ started: 6, inProgress: 0, most: 2 });
      expect(hasher.load).toEqual({ running: 0, waiting: 0 });
    } finally {
      watch.restore();
    }
  });

  it('refuses a check at once when the queue is full, and recovers', async () => {
    const hasher = new SecretHasher({ concurrency: 1, queue: 1 });
    const first = hasher.failCheck(CLIENT, 'a');
    const second = hasher.failCheck(CLIENT, 'b');
    expect(() => hasher.admit(CLIENT, 'c')).toThrow(SecretChecksBusyError);
    await expect(hasher.failCheck(CLIENT, 'c')).rejects.toBeInstanceOf(SecretChecksBusyError);
    expect(await first).toBe(false);
    expect(await second).toBe(false);
    expect(() => hasher.admit(CLIENT, 'd')).not.toThrow();
    expect(await hasher.failCheck(CLIENT, 'd')).toBe(false);
  });

  it('does not compute again a secret verified for the client against the same hash, even when busy', async () => {
    const hasher = new SecretHasher({ concurrency: 1, queue: 0 });
    const secret = generateSecret();
    const stored = await hasher.hash(secret);
    expect(await hasher.verify(CLIENT, secret, stored)).toBe(true);
    const busy = hasher.failCheck(CLIENT, 'holds the only place');
    await settle();
    expect(hasher.load.running).toBe(1);
    // remembered: admitted and answered without scrypt, so without waiting for a place
    expect(() => hasher.admit(CLIENT, secret)).not.toThrow();
    expect(await hasher.verify(CLIENT, secret, stored)).toBe(true);
    // a wrong secret, the secret for another client id, or the secret against a new hash (a rotation) needs scrypt: busy
    expect(() => hasher.admit(CLIENT, `${secret}x`)).toThrow(SecretChecksBusyError);
    await expect(hasher.verify(CLIENT, `${secret}x`, stored)).rejects.toBeInstanceOf(SecretChecksBusyError);
    await expect(hasher.verify('cli_01M892BP80K3M5N7P9R1S3T5V8', secret, stored)).rejects.toBeInstanceOf(SecretChecksBusyError);
    await busy;
    const rotated = await hasher.hash(secret);
    const busyAgain = hasher.failCheck(CLIENT, 'holds it again');
    await settle();
    await expect(hasher.verify(CLIENT, secret, rotated)).rejects.toBeInstanceOf(SecretChecksBusyError);
    await busyAgain;
    expect(await hasher.verify(CLIENT, secret, rotated)).toBe(true);
    // and the old hash no longer counts as remembered
    const busyThird = hasher.failCheck(CLIENT, 'and again');
    await settle();
    await expect(hasher.verify(CLIENT, secret, stored)).rejects.toBeInstanceOf(SecretChecksBusyError);
    await busyThird;
  });

  it('forgets a remembered secret once it stops matching (revoked, rotated), so admit sheds it again', async () => {
    const hasher = new SecretHasher({ concurrency: 1, queue: 0 });
    const secret = generateSecret();
    const stored = await hasher.hash(secret);
    /** Takes the only place; resolves (in a wrapper, not to be awaited away) once it is taken. */
    const fill = async () => {
      const busy = hasher.failCheck('cli_01M892BP80K3M5N7P9R1S3T5V9', 'holds the only place');
      await settle();
      return { busy };
    };
    // revoked: the caller checks it as an unknown client
    expect(await hasher.verify(CLIENT, secret, stored)).toBe(true);
    await hasher.failCheck(CLIENT, secret);
    let { busy } = await fill();
    expect(() => hasher.admit(CLIENT, secret)).toThrow(SecretChecksBusyError);
    await busy;
    // rotated: checked against a new hash (and found not to match)
    expect(await hasher.verify(CLIENT, secret, stored)).toBe(true);
    const rotated = await hasher.hash(generateSecret());
    expect(await hasher.verify(CLIENT, secret, rotated)).toBe(false);
    ({ busy } = await fill());
    expect(() => hasher.admit(CLIENT, secret)).toThrow(SecretChecksBusyError);
    await busy;
  });

  it('forgets the least recently used verification first when full', async () => {
    const hasher = new SecretHasher({ concurrency: 4, queue: 100 });
    const watch = watchScrypt();
    try {
      // 10 000 entries is the limit: fill it with cheap fake entries through the public path
      // would take minutes of scrypt, so this test reaches in for the map.
      const verified = (hasher as unknown as { verified: Map<string, string> }).verified;
      const secret = generateSecret();
      const stored = await hasher.hash(secret);
      expect(await hasher.verify(CLIENT, secret, stored)).toBe(true);
      for (let i = 0; i < 9_999; i++) verified.set(`filler ${i}`, 'x');
      expect(verified.size).toBe(10_000);
      // used again: moves to the end, so the next addition drops `filler 0`, not it
      expect(await hasher.verify(CLIENT, secret, stored)).toBe(true);
      const other = generateSecret();
      const otherStored = await hasher.hash(other);
      expect(await hasher.verify(CLIENT, other, otherStored)).toBe(true);
      expect(verified.size).toBe(10_000);
      expect(verified.has('filler 0')).toBe(false);
      const before = watch.seen.started;
      expect(await hasher.verify(CLIENT, secret, stored)).toBe(true);
      expect(watch.seen.started).toBe(before);
    } finally {
      watch.restore();
    }
  });

  it('defaults to half of libuv threadpool and half of the CPUs, at least one', () => {
    expect(threadpoolSize({})).toBe(4);
    expect(threadpoolSize({ UV_THREADPOOL_SIZE: '16' })).toBe(16);
    expect(defaultSecretCheckConcurrency({}, 8)).toBe(2);
    expect(defaultSecretCheckConcurrency({}, 2)).toBe(1);
    expect(defaultSecretCheckConcurrency({}, 1)).toBe(1);
    expect(defaultSecretCheckConcurrency({ UV_THREADPOOL_SIZE: '1' }, 8)).toBe(1);
    expect(defaultSecretCheckConcurrency({ UV_THREADPOOL_SIZE: '16' }, 32)).toBe(8);
    expect(loadConfig({}).secretCheckConcurrency).toBe(defaultSecretCheckConcurrency({}));
    expect(loadConfig({ SECRET_CHECK_CONCURRENCY: '3', SECRET_CHECK_QUEUE: '0' })).toMatchObject({ secretCheckConcurrency: 3, secretCheckQueue: 0 });
    expect(() => loadConfig({ SECRET_CHECK_CONCURRENCY: '0' })).toThrow(/SECRET_CHECK_CONCURRENCY/);
    expect(() => loadConfig({ SECRET_CHECK_QUEUE: 'many' })).toThrow(/SECRET_CHECK_QUEUE/);
  });
});
