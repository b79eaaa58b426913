import { SecretChecksBusyError, SecretHasher, generateSecret } from '../../src/platform/auth/secrets';
import { defaultSecretCheckConcurrency, loadConfig, threadpoolSize } from '../../src/platform/config/config';

/** Lets every started check reach the gate (they first await the dummy hash). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('secret checks', () => {
  it('hash and verify: the right secret matches, another does not', async () => {
    const hasher = new SecretHasher({ concurrency: 2, queue: 10 });
    const secret = generateSecret();
    const stored = await hasher.hash(secret);
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await hasher.verify(secret, stored)).toBe(true);
    expect(await hasher.verify(`${secret}x`, stored)).toBe(false);
    expect(await hasher.verify(secret, 'bcrypt$whatever')).toBe(false);
  });

  it('computes at most `concurrency` at once and lets the rest wait', async () => {
    const hasher = new SecretHasher({ concurrency: 2, queue: 10 });
    await hasher.failCheck('warm'); // the dummy hash exists from here on
    const checks = Array.from({ length: 6 }, (_, i) => hasher.failCheck(`s${i}`));
    await settle();
    expect(hasher.load).toEqual({ running: 2, waiting: 4 });
    let most = 0;
    const sample = setInterval(() => (most = Math.max(most, hasher.load.running)), 1);
    expect(await Promise.all(checks)).toEqual([false, false, false, false, false, false]);
    clearInterval(sample);
    expect(most).toBeLessThanOrEqual(2);
    expect(hasher.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a check at once when the queue is full, and recovers', async () => {
    const hasher = new SecretHasher({ concurrency: 1, queue: 1 });
    await hasher.failCheck('warm');
    const first = hasher.failCheck('a');
    const second = hasher.failCheck('b');
    const third = hasher.failCheck('c');
    await expect(third).rejects.toBeInstanceOf(SecretChecksBusyError);
    expect(await first).toBe(false);
    expect(await second).toBe(false);
    expect(await hasher.failCheck('d')).toBe(false);
  });

  it('does not compute again a secret verified against the same hash, even when busy', async () => {
    const hasher = new SecretHasher({ concurrency: 1, queue: 0 });
    const secret = generateSecret();
    const stored = await hasher.hash(secret);
    expect(await hasher.verify(secret, stored)).toBe(true);
    await hasher.failCheck('warm');
    const busy = hasher.failCheck('holds the only place');
    await settle();
    expect(hasher.load.running).toBe(1);
    // remembered: answered without scrypt, so without waiting for a place
    expect(await hasher.verify(secret, stored)).toBe(true);
    // a wrong secret, or the same secret against a new hash (a rotation), needs scrypt: busy
    await expect(hasher.verify(`${secret}x`, stored)).rejects.toBeInstanceOf(SecretChecksBusyError);
    const rotated = await (async () => {
      await busy;
      return hasher.hash(secret);
    })();
    const busyAgain = hasher.failCheck('holds it again');
    await settle();
    await expect(hasher.verify(secret, rotated)).rejects.toBeInstanceOf(SecretChecksBusyError);
    await busyAgain;
    expect(await hasher.verify(secret, rotated)).toBe(true);
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
