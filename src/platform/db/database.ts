import 'reflect-metadata';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConnectionAcquireTimeoutError, QueryTypes, Transaction } from 'sequelize';
import { Sequelize, ModelCtor } from 'sequelize-typescript';
import { type RowShape, ShapedQuery } from './pg-row-shape';
import { isStalePreparedStatement } from './unavailable';
import type { Query as PgQuery } from 'pg';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseOptions {
  databaseUrl?: string;
  sqlitePath: string;
  poolMax: number;
  models?: ModelCtor[];
}

export interface Database {
  sequelize: Sequelize;
  dialect: Dialect;
  /** The SQLite file (absolute), or undefined on PostgreSQL and for `:memory:`. */
  sqliteFile?: string;
  /** Runs `fn` in one transaction; on SQLite, transactions of this process take turns. */
  transaction<T>(fn: (t: Transaction) => Promise<T>): Promise<T>;
  /**
   * A read on the hot path, straight on the driver: a named prepared statement on PostgreSQL,
   * the shared connection on SQLite. `:name` placeholders; runs on the transaction's connection
   * when given one. Returns plain rows (no model instances).
   */
  select<T>(sql: string, params: Record<string, unknown>, transaction?: Transaction): Promise<T[]>;
  /** `select` for at most one row (by key): the first row, or undefined. */
  selectOne<T>(sql: string, params: Record<string, unknown>, transaction?: Transaction): Promise<T | undefined>;
  /**
   * One statement that changes rows, outside any unit of work, committed on its own (the outbox's
   * bookkeeping): on PostgreSQL a pooled connection, on SQLite the writer connection in its turn
   * with this process's transactions. `:name` placeholders; what `RETURNING` gives back.
   */
  execute<T>(sql: string, params: Record<string, unknown>): Promise<T[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** SQLite allows one writer: queue this process's transactions instead of meeting SQLITE_BUSY. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** `mkdir -p`, one level at a time: Node's recursive mkdirSync never returns under /proc. */
function ensureDirectory(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) ensureDirectory(parent);
  try {
    mkdirSync(dir);
  } catch (err) {
    // Another process starting at the same time made it first.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

export function createDatabase(options: DatabaseOptions): Database {
  let sequelize: Sequelize;
  let dialect: Dialect;
  let sqliteFile: string | undefined;
  if (options.databaseUrl) {
    dialect = 'postgres';
    sequelize = new Sequelize(options.databaseUrl, {
      dialect: 'postgres',
      logging: false,
      pool: { max: options.poolMax, min: 0, idle: 10_000, acquire: 30_000 },
      models: options.models ?? [],
    });
  } else {
    dialect = 'sqlite';
    const storage = options.sqlitePath === ':memory:' ? ':memory:' : resolve(options.sqlitePath);
    if (storage !== ':memory:') {
      sqliteFile = storage;
      ensureDirectory(dirname(storage));
    }
    sequelize = new Sequelize({
      dialect: 'sqlite',
      storage,
      logging: false,
      // A writer takes the lock when it begins, not half-way through: no deadlocked upgrades.
      transactionType: Transaction.TYPES.IMMEDIATE,
      // Sequelize retries SQLITE_BUSY five times by default, on top of the busy timeout each
      // connection already waits: 25 s before a request hears that the database is busy. One
      // wait of the busy timeout, then a 503.
      retry: { max: 1 },
      models: options.models ?? [],
    });
    // Sequelize opens one SQLite connection per transaction and offers no hook for it:
    // give every new connection a busy timeout, so a second process waits instead of failing,
    // and WAL's `synchronous=NORMAL` (a per-connection setting: without it every transaction's
    // commit waited for an fsync, while the shared connection did not).
    const cm = sequelize.connectionManager as unknown as { getConnection: (o: unknown) => Promise<SqliteConnection> };
    const getConnection = cm.getConnection.bind(cm);
    const configured = new WeakSet<object>();
    cm.getConnection = async (o: unknown) => {
      const connection = await getConnection(o);
      if (!configured.has(connection)) {
        connection.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
        configured.add(connection);
        if (options.sqlitePath !== ':memory:') {
          await new Promise<void>((resolve, reject) => connection.run('PRAGMA synchronous=NORMAL', (err: Error | null) => (err ? reject(err) : resolve())));
        }
      }
      return connection;
    };
  }

  const mutex = dialect === 'sqlite' ? new Mutex() : undefined;
  const sqlite = dialect === 'sqlite' ? sqliteDriver(sequelize) : undefined;
  const pg = dialect === 'postgres' ? postgresDriver(sequelize) : undefined;
  let walEnabled = false;

  async function ensureWal(): Promise<void> {
    if (dialect !== 'sqlite' || walEnabled || options.sqlitePath === ':memory:') return;
    walEnabled = true;
    // WAL is a property of the database file: readers no longer block the writer.
    await sequelize.query('PRAGMA journal_mode=WAL');
    await sequelize.query('PRAGMA synchronous=NORMAL');
  }

  return {
    sequelize,
    dialect,
    sqliteFile,
    async transaction(fn) {
      if (pg) return pg.transaction(fn);
      await ensureWal();
      return mutex!.run(() => sqlite!.transaction(fn));
    },
    select: sqlite ? sqlite.select : pg!.select,
    selectOne: sqlite ? sqlite.selectOne : pg!.selectOne,
    async execute<T>(sql: string, params: Record<string, unknown>): Promise<T[]> {
      if (pg) return pg.select<T>(sql, params);
      await ensureWal();
      return mutex!.run(() => sqlite!.write<T>(sql, params));
    },
    async ping() {
      await ensureWal();
      await sequelize.query('SELECT 1', { type: QueryTypes.SELECT });
    },
    async close() {
      await sqlite?.forget();
      await sequelize.close();
    },
  };
}

/**
 * A Sequelize transaction object for a transaction the driver began: repositories pass it to
 * model calls and to `select`, and Sequelize runs their statements on its connection. Its
 * `commit`/`rollback` are never called (the driver ends the transaction): Sequelize's own
 * BEGIN/COMMIT go through its query pipeline (hooks, logging options, a second connection
 * lookup), about a fifth of a short write's CPU time.
 */
function driverTransaction<C extends object>(sequelize: Sequelize, connection: C): Transaction {
  const transaction = new Transaction(sequelize, {});
  Object.assign(transaction, { connection });
  return transaction;
}

/** Marks a driver transaction ended (Sequelize refuses further statements on it) and runs its afterCommit hooks. */
async function finish(transaction: Transaction, state: 'commit' | 'rollback'): Promise<void> {
  const t = transaction as unknown as { finished?: string; _afterCommitHooks: Array<(t: Transaction) => unknown> };
  t.finished = state;
  if (state === 'commit') for (const hook of t._afterCommitHooks) await hook(transaction);
}

interface SqliteConnection {
  configure(option: 'busyTimeout', ms: number): void;
  run(sql: string, cb: (err: Error | null) => void): void;
  close(cb: (err: Error | null) => void): void;
  all(sql: string, params: unknown[], cb: (err: Error | null, rows: unknown[]) => void): void;
  get(sql: string, params: unknown[], cb: (err: Error | null, row: unknown) => void): void;
  prepare(sql: string): SqliteStatement;
}

interface SqliteStatement {
  all(params: unknown[], cb: (err: Error | null, rows: unknown[]) => void): void;
  finalize(cb: () => void): void;
}

interface PgConnection {
  query(query: PgQuery): void;
}

interface ConnectionManager<C> {
  getConnection(options: { type?: 'read' | 'write'; uuid?: string }): Promise<C>;
  releaseConnection(connection: C): Promise<void> | void;
  destroyConnection(connection: C): Promise<void>;
}

/** `:name` placeholders (not `::casts`), in order of first use. */
const PLACEHOLDER = /(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)/g;

/** `:name` → `$1` / `?1` (numbered, so a name used twice binds once) and the names in that order. */
function numbered(sql: string, mark: '$' | '?'): { text: string; keys: string[] } {
  const index = new Map<string, number>();
  const text = sql.replace(PLACEHOLDER, (_m, key: string) => {
    let i = index.get(key);
    if (i === undefined) index.set(key, (i = index.size + 1));
    return `${mark}${i}`;
  });
  return { text, keys: [...index.keys()] };
}

function postgresDriver(sequelize: Sequelize) {
  const cm = sequelize.connectionManager as unknown as ConnectionManager<PgConnection>;
  const statements = new Map<string, { name: string; text: string; keys: string[] }>();
  let names = 0;
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      const { text, keys } = numbered(sql, '$');
      // pg prepares a named statement once per connection and reuses it afterwards.
      statement = { name: `stratum_${names++}`, text, keys };
      statements.set(sql, statement);
    }
    return statement;
  };
  /**
   * After PostgreSQL refused `name` as stale (a column it answers changed type under this
   * process, isStalePreparedStatement), the statement gets a new name: every connection prepares
   * it afresh on its next use, instead of failing on it until the connection is replaced. The old
   * one stays prepared, unused, until its connection closes.
   */
  const renameStale = (sql: string, name: string) => {
    const current = statements.get(sql);
    if (current?.name === name) statements.set(sql, { ...current, name: `stratum_${names++}` });
  };
  // pg's callback form: its promise form (pg 8.23) makes the young generation survive under load,
  // about ten times the GC time (see docs/benchmarks.md, "pg's promise API and the GC").
  // `release` (a pooled connection) runs first, before anything else runs on the answer.
  // The query goes to pg as a Query of its own making (pg's Submittable): a plain config object
  // is first copied property descriptor by property descriptor (pg's cloneQueryConfig), about
  // 2.5 µs a statement, the largest single piece of pg's own time in a 3-line confirm.
  const shapes = new Map<string, RowShape>();
  /** Sends `text` on `connection`; `done` hears the rows once, after `release` (a pooled connection) has run. */
  const submit = (connection: PgConnection, name: string | undefined, text: string, values: unknown[] | undefined, release: (() => void) | undefined, done: (err: Error | undefined, rows?: unknown[]) => void) => {
    try {
      const submitted = new ShapedQuery(shapes, text, values, (err: Error | undefined, result: { rows: unknown[] }) => {
        release?.();
        if (err) done(err);
        else done(undefined, result.rows);
      });
      if (name) (submitted as PgQuery & { name?: string }).name = name;
      connection.query(submitted);
    } catch (err) {
      release?.();
      done(err as Error);
    }
  };
  const run = <T>(connection: PgConnection, query: { name?: string; text: string; values?: unknown[] }) =>
    new Promise<T[]>((resolve, reject) => submit(connection, query.name, query.text, query.values, undefined, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
  const pooled = pooledConnection(sequelize, cm);
  /**
   * A read is one promise, resolved from pg's callback: no promise returned from a `then` (two
   * more turns of the microtask queue), no `then` to take the first row (one more).
   */
  const read = <R>(sql: string, params: Record<string, unknown>, transaction: Transaction | undefined, one: boolean, again = false): Promise<R> => {
    const { name, text, keys } = prepare(sql);
    const values = keys.map((k) => params[k]);
    const own = (transaction as unknown as { connection?: PgConnection } | undefined)?.connection;
    return new Promise<R>((resolve, reject) => {
      const done = (err: Error | undefined, rows?: unknown[]) => {
        if (!err) return resolve((one ? rows![0] : rows) as R);
        if (!isStalePreparedStatement(err)) return reject(err);
        renameStale(sql, name);
        // Outside a transaction, once more under the new name; inside one, the transaction is
        // aborted: the error goes up, and the unit of work runs the transaction again.
        if (own || again) return reject(err);
        read<R>(sql, params, undefined, one, true).then(resolve, reject);
      };
      if (own) return submit(own, name, text, values, undefined, done);
      const idle = pooled.idle();
      if (idle) return submit(idle, name, text, values, () => pooled.release(idle), done);
      pooled.acquire().then((connection) => submit(connection, name, text, values, () => pooled.release(connection), done), (err: unknown) => reject(acquireError(err)));
    });
  };
  const select = <T>(sql: string, params: Record<string, unknown>, transaction?: Transaction): Promise<T[]> => read<T[]>(sql, params, transaction, false);
  const selectOne = <T>(sql: string, params: Record<string, unknown>, transaction?: Transaction): Promise<T | undefined> => read<T | undefined>(sql, params, transaction, true);
  const BEGIN = { text: 'BEGIN' };
  const COMMIT = { text: 'COMMIT' };
  const ROLLBACK = { text: 'ROLLBACK' };
  /**
   * BEGIN and COMMIT (or ROLLBACK) on the driver, around `fn`, on one pooled connection. A
   * connection whose ROLLBACK fails is in an unknown state and is destroyed, not pooled again.
   */
  const transaction = async <T>(fn: (t: Transaction) => Promise<T>): Promise<T> => {
    const connection =
      pooled.idle() ??
      (await pooled.acquire().catch((err: unknown) => {
        throw acquireError(err);
      }));
    const t = driverTransaction(sequelize, connection);
    let value: T;
    try {
      await run(connection, BEGIN);
      value = await fn(t);
      await run(connection, COMMIT);
    } catch (err) {
      // After a failed COMMIT the server has ended the transaction; ROLLBACK only warns then.
      try {
        await run(connection, ROLLBACK);
        pooled.release(connection);
      } catch {
        await cm.destroyConnection(connection).catch(() => undefined);
      }
      await finish(t, 'rollback');
      throw err;
    }
    pooled.release(connection);
    await finish(t, 'commit');
    return value;
  };
  return { select, selectOne, transaction };
}

/** The parts of sequelize-pool's Pool (7.x) that `pooledConnection` uses. */
interface SequelizePool<C> {
  acquire(): Promise<C>;
  release(connection: C): void;
  _draining: boolean;
  _pendingAcquires: unknown[];
  _availableObjects: { resource: C; useCount: number }[];
  _inUseObjects: { resource: C; useCount: number }[];
  _factory: { validate(connection: C): boolean };
}

/** sequelize-pool's own fields, as `idle` needs them; checked once, so another release of it falls back to `acquire`. */
function isKnownPool<C>(pool: unknown): pool is SequelizePool<C> {
  const p = pool as Partial<SequelizePool<C>> | undefined;
  return (
    typeof p?.acquire === 'function' &&
    typeof p.release === 'function' &&
    typeof p._draining === 'boolean' &&
    Array.isArray(p._pendingAcquires) &&
    Array.isArray(p._availableObjects) &&
    Array.isArray(p._inUseObjects) &&
    typeof p._factory?.validate === 'function'
  );
}

/**
 * Connections from Sequelize's pool for the driver's reads outside a transaction and for its
 * transactions.
 *
 * `acquire`: Sequelize's `getConnection` runs two hook passes and a version check around the
 * pool's `acquire`, each an `await`; once the server version is known and no pool hook is
 * registered they do nothing, so the pool is asked directly. A refusal is mapped by whoever waits
 * on it (`acquireError`).
 *
 * `idle`: an idle connection taken synchronously, as the pool's own dispatch would take it (the
 * newest idle one, validated, moved to the in-use list), or undefined when none is idle, someone
 * is already waiting, or the pool is draining. The pool's `acquire` wraps even an idle connection
 * in a promise, a 30-second timer set and cleared, and a log line built for nobody: about 2 µs
 * and a turn of the microtask queue per read. `release` is the pool's own, without Sequelize's
 * debug call. With a pool not of the known shape (another sequelize-pool release), `idle` always
 * answers undefined and every read acquires.
 */
function pooledConnection<C>(sequelize: Sequelize, cm: ConnectionManager<C>): { idle(): C | undefined; acquire(): Promise<C>; release(connection: C): void } {
  const viaSequelize = () => cm.getConnection({ type: 'read' });
  const raw = (cm as unknown as { pool?: unknown }).pool;
  const pool = isKnownPool<C>(raw) ? raw : undefined;
  const hooks = sequelize as unknown as { hasHook(name: string): boolean };
  const direct = () =>
    pool !== undefined &&
    !pool._draining &&
    (sequelize.options as { databaseVersion?: unknown }).databaseVersion !== 0 &&
    !hooks.hasHook('beforePoolAcquire') &&
    !hooks.hasHook('afterPoolAcquire');
  return {
    idle() {
      if (!pool || pool._pendingAcquires.length || !pool._availableObjects.length || !direct()) return undefined;
      const available = pool._availableObjects;
      const newest = available[available.length - 1];
      // One that fails validation (closed under us) is left to the pool's dispatch, which destroys it.
      if (!pool._factory.validate(newest.resource)) return undefined;
      available.pop();
      pool._inUseObjects.push({ resource: newest.resource, useCount: newest.useCount });
      return newest.resource;
    },
    // Once closed (shutdown), Sequelize's own refusal is the one the 503 mapping knows.
    acquire: () => (direct() ? pool!.acquire() : viaSequelize()),
    release: pool ? (connection) => pool.release(connection) : (connection) => void cm.releaseConnection(connection),
  };
}

/** sequelize-pool's TimeoutError does not set its `name`; Sequelize tells it by class, as here, and answers its own error. */
function acquireError(err: unknown): unknown {
  return (err as Error | undefined)?.constructor?.name === 'TimeoutError' ? new ConnectionAcquireTimeoutError(err as Error) : err;
}

/** Dates as Sequelize stores them in SQLite, so comparisons with stored values hold. */
function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', ' +00:00');
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/**
 * The prepared statements of one SQLite connection: the idle ones by text, and every one open
 * (idle or running), to finalize before the connection closes.
 */
interface PreparedStatements {
  idle: Map<string, SqliteStatement[]>;
  open: Set<SqliteStatement>;
}

/** Idle copies of one statement kept per connection: as many as reads of it usually run at once. */
const IDLE_STATEMENTS_PER_TEXT = 32;

function sqliteDriver(sequelize: Sequelize) {
  const cm = sequelize.connectionManager as unknown as ConnectionManager<SqliteConnection> & { connections: Record<string, SqliteConnection> };
  // `:name` → `?NNN` (numbered, so a name used twice binds once); values bound by position.
  const compiled = new Map<string, { text: string; keys: string[] }>();
  // Sequelize keeps one shared connection for work outside transactions, open until close():
  // take it once instead of through two async layers on every read.
  let shared: SqliteConnection | undefined;
  // This process's transactions take turns (the mutex) on one long-lived writer connection:
  // Sequelize would open (and close) a new connection per transaction, about 2.5 ms each.
  let writer: Promise<SqliteConnection> | undefined;
  // Statements prepared once per connection and run again with new values: the driver's
  // `all(sql)` prepares, wraps and finalizes a statement on every call. `all` steps a statement
  // to its end and resets it, so a cached one never holds a read open (a `get` would).
  // One statement serves one call at a time: node-sqlite3 queues the calls of a Statement and
  // starts the next only when the last one's answer is back on the event loop, so a single
  // shared statement would run every concurrent read of a query one after another, a thread-pool
  // round trip each. Idle copies wait per text; a busy text gets another copy.
  const statements = new Map<SqliteConnection, PreparedStatements>();
  const prepared = <R>(connection: SqliteConnection, method: 'all' | 'get', text: string, bound: unknown[]) => {
    let cache = statements.get(connection);
    if (!cache) statements.set(connection, (cache = { idle: new Map(), open: new Set() }));
    let statement = cache.idle.get(text)?.pop();
    if (!statement) cache.open.add((statement = connection.prepare(text)));
    const mine = statement;
    const owner = cache;
    return new Promise<R>((resolve, reject) =>
      mine.all(bound, (err, rows) => {
        // A statement that failed (its table gone, say) is not used again; nor one whose
        // connection's statements were finalized meanwhile (closing).
        if (err || statements.get(connection) !== owner) {
          owner.open.delete(mine);
          mine.finalize(() => undefined);
        } else {
          let idle = owner.idle.get(text);
          if (!idle) owner.idle.set(text, (idle = []));
          if (idle.length < IDLE_STATEMENTS_PER_TEXT) idle.push(mine);
          else {
            owner.open.delete(mine);
            mine.finalize(() => undefined);
          }
        }
        if (err) reject(err);
        else resolve((method === 'get' ? rows[0] : rows) as R);
      }),
    );
  };
  const compile = (sql: string) => {
    let statement = compiled.get(sql);
    if (!statement) {
      statement = numbered(sql, '?');
      compiled.set(sql, statement);
    }
    return statement;
  };
  const query = <R>(method: 'all' | 'get', sql: string, params: Record<string, unknown>, transaction?: Transaction): Promise<R> => {
    const { text, keys } = compile(sql);
    const bound = keys.map((key) => sqliteValue(params[key]));
    const own = (transaction as unknown as { connection?: SqliteConnection } | undefined)?.connection;
    if (own) return prepared<R>(own, method, text, bound);
    if (shared) return prepared<R>(shared, method, text, bound);
    return cm.getConnection({ type: 'read' }).then((connection) => prepared<R>((shared = connection), method, text, bound));
  };
  const select = <T>(sql: string, params: Record<string, unknown>, transaction?: Transaction) => query<T[]>('all', sql, params, transaction);
  // By key: the first row only.
  const selectOne = <T>(sql: string, params: Record<string, unknown>, transaction?: Transaction) => query<T | undefined>('get', sql, params, transaction);

  const WRITER = 'stratum-writer';
  const openWriter = () => (writer ??= cm.getConnection({ uuid: WRITER }));
  const exec = (connection: SqliteConnection, sql: string) => new Promise<void>((resolve, reject) => connection.run(sql, (err) => (err ? reject(err) : resolve())));
  /** A writer whose ROLLBACK failed is in an unknown state: closed, and the next transaction opens another. */
  const dropWriter = async (connection: SqliteConnection) => {
    writer = undefined;
    if (cm.connections[WRITER] === connection) delete cm.connections[WRITER];
    await finalizeAll(connection);
    await new Promise<void>((resolve) => connection.close(() => resolve()));
  };
  const finalizeAll = async (connection: SqliteConnection) => {
    const open = [...(statements.get(connection)?.open ?? [])];
    statements.delete(connection);
    await Promise.all(open.map((s) => new Promise<void>((resolve) => s.finalize(() => resolve()))));
  };
  /** BEGIN IMMEDIATE (the write lock now, not half-way through) and COMMIT or ROLLBACK on the writer; the caller holds the mutex. */
  const transaction = async <T>(fn: (t: Transaction) => Promise<T>): Promise<T> => {
    const connection = await openWriter();
    const t = driverTransaction(sequelize, connection);
    let value: T;
    try {
      await exec(connection, 'BEGIN IMMEDIATE');
      value = await fn(t);
      await exec(connection, 'COMMIT');
    } catch (err) {
      try {
        await exec(connection, 'ROLLBACK');
      } catch (rollbackError) {
        // BEGIN failed (busy), or SQLite already rolled back: nothing is open. Else: unknown state.
        if (!/no transaction is active/.test(String((rollbackError as Error)?.message))) await dropWriter(connection);
      }
      await finish(t, 'rollback');
      throw err;
    }
    await finish(t, 'commit');
    return value;
  };
  /** One statement on the writer, committed on its own; the caller holds the mutex. */
  const write = async <T>(sql: string, params: Record<string, unknown>): Promise<T[]> => {
    const connection = await openWriter();
    const { text, keys } = compile(sql);
    return prepared<T[]>(connection, 'all', text, keys.map((key) => sqliteValue(params[key])));
  };
  /** Before the connections close: SQLite refuses to close one with statements still prepared. */
  const forget = async () => {
    await Promise.all([...statements.keys()].map(finalizeAll));
    shared = undefined;
    writer = undefined;
  };
  return { select, selectOne, transaction, write, forget };
}
