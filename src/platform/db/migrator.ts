import { readdirSync } from 'node:fs';
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
 * Runs `fn` while holding the migration lock. On PostgreSQL that is a session advisory lock on a
 * connection of its own, so two processes starting at once do not both migrate: the second
 * waits, then finds nothing left to do. SQLite serialises writers by itself.
 */
export async function withMigrationLock<T>(db: Database, fn: () => Promise<T>): Promise<T> {
  if (db.dialect !== 'postgres') return fn();
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
