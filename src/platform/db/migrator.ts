import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { QueryInterface } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import sqlite3 from 'sqlite3';
import { SequelizeStorage, Umzug } from 'umzug';
import type { Database } from './database';

export interface MigrationContext {
  queryInterface: QueryInterface;
  sequelize: Sequelize;
}

export const MIGRATIONS_DIR = resolve(__dirname, '../../../migrations');
/** Any constant shared by every process: the key of the PostgreSQL advisory lock. */
const MIGRATION_LOCK_KEY = 72_417_301;

/**
 * Umzug over the migrations/ folder, in file-name (timestamp) order. Names are stored without
 * the extension, so the same migration run from .ts (tsx, jest) or compiled .js is one.
 */
export function createMigrator(db: Database, dir = MIGRATIONS_DIR, log = false): Umzug<MigrationContext> {
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  return new Umzug<MigrationContext>({
    migrations: files.map((file) => {
      const path = join(dir, file);
      const name = file.replace(/\.(ts|js)$/, '');
      return {
        name,
        path,
        up: async ({ context }) => (await import(path)).up(context),
        down: async ({ context }) => (await import(path)).down(context),
      };
    }),
    context: { queryInterface: db.sequelize.getQueryInterface(), sequelize: db.sequelize },
    storage: new SequelizeStorage({ sequelize: db.sequelize }),
    logger: log ? console : undefined,
  });
}

/**
 * Runs `fn` while holding the migration lock, so two processes starting at once do not both
 * migrate: the second waits, then finds nothing left to do. On PostgreSQL that is a session
 * advisory lock on a connection of its own; on SQLite, an exclusive transaction on a lock database
 * next to the data (a migration run is several transactions of the data's own database).
 */
export async function withMigrationLock<T>(db: Database, fn: () => Promise<T>): Promise<T> {
  if (db.dialect !== 'postgres') return db.sqliteFile ? withSqliteLock(sqliteMigrationLockPath(db.sqliteFile), fn) : fn();
  const cm = db.sequelize.connectionManager as unknown as {
    getConnection(o: { type: string }): Promise<PgConnection>;
    releaseConnection(c: PgConnection): Promise<void>;
  };
  const connection = await cm.getConnection({ type: 'write' });
  try {
    await connection.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await fn();
    } finally {
      await connection.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await cm.releaseConnection(connection);
  }
}

export async function migrateUp(db: Database): Promise<string[]> {
  return withMigrationLock(db, async () => (await createMigrator(db).up()).map((m) => m.name));
}

interface PgConnection {
  query(sql: string, values: unknown[]): Promise<unknown>;
}

/** Where the SQLite migration lock lives: a database of its own next to the data. */
export function sqliteMigrationLockPath(sqliteFile: string): string {
  return `${sqliteFile}.migration-lock`;
}

/**
 * The SQLite migration lock: an exclusive transaction on a lock database of its own, held for the
 * whole run. SQLite's locks are the operating system's file locks, which end with the process:
 * a process that dies while migrating frees the lock at once, and no one has to guess whether
 * a lock is stale (guessing let two waiters each remove the other's fresh lock file).
 */
async function withSqliteLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const lock = await new Promise<sqlite3.Database>((ok, fail) => {
    const db: sqlite3.Database = new sqlite3.Database(path, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE, (err) => (err ? fail(err) : ok(db)));
  });
  const exec = (sql: string) => new Promise<void>((ok, fail) => lock.exec(sql, (err) => (err ? fail(err) : ok())));
  try {
    lock.configure('busyTimeout', 0);
    for (let waiting = false; ; ) {
      try {
        await exec('BEGIN EXCLUSIVE');
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
        if (!waiting) {
          waiting = true;
          console.error(`stratum: waiting for another process to finish migrating (${path})`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    try {
      return await fn();
    } finally {
      await exec('ROLLBACK');
    }
  } finally {
    await new Promise<void>((ok) => lock.close(() => ok()));
  }
}
