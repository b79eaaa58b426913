/**
 * The baseline: plain node:http plus the driver, running the same SQL as the full stack and
 * answering the same JSON; no routing library, no validation, no authentication, no logging. It
 * shows what the hardware and the driver allow. Each scenario brings its own handler
 * (Scenario.raw); this file gives them the database and the way to answer.
 */
import Koa from 'koa';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Pool, type PoolClient } from 'pg';

/** A transaction RawDb.transaction opened: statements given it run inside it. */
export interface RawTx {
  /** PostgreSQL: the pool's client the transaction holds. SQLite: none (its one connection). */
  readonly client?: PoolClient;
}

export interface RawStatement<Row> {
  /** Outside a transaction, or inside `tx`. */
  one(params: unknown[], tx?: RawTx): Promise<Row | undefined>;
  all(params: unknown[], tx?: RawTx): Promise<Row[]>;
}

export interface RawDb {
  kind: 'sqlite' | 'postgres';
  /**
   * `sql` is written with PostgreSQL's `$1, $2, …`, numbered in order of first use (SQLite gets `?1, ?2, …`). `name`
   * names the PostgreSQL prepared statement: unique per statement.
   */
  statement<Row>(name: string, sql: string): RawStatement<Row>;
  /**
   * BEGIN, `work`, COMMIT (ROLLBACK when it throws). PostgreSQL: on a client of the pool, held
   * until the end. SQLite: `BEGIN IMMEDIATE` on the one connection, transactions one after the
   * other (a statement run meanwhile outside a transaction would land in the open one: the
   * bench loads one scenario at a time).
   */
  transaction<T>(work: (tx: RawTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type Send = (res: ServerResponse, status: number, body: string, headers?: Record<string, string>) => void;

/** Named prepared statements (parsed once per connection) unless BENCH_BASELINE_PG=unnamed. */
const namedStatements = (env: NodeJS.ProcessEnv) => env.BENCH_BASELINE_PG !== 'unnamed';
const poolMax = (env: NodeJS.ProcessEnv) => Number(env.DB_POOL_MAX || 10);

/** The run header's description of the baseline. */
export function baselineLabel(env: NodeJS.ProcessEnv): string {
  return env.DATABASE_URL
    ? `node:http + pg Pool (max ${poolMax(env)}), ${namedStatements(env) ? 'named prepared statements' : 'unnamed parameterized queries'}`
    : 'node:http + sqlite3, one connection, WAL';
}

export async function openRawDb(env: NodeJS.ProcessEnv): Promise<RawDb> {
  const url = env.DATABASE_URL;
  if (url) {
    const pool = new Pool({ connectionString: url, max: poolMax(env) });
    const named = namedStatements(env);
    return {
      kind: 'postgres',
      statement<Row>(name: string, text: string) {
        const q = (values: unknown[], tx?: RawTx) => (tx?.client ?? pool).query<Row & object>(named ? { name, text, values } : { text, values });
        return { one: async (params, tx) => (await q(params, tx)).rows[0], all: async (params, tx) => (await q(params, tx)).rows };
      },
      async transaction(work) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const result = await work({ client });
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          client.release();
        }
      },
      close: () => pool.end(),
    };
  }
  const sqlite3 = require('sqlite3') as typeof import('sqlite3');
  const db = await new Promise<import('sqlite3').Database>((ok, fail) => {
    const d = new sqlite3.Database(env.SQLITE_PATH!, sqlite3.OPEN_READWRITE, (err) => (err ? fail(err) : ok(d)));
  });
  const run = (sql: string) => new Promise<void>((ok, fail) => db.run(sql, (err) => (err ? fail(err) : ok())));
  db.configure('busyTimeout', 5000);
  await run('PRAGMA journal_mode=WAL');
  await run('PRAGMA synchronous=NORMAL');
  // One writer on the one connection: each transaction waits for the one before it.
  let tail: Promise<unknown> = Promise.resolve();
  return {
    kind: 'sqlite',
    statement<Row>(name: string, text: string) {
      // `$n` → `?n` (SQLite's numbered parameters), so that one may be used twice, as PostgreSQL allows.
      const numbers = [...new Set((text.match(/\$\d+/g) ?? []).map((p) => Number(p.slice(1))))];
      if (numbers.some((n, i) => n !== i + 1)) throw new Error(`statement ${name}: parameters must be numbered $1, $2, … in order of first use`);
      const sql = text.replace(/\$(\d+)/g, '?$1');
      return {
        one: (params) => new Promise<Row | undefined>((ok, fail) => db.get<Row>(sql, params, (err, row) => (err ? fail(err) : ok(row)))),
        all: (params) => new Promise<Row[]>((ok, fail) => db.all<Row>(sql, params, (err, rows) => (err ? fail(err) : ok(rows)))),
      };
    },
    transaction<T>(work: (tx: RawTx) => Promise<T>): Promise<T> {
      const result = tail.then(async () => {
        await run('BEGIN IMMEDIATE');
        try {
          const value = await work({});
          await run('COMMIT');
          return value;
        } catch (err) {
          await run('ROLLBACK').catch(() => undefined);
          throw err;
        }
      });
      tail = result.catch(() => undefined);
      return result;
    },
    close: () => new Promise<void>((ok, fail) => db.close((err) => (err ? fail(err) : ok()))),
  };
}

export const send: Send = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
};

