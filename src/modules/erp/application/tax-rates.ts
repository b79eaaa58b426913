import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, type ExpectedVersion, InvalidInputError, NotFoundError } from '../../../platform/errors';
import { TaxRate, type TaxRateInput, TaxRateNameTakenError, type TaxRatePatch, type TaxRateState } from '../domain/tax-rate';
import { TaxRateRepository } from '../infrastructure/tax-rate.repository';

export interface TaxRateDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
}

/**
 * The tax rate `pointer` names, for a record that takes it as its default: it must be one of the
 * tenant's and active (else a 422 naming the field). Share-locked until the commit on
 * PostgreSQL, so a deactivation racing with it waits.
 */
export async function activeTaxRate(uow: UnitOfWork, id: string, pointer = '/tax_rate_id'): Promise<TaxRateState> {
  const rate = await TaxRateRepository.in(uow).stateForShare(id);
  if (!rate) throw new InvalidInputError([{ pointer, detail: `is not a tax rate of this tenant (there is no tax rate ${id})` }]);
  if (!rate.isActive) throw new InvalidInputError([{ pointer, detail: `is deactivated (tax rate ${id})` }]);
  return rate;
}

/** Tax rates: create, read, list, change (`is_active: false` deactivates; never deleted). */
export function taxRateUseCases({ db, runInUnitOfWork }: TaxRateDeps) {
  /** A name the unique index refused becomes the 409 naming the tax rate that has it, read after the rollback. */
  async function guarded<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof TaxRateNameTakenError)) throw err;
      throw new TaxRateNameTakenError(err.taxRateName, await new TaxRateRepository(db, tenantId).idByName(err.taxRateName));
    }
  }

  const notFound = (id: string) => new NotFoundError(`There is no tax rate ${id}.`);

  return {
    create(tenantId: string, input: TaxRateInput, claim?: IdempotencyClaim): Promise<TaxRateState> {
      const taxRate = TaxRate.create(tenantId, input);
      return guarded(tenantId, () =>
        runInUnitOfWork(
          tenantId,
          async (uow) => {
            await TaxRateRepository.in(uow).add(taxRate);
            return taxRate.snapshot;
          },
          claim,
        ),
      );
    },

    async get(tenantId: string, id: string): Promise<TaxRateState> {
      const state = await new TaxRateRepository(db, tenantId).state(id);
      if (!state) throw notFound(id);
      return state;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<TaxRateState>> {
      return new TaxRateRepository(db, tenantId).list(request);
    },

    update(tenantId: string, id: string, expected: ExpectedVersion, patch: TaxRatePatch): Promise<TaxRateState> {
      return guarded(tenantId, () =>
        runInUnitOfWork(tenantId, async (uow) => {
          const repo = TaxRateRepository.in(uow);
          const taxRate = await repo.get(id);
          if (!taxRate) throw notFound(id);
          checkExpectedVersion(`tax rate ${id}`, taxRate.version, expected);
          const loaded = taxRate.version;
          if (!taxRate.change(patch).changed) return taxRate.snapshot;
          await repo.save(taxRate, loaded);
          return taxRate.snapshot;
        }),
      );
    },
  };
}

export type TaxRateUseCases = ReturnType<typeof taxRateUseCases>;
