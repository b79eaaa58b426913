import type { Transaction } from 'sequelize';
import type { Database } from '../../src/platform/db/database';
import { isDatabaseUnavailable } from '../../src/platform/db/unavailable';
import { UNIT_OF_WORK_ATTEMPTS, unitOfWorkRunner } from '../../src/platform/db/unit-of-work';

/**
 * A unit of work that PostgreSQL rolled back to break a deadlock or a serialization conflict runs
 * again, a bounded number of times; anything else, and the last failure, go up to the caller
 * (who answers 503 with Retry-After for these two).
 */
const conflict = (code: string) => Object.assign(new Error('could not serialize access'), { name: 'SequelizeDatabaseError', parent: { code } });

function fakeDb(failures: unknown[]): { db: Database; runs: () => number } {
  let runs = 0;
  const db = {
    async transaction<T>(fn: (t: Transaction) => Promise<T>): Promise<T> {
      runs++;
      const value = await fn({} as Transaction);
      const failure = failures.shift();
      if (failure) throw failure;
      return value;
    },
  } as unknown as Database;
  return { db, runs: () => runs };
}

const outbox = { append: async () => undefined };

describe('a unit of work broken by contention', () => {
  it('runs again after a deadlock or a serialization failure, and succeeds', async () => {
    const { db, runs } = fakeDb([conflict('40P01'), conflict('40001')]);
    const run = unitOfWorkRunner(db, outbox, () => undefined);
    await expect(run('ten_1', async () => 'done')).resolves.toBe('done');
    expect(runs()).toBe(3);
  });

  it(`gives up after ${UNIT_OF_WORK_ATTEMPTS} attempts, with an error the caller answers 503`, async () => {
    const { db, runs } = fakeDb(Array.from({ length: 10 }, () => conflict('40P01')));
    const run = unitOfWorkRunner(db, outbox, () => undefined);
    const failed = run('ten_1', async () => 'never');
    await expect(failed).rejects.toThrow('could not serialize');
    expect(runs()).toBe(UNIT_OF_WORK_ATTEMPTS);
    expect(isDatabaseUnavailable(await failed.catch((e) => e))).toBe(true);
  });

  it('runs again after PostgreSQL refused a prepared statement made stale by a migration, and only that feature_not_supported', async () => {
    // As node-postgres raises it on the driver's reads: SQLSTATE and the server routine, whatever the message's language.
    const stale = Object.assign(new Error('cached plan must not change result type'), { code: '0A000', routine: 'RevalidateCachedQuery' });
    const first = fakeDb([stale]);
    await expect(unitOfWorkRunner(first.db, outbox, () => undefined)('ten_1', async () => 'done')).resolves.toBe('done');
    expect(first.runs()).toBe(2);
    const other = fakeDb([Object.assign(new Error('FOR UPDATE is not allowed with UNION'), { code: '0A000', routine: 'transformLockingClause' })]);
    await expect(unitOfWorkRunner(other.db, outbox, () => undefined)('ten_1', async () => 'x')).rejects.toThrow('FOR UPDATE');
    expect(other.runs()).toBe(1);
  });

  it('does not run again for any other error', async () => {
    const { db, runs } = fakeDb([Object.assign(new Error('duplicate key'), { parent: { code: '23505' } })]);
    const run = unitOfWorkRunner(db, outbox, () => undefined);
    await expect(run('ten_1', async () => 'x')).rejects.toThrow('duplicate key');
    expect(runs()).toBe(1);
  });
});