/** What the baseline child gives a scenario's raw handler when it starts. */
export interface RawContext<Data> {
  db: RawDb;
  tenantId: string;
  data: Data;
  send: Send;
}

export interface RawRoute {
  /** Tried in the registry's order; the first route that matches answers. */
  matches(method: string | undefined, path: string): boolean;
  /** `query` is what follows `?` in the request target ('' without one). */
  handle(req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<void>;
}

/** What the parent hands the baseline child (a JSON file, its path in env BENCH_RAW): the scenarios to serve and their setup's data. */
export interface RawPlan {
  tenantId: string;
  scenarios: string[];
  data: Record<string, unknown>;
}

/**
 * The baseline server for the routes `routesFor` builds on the opened database, not yet
 * listening. The caller (child.ts) looks the scenarios up: this file knows none of them.
 */
export async function rawServer(env: NodeJS.ProcessEnv, routesFor: (ctx: { db: RawDb; send: Send }) => RawRoute[]): Promise<{ server: Server; close(): Promise<void> }> {
  const db = await openRawDb(env);
  // BENCH_RAW_KOA=1 (a diagnostic): the same handlers answer through a bare Koa app — one
  // middleware, the answer put on the context and written by Koa's respond, as the full stack's
  // is — to tell what Koa itself costs per request from what the full stack adds on top of it.
  const koa = env.BENCH_RAW_KOA === '1' ? new Koa() : undefined;
  const contexts = new WeakMap<ServerResponse, Koa.Context>();
  const answer: Send = koa
    ? (res, status, body, headers = {}) => {
        const ctx = contexts.get(res)!;
        ctx.status = status;
        for (const name in headers) res.setHeader(name, headers[name] as string);
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        ctx.body = body;
      }
    : send;
  const routes = routesFor({ db, send: answer });
  const handle = (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const qm = url.indexOf('?');
    const path = qm < 0 ? url : url.slice(0, qm);
    for (const route of routes) if (route.matches(req.method, path)) return route.handle(req, res, path, qm < 0 ? '' : url.slice(qm + 1));
    answer(res, 404, '{"status":404}');
    return Promise.resolve();
  };
  if (koa) {
    koa.silent = true;
    koa.use((ctx) => {
      contexts.set(ctx.res, ctx);
      ctx.req.resume();
      return handle(ctx.req, ctx.res);
    });
  }
  const server = createServer(
    koa
      ? koa.callback()
      : (req, res) => {
          req.resume();
          handle(req, res).catch((err) => {
            console.error(err);
            if (!res.headersSent) send(res, 500, '{"status":500}');
          });
        },
  );
  server.keepAliveTimeout = 65_000;
  return { server, close: () => db.close() };
}
