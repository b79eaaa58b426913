/**
 * The run's database and the data every scenario starts from: a fresh database, one tenant, a
 * token of its admin client, then each selected scenario's own setup through the app's own API.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import pino from 'pino';
import { scratchDatabase, type ScratchDatabase } from '../scratch-database';
import { accessToken } from './http-client';
import type { BenchContext, Scenario } from './scenario';

export interface BenchDatabase extends ScratchDatabase {
  label: string;
}

/** A SQLite file in a temp directory, or with DATABASE_URL a new database on that PostgreSQL server; `drop` removes it. */
export async function freshDatabase(): Promise<BenchDatabase> {
  const adminUrl = process.env.DATABASE_URL;
  const db = await scratchDatabase(adminUrl, 'stratum-bench');
  if (!adminUrl) {
    const sqlite3 = require('sqlite3') as typeof import('sqlite3');
    return { ...db, kind: 'sqlite', label: `SQLite ${sqlite3.VERSION} (temp file, WAL)` };
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  await admin.end();
  const url = new URL(db.env.DATABASE_URL);
  return { ...db, kind: 'postgres', label: `PostgreSQL ${version} (${url.host}, database ${url.pathname.slice(1)})` };
}

/** Env for a child or the seeding stack: production settings on the bench database, nothing inherited about the database. */
export function stackEnv(db: BenchDatabase, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'SQLITE_PATH', 'STRATUM_SECRET', 'VALIDATE_RESPONSES', 'NODE_OPTIONS']) delete env[name];
  // One client makes every request of the run: a quota so large it is never reached keeps the
  // rate limiter counting (its cost is measured) without refusing anything.
  return { ...env, NODE_ENV: 'production', LOG_LEVEL: 'info', BOOTSTRAP_DEMO_TENANT: 'false', HOST: '127.0.0.1', PORT: '0', RATE_LIMIT_REQUESTS: '1000000000', ...db.env, ...extra };
}

export interface Seeded {
  tenantId: string;
  token: string;
  /** Each scenario's setup result, by scenario name. */
  data: Record<string, unknown>;
  /** What the setups made, for the "seeded tenant … with …" line. */
  notes: string[];
}

/** The tenant, its token, and each scenario's setup, on a full stack in this process (stopped after). */
export async function seed(db: BenchDatabase, scenarios: Scenario<unknown>[]): Promise<Seeded> {
  const { buildStratum } = require('../../src/compose') as typeof import('../../src/compose');
  const { loadConfig } = require('../../src/platform/config/config') as typeof import('../../src/platform/config/config');
  // Long-lived token: the run must not outlast it.
  const config = loadConfig(stackEnv(db, { TOKEN_TTL_SECONDS: '86400' }));
  const stratum = await buildStratum(config, pino({ level: 'warn' }, pino.destination(2)));
  const server = createServer(stratum.app.callback());
  try {
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The only use of the stack past its HTTP app: the API has no operation that creates a tenant.
    const { tenant, adminClient, secret } = await stratum.platform.tenants.create('bench');
    const token = await accessToken(base, adminClient.id, secret);
    const shared = new Map<string, Promise<unknown>>();
    const notes: string[] = [];
    const ctx: BenchContext = {
      tenantId: tenant.id,
      adminClientId: adminClient.id,
      token,
      api: (method, path, body) =>
        fetch(base + path, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      sql: (statement, params) => stratum.kernel.db.execute(statement, params),
      once: <T>(key: string, make: () => Promise<T>) => {
        if (!shared.has(key)) shared.set(key, make());
        return shared.get(key) as Promise<T>;
      },
      seeded: (what) => void notes.push(what),
      seedModules: (options) =>
        stratum.seed(tenant.id, {
          ...options,
          progress: (label, total) => {
            const started = Date.now();
            return { tick: () => undefined, done: () => console.error(`seeded ${total} ${label} in ${((Date.now() - started) / 1000).toFixed(1)} s`) };
          },
        }),
    };
    const data: Record<string, unknown> = {};
    for (const scenario of scenarios) data[scenario.name] = await scenario.setup?.(ctx);
    return { tenantId: tenant.id, token, data, notes };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
    await stratum.close();
  }
}
