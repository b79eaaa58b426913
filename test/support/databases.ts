import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  /** Environment for loadConfig: DATABASE_URL or SQLITE_PATH. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

export const testDbKind = (): 'sqlite' | 'postgres' => (process.env.STRATUM_TEST_DB === 'postgres' ? 'postgres' : 'sqlite');

/** A fresh, empty database of the suite's kind: a new SQLite file, or a new PostgreSQL database. */
export async function freshDatabase(): Promise<TestDatabase> {
  if (testDbKind() === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'stratum-test-'));
    return { kind: 'sqlite', env: { SQLITE_PATH: join(dir, 'test.sqlite') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is required for the postgres project');
  const name = `stratum_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    env: { DATABASE_URL: url.toString() },
    async drop() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
