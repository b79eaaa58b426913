import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import { ConflictError } from '../../../platform/errors';
import { checkPeriod, type PeriodState, type PeriodStatus } from '../domain/period';
import { PeriodRepository } from '../infrastructure/period.repository';

export interface PeriodDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
}

/** The ledger's monthly periods: read, lock (no post dated in it from then on), unlock. */
export function periodUseCases({ db, runInUnitOfWork }: PeriodDeps) {
  /** Moves the period to `to`; a period already there is a 409 (the transition is not allowed). */
  function move(tenantId: string, period: string, to: PeriodStatus, claim?: IdempotencyClaim): Promise<PeriodState> {
    checkPeriod(period);
    return runInUnitOfWork(
      tenantId,
      async (uow) => {
        const repo = PeriodRepository.in(uow);
        const moved = to === 'locked' ? await repo.lockPeriod(period) : await repo.unlockPeriod(period);
        if (!moved) throw new ConflictError(`The period ${period} is ${to} already.`, { period });
        return moved;
      },
      claim,
    );
  }

  return {
    lock: (tenantId: string, period: string, claim?: IdempotencyClaim) => move(tenantId, period, 'locked', claim),
    unlock: (tenantId: string, period: string, claim?: IdempotencyClaim) => move(tenantId, period, 'open', claim),

    get(tenantId: string, period: string): Promise<PeriodState> {
      return new PeriodRepository(db, tenantId).state(checkPeriod(period));
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<PeriodState>> {
      return new PeriodRepository(db, tenantId).list(request);
    },
  };
}

export type PeriodUseCases = ReturnType<typeof periodUseCases>;
