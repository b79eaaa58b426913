import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import sqlite3 from 'sqlite3';
import { Harness, type Admin } from '../support/harness';
import { testDbKind } from '../support/databases';

const problem503 = (res: { status: number; headers: Headers; body: any }) => {
  expect(res.status).toBe(503);
  expect(res.body.type).toBe('/problems/service-unavailable');
  expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
};

describe(`the database going away (${testDbKind()})`, () => {
  let h: Harness;
  let admin: Admin;
  beforeAll(async () => {
    h = await Harness.start();
    admin = await h.tenant();
  });
  afterAll(() => h.stop());

  const list = () => h.request('GET', '/v1/platform/api-clients', { token: admin.token });
  const create = (name: string) => h.request('POST', '/v1/platform/api-clients', { token: admin.token, json: { name, scopes: ['crm:read'] } });

  it('answers 503, not 500, to a request that reaches a database already closed (a forced shutdown)', async () => {
    const other = await Harness.start({}, h.db);
    const token = (await other.request('POST', '/v1/oauth/token', { form: { grant_type: 'client_credentials', client_id: admin.clientId, client_secret: admin.secret } })).body.access_token;
    const read = () => other.request('GET', `/v1/platform/api-clients/${admin.clientId}`, { token });
    try {
      expect((await read()).status).toBe(200);
      await other.stratum.kernel.db.close();
      problem503(await read());
      // Nothing logged as an error about the request (the outbox's own poll may meet the closed database too).
      expect(other.logs.filter((l) => (l.level as number) >= 50 && l.requestId !== undefined)).toEqual([]);
    } finally {
      await other.stop().catch(() => undefined);
    }
  });

  if (testDbKind() === 'postgres') {
    it('answers 503 with Retry-After while PostgreSQL refuses connections, and recovers after', async () => {
      const url = new URL(h.db.env.DATABASE_URL);
      const name = url.pathname.slice(1);
      const adminDb = new Client({ connectionString: process.env.TEST_DATABASE_URL });
      await adminDb.connect();
      try {
        await adminDb.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await adminDb.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        for (const res of [await list(), await list(), await create('while down')]) problem503(res);
        const ready = await h.request('GET', '/v1/health/ready');
        expect(ready.status).toBe(503);
      } finally {
        await adminDb.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
        await adminDb.end();
      }
      let status = 0;
      for (let i = 0; i < 5 && status !== 200; i++) status = (await list()).status;
      expect(status).toBe(200);
      expect((await list()).body.data.map((c: { name: string }) => c.name)).not.toContain('while down');
      expect(h.logs.filter((l) => l.level === 50)).toEqual([]);
    });
  } else {
    it('answers 503 with Retry-After when another process holds SQLite\'s write lock past the busy timeout', async () => {
      const other = new sqlite3.Database(h.db.env.SQLITE_PATH);
      const run = (sql: string) => new Promise<void>((resolve, reject) => other.exec(sql, (err) => (err ? reject(err) : resolve())));
      await run('BEGIN EXCLUSIVE');
      try {
        problem503(await create('while locked'));
        // Reads go on (WAL): only writers wait for the lock.
        expect((await list()).status).toBe(200);
      } finally {
        await run('ROLLBACK');
        await new Promise<void>((resolve) => other.close(() => resolve()));
      }
      expect((await create('after')).status).toBe(201);
      expect((await list()).body.data.map((c: { name: string }) => c.name)).toEqual(expect.not.arrayContaining(['while locked']));
      expect(h.logs.filter((l) => l.level === 50)).toEqual([]);
    }, 30_000);

    it('runs every connection, a transaction’s own included, in WAL with synchronous=NORMAL and a busy timeout', async () => {
      const { sequelize } = h.stratum.kernel.db;
      const [[outside]] = (await sequelize.query('PRAGMA synchronous')) as [Record<string, number>[], unknown];
      const inside = await sequelize.transaction(async (transaction) => {
        const [[sync]] = (await sequelize.query('PRAGMA synchronous', { transaction })) as [Record<string, number>[], unknown];
        const [[mode]] = (await sequelize.query('PRAGMA journal_mode', { transaction })) as [Record<string, string>[], unknown];
        const [[timeout]] = (await sequelize.query('PRAGMA busy_timeout', { transaction })) as [Record<string, number>[], unknown];
        return { sync, mode, timeout };
      });
      // 1 is NORMAL (2 would be FULL, SQLite's default: an fsync at every commit).
      expect(outside).toEqual({ synchronous: 1 });
      expect(inside).toEqual({ sync: { synchronous: 1 }, mode: { journal_mode: 'wal' }, timeout: { timeout: expect.any(Number) } });
      expect(inside.timeout.timeout).toBeGreaterThan(0);
    });
  }
});

describe('an idempotent response stored under another master secret', () => {
  it('is a 409 telling the caller to check and use a new key, never a 500 or a second run', async () => {
    const first = await Harness.start();
    const admin = await first.tenant();
    const body = { name: 'stored', scopes: ['crm:read'] };
    const created = await first.request('POST', '/v1/platform/api-clients', { token: admin.token, json: body, headers: { 'idempotency-key': 'k-secret' } });
    expect(created.status).toBe(201);
    // A second process on the same database with STRATUM_SECRET set: another data key.
    const second = await Harness.start({ STRATUM_SECRET: randomBytes(48).toString('base64url') }, first.db);
    try {
      const token = await second.token(admin.clientId, admin.secret);
      const replay = await second.request('POST', '/v1/platform/api-clients', { token, json: body, headers: { 'idempotency-key': 'k-secret' } });
      expect(replay.status).toBe(409);
      expect(replay.body.type).toBe('/problems/conflict');
      expect(replay.body.detail).toContain('new key');
      const names = (await second.request('GET', '/v1/platform/api-clients', { token })).body.data.map((c: { name: string }) => c.name);
      expect(names.filter((n: string) => n === 'stored')).toHaveLength(1);
    } finally {
      await second.stop();
      await first.stop();
    }
  });
});
