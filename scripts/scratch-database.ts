import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface ScratchDatabase {
  kind: 'sqlite' | 'postgres';
  /** Environment for loadConfig: DATABASE_URL or SQLITE_PATH. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * A new, empty database for a test suite or a benchmark run: a PostgreSQL database created
 * through `adminUrl` when given, else an SQLite file in a new temp folder. `drop` removes it.
 */
export async function scratchDatabase(adminUrl: string | undefined, prefix: string): Promise<ScratchDatabase> {
  if (!adminUrl) {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    return { kind: 'sqlite', env: { SQLITE_PATH: join(dir, `${prefix}.sqlite`) }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `${prefix.replace(/-/g, '_')}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
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
