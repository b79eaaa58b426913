import { scratchDatabase, type ScratchDatabase } from '../../scripts/scratch-database';

export type TestDatabase = ScratchDatabase;

export const testDbKind = (): 'sqlite' | 'postgres' => (process.env.STRATUM_TEST_DB === 'postgres' ? 'postgres' : 'sqlite');

/** A fresh, empty database of the suite's kind: a new SQLite file, or a new PostgreSQL database. */
export async function freshDatabase(): Promise<TestDatabase> {
  if (testDbKind() === 'sqlite') return scratchDatabase(undefined, 'stratum-test');
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is required for the postgres project');
  return scratchDatabase(adminUrl, 'stratum-t');
}
