import { closeSync, openSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { QueryInterface } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
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
 * advisory lock on a connection of its own; on SQLite, a lock file next to the database (SQLite's
 * own locks last one transaction, and a migration run is several).
 */
export async function withMigrationLock<T>(db: Database, fn: () => Promise<T>): Promise<T> {
  if (db.dialect !== 'postgres') return db.sqliteFile ? withLockFile(`${db.sqliteFile}.migrate-lock`, fn) : fn();
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

/** A lock file older than this was left by a process that died while migrating. */
const STALE_LOCK_MS = 10 * 60_000;

async function withLockFile<T>(path: string, fn: () => Promise<T>): Promise<T> {
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(path).mtimeMs > STALE_LOCK_MS) unlinkSync(path);
      } catch {
        // released in between: try again
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    closeSync(fd);
    unlinkSync(path);
  }
}
