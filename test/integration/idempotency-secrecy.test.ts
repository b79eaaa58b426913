import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { QueryTypes } from 'sequelize';
import sqlite3 from 'sqlite3';
import { keyringFrom, unseal } from '../../src/platform/auth/keyring';
import { loadConfig } from '../../src/platform/config/config';
import { createDatabase } from '../../src/platform/db/database';
import { createMigrator } from '../../src/platform/db/migrator';
import { IdempotencyKeyModel, IdempotencyStore, keyHash, responseKey } from '../../src/platform/idempotency/idempotency-store';
import { freshDatabase, testDbKind, type TestDatabase } from '../support/databases';
import { Harness } from '../support/harness';

type Row = Record<string, unknown>;

/**
 * Everything in a copy of the database: every row of every table and, for SQLite, the bytes of
 * the file and its write-ahead log (free pages included). The server must be stopped: the copy
 * is then exactly what a backup or a stolen disk holds.
 */
interface DatabaseCopy {
  tables: Record<string, Row[]>;
  bytes?: Buffer;
}

async function copyDatabase(db: TestDatabase): Promise<DatabaseCopy> {
  if (db.kind === 'sqlite') {
    const file = db.env.SQLITE_PATH;
    const dir = mkdtempSync(join(tmpdir(), 'stratum-copy-'));
    const copy = join(dir, 'copy.sqlite');
    const parts: Buffer[] = [];
    for (const suffix of ['', '-wal', '-shm']) {
      if (!existsSync(file + suffix)) continue;
      copyFileSync(file + suffix, copy + suffix);
      parts.push(readFileSync(copy + suffix));
    }
    const conn = new sqlite3.Database(copy);
    const all = (sql: string) => new Promise<Row[]>((done, fail) => conn.all(sql, (err: Error | null, rows: Row[]) => (err ? fail(err) : done(rows))));
    try {
      const tables: Record<string, Row[]> = {};
      for (const { name } of await all("SELECT name FROM sqlite_master WHERE type = 'table'")) {
        tables[name as string] = await all(`SELECT * FROM "${name as string}"`);
      }
      return { tables, bytes: Buffer.concat(parts) };
    } finally {
      await new Promise((done) => conn.close(done));
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // PostgreSQL: a new database made from this one as its template is a copy of all of it.
  const source = new URL(db.env.DATABASE_URL);
  const name = `${source.pathname.slice(1)}_copy`;
  const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${source.pathname.slice(1)}`);
  try {
    const target = new URL(source);
    target.pathname = `/${name}`;
    const conn = new Client({ connectionString: target.toString() });
    await conn.connect();
    try {
      const tables: Record<string, Row[]> = {};
      const names = await conn.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
      for (const { tablename } of names.rows) tables[tablename] = (await conn.query(`SELECT * FROM "${tablename}"`)).rows;
      return { tables };
    } finally {
      await conn.end();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  }
}

/** Whether `needle` appears anywhere in the copy. */
function holds(copy: DatabaseCopy, needle: string): boolean {
  return JSON.stringify(copy.tables).includes(needle) || (copy.bytes?.includes(Buffer.from(needle, 'utf8')) ?? false);
}

const tryUnseal = (key: Buffer, sealed: string): string | undefined => {
  try {
    return unseal(key, sealed);
  } catch {
    return undefined;
  }
};

describe(`a copy of the ${testDbKind()} database`, () => {
  let db: TestDatabase;
  afterAll(() => db?.drop());

  it('reveals neither the secrets in stored answers nor the Idempotency-Keys, and the replay still answers the same body', async () => {
    db = await freshDatabase();
    let h = await Harness.start({}, db);
    const admin = await h.tenant();
    const createKey = randomUUID();
    const rotateKey = randomUUID();
    const body = { name: 'copied', scopes: ['crm:read'] };
    const create = () => h.request('POST', '/v1/platform/api-clients', { token: admin.token, json: body, headers: { 'idempotency-key': createKey } });
    const created = await create();
    expect(created.status).toBe(201);
    const id: string = created.body.api_client.id;
    const rotate = () => h.request('POST', `/v1/platform/api-clients/${id}/rotate-secret`, { token: admin.token, headers: { 'if-match': '"1"', 'idempotency-key': rotateKey } });
    const rotated = await rotate();
    expect(rotated.status).toBe(200);
    const secrets: string[] = [created.body.client_secret, rotated.body.client_secret];
    expect(secrets[0]).not.toBe(secrets[1]);
    await h.stop();

    const copy = await copyDatabase(db);

    // Nothing to find by searching: no raw key, no secret, anywhere in the copy.
    for (const needle of [createKey, rotateKey, ...secrets]) expect(holds(copy, needle)).toBe(false);
    // Only the lookup hash (not the key) and the sealed answers.
    const rows = copy.tables.idempotency_keys.filter((r) => r.tenant_id === admin.tenantId);
    expect(rows.map((r) => r.key_hash).sort()).toEqual([keyHash(admin.tenantId, createKey), keyHash(admin.tenantId, rotateKey)].sort());
    expect(Object.keys(rows[0])).not.toContain('key');

    // Decrypting with all the copy holds: the master secret, and every key the server derives
    // from it (here the way the server does, from the platform_secrets row) — but not the raw key.
    const master = copy.tables.platform_secrets.find((r) => r.name === 'master')!.value as string;
    const keyring = keyringFrom(Buffer.from(master, 'base64url'));
    for (const row of rows) {
      const sealed = row.response as string;
      const candidates = [
        keyring.dataKey,
        keyring.cursorKey,
        Buffer.from(keyring.tokenKey),
        responseKey(keyring.dataKey, admin.tenantId, ''),
        responseKey(keyring.dataKey, admin.tenantId, row.key_hash as string),
        responseKey(keyring.dataKey, admin.tenantId, row.request_hash as string),
        createHash('sha256').update(keyring.dataKey).update(row.key_hash as string).digest(),
      ];
      for (const key of candidates) expect(tryUnseal(key, sealed)).toBeUndefined();
      // The control: with the caller's raw key added, that same master secret opens it.
      const raw = row.key_hash === keyHash(admin.tenantId, createKey) ? createKey : rotateKey;
      const opened = tryUnseal(responseKey(keyring.dataKey, admin.tenantId, raw), sealed);
      expect(opened).toContain(raw === createKey ? secrets[0] : secrets[1]);
    }

    // The caller, who has the key, still gets its answers back, secrets included.
    h = await Harness.start({}, db);
    try {
      for (const [again, first] of [
        [await create(), created],
        [await rotate(), rotated],
      ] as const) {
        expect(again.status).toBe(first.status);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(again.body).toEqual(first.body);
      }
    } finally {
      await h.stop();
    }
  });
});

describe(`keys stored before they were hashed, on ${testDbKind()}`, () => {
  const BEFORE = '20261201120000-platform-api-client-name-search';

  it('are hashed by the migration, their answers dropped without a trace, and a retry is still never run twice', async () => {
    const testDb = await freshDatabase();
    const config = loadConfig({ NODE_ENV: 'test', ...testDb.env });
    const db = createDatabase({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, poolMax: 2, models: [IdempotencyKeyModel] });
    let closed = false;
    try {
      await db.ping(); // as the kernel does before migrating: on SQLite, this turns on WAL
      const migrator = createMigrator(db);
      await migrator.up({ to: BEFORE });
      const tenant = 'ten_01JLEGACY0000000000000000';
      const done = `legacy-done-${randomUUID()}`;
      const pending = `legacy-pending-${randomUUID()}`;
      const answer = `legacy-answer-${randomUUID()}`;
      const now = Date.now();
      const insert = (key: string, state: string, response: string | null) =>
        db.sequelize.query(
          `INSERT INTO idempotency_keys (tenant_id, "key", request_hash, state, response_status, response, created_at, locked_until, expires_at)
           VALUES (:tenant, :key, :hash, :state, :status, :response, :created, :locked, :expires)`,
          {
            replacements: {
              tenant, key, hash: 'a'.repeat(64), state, status: response ? 201 : null, response,
              created: new Date(now), locked: new Date(now + 60_000), expires: new Date(now + 86_400_000),
            },
          },
        );
      // Many more, so the copy runs over several batches.
      for (let i = 0; i < 1200; i += 100) {
        await db.sequelize.query(
          `INSERT INTO idempotency_keys (tenant_id, "key", request_hash, state, created_at, locked_until, expires_at) VALUES ${Array.from({ length: 100 }, (_, j) => `('ten_other', 'k${i + j}', 'h', 'pending', :t, :t, :t)`).join(', ')}`,
          { replacements: { t: new Date(now) } },
        );
      }

      await insert(done, 'done', answer);
      await insert(pending, 'pending', null);

      await migrator.up();

      const rows = await db.sequelize.query<Row>('SELECT * FROM idempotency_keys WHERE tenant_id = :tenant ORDER BY state', { type: QueryTypes.SELECT, replacements: { tenant } });
      expect(rows.map((r) => [r.key_hash, r.state, r.response])).toEqual([
        [keyHash(tenant, done), 'done', null],
        [keyHash(tenant, pending), 'pending', null],
      ]);
      const [{ n }] = await db.sequelize.query<{ n: string | number }>("SELECT COUNT(*) AS n FROM idempotency_keys WHERE tenant_id = 'ten_other'", { type: QueryTypes.SELECT });
      expect(Number(n)).toBe(1200);

      // Retries of those requests find their keys: the finished one is not run again (409), the other still runs.
      const store = new IdempotencyStore(Buffer.alloc(32, 1));
      expect(await store.claim(tenant, done, 'a'.repeat(64))).toEqual({ kind: 'unreadable' });
      expect(await store.claim(tenant, pending, 'a'.repeat(64))).toEqual({ kind: 'in_progress' });

      // SQLite is copied while open (file and log as a running server leaves them); a
      // PostgreSQL database can be a template only once no one is connected to it.
      if (testDb.kind === 'postgres') {
        await db.close();
        closed = true;
      }
      const copy = await copyDatabase(testDb);
      for (const needle of [done, pending, answer]) expect(holds(copy, needle)).toBe(false);
    } finally {
      if (!closed) await db.close();
      await testDb.drop();
    }
  });
});
