import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { QueryTypes, Transaction } from 'sequelize';
import { Sequelize, ModelCtor } from 'sequelize-typescript';

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
  /** Runs `fn` in one transaction; on SQLite, transactions of this process take turns. */
  transaction<T>(fn: (t: Transaction) => Promise<T>): Promise<T>;
  select<T>(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<T[]>;
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

export function createDatabase(options: DatabaseOptions): Database {
  let sequelize: Sequelize;
  let dialect: Dialect;
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
    if (storage !== ':memory:') mkdirSync(dirname(storage), { recursive: true });
    sequelize = new Sequelize({
      dialect: 'sqlite',
      storage,
      logging: false,
      // A writer takes the lock when it begins, not half-way through: no deadlocked upgrades.
      transactionType: Transaction.TYPES.IMMEDIATE,
      models: options.models ?? [],
    });
    // Sequelize opens one SQLite connection per transaction and offers no hook for it:
    // give every new connection a busy timeout, so a second process waits instead of failing.
    const cm = sequelize.connectionManager as unknown as { getConnection: (o: unknown) => Promise<SqliteConnection> };
    const getConnection = cm.getConnection.bind(cm);
    const configured = new WeakSet<object>();
    cm.getConnection = async (o: unknown) => {
      const connection = await getConnection(o);
      if (!configured.has(connection)) {
        connection.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
        configured.add(connection);
      }
      return connection;
    };
  }

  const mutex = dialect === 'sqlite' ? new Mutex() : undefined;
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
    async transaction(fn) {
      await ensureWal();
      const run = () => sequelize.transaction((t) => fn(t));
      return mutex ? mutex.run(run) : run();
    },
    async select<T>(sql: string, replacements: Record<string, unknown>, transaction?: Transaction) {
      return sequelize.query(sql, { type: QueryTypes.SELECT, replacements, transaction }) as Promise<T[]>;
    },
    async ping() {
      await ensureWal();
      await sequelize.query('SELECT 1', { type: QueryTypes.SELECT });
    },
    async close() {
      await sequelize.close();
    },
  };
}

interface SqliteConnection {
  configure(option: 'busyTimeout', ms: number): void;
}
