import { createDatabase, type Database } from '../../src/platform/db/database';
import { migrateUp } from '../../src/platform/db/migrator';
import { FailedAttempts } from '../../src/platform/ratelimit/failed-attempts';
import { freshDatabase, type TestDatabase } from '../support/databases';

/** The limiter alone, on a real database, with a clock the tests move. */
let scratch: TestDatabase;
let db: Database;
let clock = 1_800_000_000_000; // a window boundary (a multiple of 60 s)
const now = () => clock;
const settings = { perClientId: 3, perAddress: 5, windowSeconds: 60 };
const CLIENT = 'cli_01M892BP80K3M5N7P9R1S3T5V7';

beforeAll(async () => {
  scratch = await freshDatabase();
  db = createDatabase({ databaseUrl: scratch.env.DATABASE_URL, sqlitePath: scratch.env.SQLITE_PATH ?? ':memory:', poolMax: 4 });
  await migrateUp(db);
});
afterAll(async () => {
  await db.close();
  await scratch.drop();
});
beforeEach(() => {
  clock += 600_000;
});

const rows = () => db.select<{ subject: string; failures: number | string }>('SELECT subject, failures FROM failed_attempts ORDER BY subject', {});

describe('failed attempts', () => {
  it('refuses a client id once it has used up its failures, shares the count between processes, and starts afresh with the next window', async () => {
    const one = new FailedAttempts(db, settings, undefined, now);
    const two = new FailedAttempts(db, settings, undefined, now);
    for (let i = 0; i < 2; i++) await (await one.begin({ clientId: CLIENT })).failed();
    const third = await two.begin({ clientId: CLIENT });
    expect(third.refusedBy).toBeUndefined();
    expect(third.standing().limits).toEqual([{ policy: 'failures-per-client-id', limit: 3, remaining: 1 }]);
    await third.failed();
    // The first process reads the third failure, counted by the second.
    const fourth = await one.begin({ clientId: CLIENT });
    expect(fourth.refusedBy).toBe('failures-per-client-id');
    expect(fourth.retryAfterSeconds).toBe(60);
    clock += 59_000;
    expect((await two.begin({ clientId: CLIENT })).retryAfterSeconds).toBe(1);
    clock += 1_000;
    const next = await one.begin({ clientId: CLIENT });
    expect(next.refusedBy).toBeUndefined();
    next.done();
  });

  it('lets no more attempts run at once than failures are left', async () => {
    const limiter = new FailedAttempts(db, settings, undefined, now);
    const attempts = await Promise.all(Array.from({ length: 10 }, () => limiter.begin({ clientId: CLIENT })));
    expect(attempts.filter((a) => !a.refusedBy)).toHaveLength(3);
    // One succeeds: its place is free again, and nothing was counted for it.
    const running = attempts.filter((a) => !a.refusedBy);
    running[0].done();
    const again = await limiter.begin({ clientId: CLIENT });
    expect(again.refusedBy).toBeUndefined();
    await Promise.all([again, ...running.slice(1)].map((a) => a.failed()));
    expect((await limiter.begin({ clientId: CLIENT })).refusedBy).toBe('failures-per-client-id');
  });

  it('counts against the address too, whatever the client id, and admits a trusted attempt over either limit', async () => {
    const limiter = new FailedAttempts(db, settings, undefined, now);
    for (let i = 0; i < 5; i++) await (await limiter.begin({ clientId: `cli_01M892BP80K3M5N7P9R1S3T${i}00`, address: '2001:db8:1:2::7' })).failed();
    // Another address of the same /64 is the same subject.
    const refused = await limiter.begin({ clientId: 'cli_01M892BP80K3M5N7P9R1S3T900', address: '2001:db8:1:2:ffff::1' });
    expect(refused.refusedBy).toBe('failures-per-address');
    expect(refused.standing().limits).toEqual([
      { policy: 'failures-per-client-id', limit: 3, remaining: 3 },
      { policy: 'failures-per-address', limit: 5, remaining: 0 },
    ]);
    expect((await limiter.begin({ address: '2001:db8:1:3::7' })).refusedBy).toBeUndefined();
    const trusted = await limiter.begin({ clientId: CLIENT, address: '2001:db8:1:2::7' }, true);
    expect(trusted.refusedBy).toBeUndefined();
    trusted.done();
  });

  it('keeps rows of ended windows only until the next failure a minute later', async () => {
    const limiter = new FailedAttempts(db, settings, undefined, now);
    await (await limiter.begin({ clientId: CLIENT })).failed();
    clock += 120_000;
    await (await limiter.begin({ address: '10.0.0.1' })).failed();
    const window = String(Math.floor(clock / 60_000) * 60);
    const left = await db.select<{ window_start: number | string }>('SELECT window_start FROM failed_attempts', {});
    expect(left.map((r) => String(r.window_start))).toEqual([window]);
    expect(await rows()).toEqual([{ subject: 'address:10.0.0.1', failures: expect.anything() }]);
  });

  it('refuses nothing when the database cannot be read, and says so in the log', async () => {
    const broken = { ...db, select: () => Promise.reject(new Error('connection refused')), transaction: () => Promise.reject(new Error('connection refused')) } as Database;
    const warnings: string[] = [];
    const limiter = new FailedAttempts(broken, settings, { warn: (_o: unknown, msg?: string) => void warnings.push(msg ?? '') } as never, now);
    const a = await limiter.begin({ clientId: CLIENT });
    expect(a.refusedBy).toBeUndefined();
    await a.failed();
    expect(warnings).toEqual(['reading the failed attempt counters failed', 'counting a failed attempt failed']);
    // What this process counted still holds.
    for (let i = 0; i < 2; i++) await (await limiter.begin({ clientId: CLIENT })).failed();
    expect((await limiter.begin({ clientId: CLIENT })).refusedBy).toBe('failures-per-client-id');
  });
});
