import { closeSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
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
 * advisory lock on a connection of its own; on SQLite, a lock file next to the database that names
 * the holding process (SQLite's own locks last one transaction, and a migration run is several).
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

/** A lock file whose process cannot be read after this long was left half-written. */
const UNREADABLE_LOCK_MS = 60_000;

/** The lock file names the process holding it; a file whose process has died is taken over. */
async function withLockFile<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const mine = `${process.pid}\n`;
  let waiting = false;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeFileSync(fd, mine);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (lockIsStale(path)) {
        try {
          unlinkSync(path);
        } catch {
          // another waiter took it over first
        }
        continue;
      }
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
    try {
      if (readFileSync(path, 'utf8') === mine) unlinkSync(path);
    } catch {
      // already gone: nothing to release
    }
  }
}

function lockIsStale(path: string): boolean {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    if (!Number.isInteger(pid) || pid <= 0) return Date.now() - statSync(path).mtimeMs > UNREADABLE_LOCK_MS;
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    return false; // released in between
  }
}
