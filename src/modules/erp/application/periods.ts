import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, ConflictError, type ExpectedVersion } from '../../../platform/errors';
import { checkPeriod, type PeriodState, type PeriodStatus } from '../domain/period';
import { PeriodRepository } from '../infrastructure/period.repository';

export interface PeriodDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
}

/** The ledger's monthly periods: read, lock (no post dated in it from then on), unlock. */
export function periodUseCases({ db, runInUnitOfWork }: PeriodDeps) {
  /**
   * Moves the period to `to`: a period already there is a 409 (the transition is not allowed),
   * an If-Match naming another version a 412. A racing lock or unlock that got there first
   * leaves the conditional write nothing to change: 409.
   */
  function move(tenantId: string, period: string, to: PeriodStatus, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<PeriodState> {
    checkPeriod(period);
    return runInUnitOfWork(
      tenantId,
      async (uow) => {
        const repo = PeriodRepository.in(uow);
        const current = await repo.lockedState(period);
        if (current.status === to) throw new ConflictError(`The period ${period} is ${to} already.`, { period });
        checkExpectedVersion(`period ${period}`, current.version, expected);
        const moved = to === 'locked' ? await repo.lockPeriod(period) : await repo.unlockPeriod(period);
        if (!moved) throw new ConflictError(`The period ${period} is ${to} already.`, { period });
        return moved;
      },
      claim,
    );
  }

  return {
    lock: (tenantId: string, period: string, expected: ExpectedVersion, claim?: IdempotencyClaim) => move(tenantId, period, 'locked', expected, claim),
    unlock: (tenantId: string, period: string, expected: ExpectedVersion, claim?: IdempotencyClaim) => move(tenantId, period, 'open', expected, claim),

    get(tenantId: string, period: string): Promise<PeriodState> {
      return new PeriodRepository(db, tenantId).state(checkPeriod(period));
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<PeriodState>> {
      return new PeriodRepository(db, tenantId).list(request);
    },
  };
}

export type PeriodUseCases = ReturnType<typeof periodUseCases>;
