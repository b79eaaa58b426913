import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, ConflictError, type ExpectedVersion, NotFoundError } from '../../../platform/errors';
import { LedgerAccount, LedgerCodeTakenError, type LedgerAccountInput, type LedgerAccountPatch, type LedgerAccountState, ledgerCodeKey, STANDARD_CHART } from '../domain/ledger-account';
import { JournalEntryRepository } from '../infrastructure/journal-entry.repository';
import { LedgerAccountRepository } from '../infrastructure/ledger-account.repository';

export interface LedgerAccountDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
}

/**
 * The chart of accounts: the standard accounts, made the first time a tenant's chart is used
 * (`ensureChart`: idempotent, safe when requests race), and the tenant's own.
 */
export function ledgerAccountUseCases({ db, runInUnitOfWork }: LedgerAccountDeps) {
  /** Tenants this process has seen with the whole standard chart: no need to look again. */
  const charted = new Set<string>();

  /** Makes the standard accounts the tenant lacks (none after the first time). */
  async function ensureChart(tenantId: string): Promise<number> {
    if (charted.has(tenantId)) return 0;
    const have = await new LedgerAccountRepository(db, tenantId).systemCodes();
    const missing = STANDARD_CHART.filter((a) => !have.has(ledgerCodeKey(a.code)));
    if (missing.length) {
      const now = new Date();
      await runInUnitOfWork(tenantId, (uow) => LedgerAccountRepository.in(uow).addStandard(missing.map((a) => LedgerAccount.standard(tenantId, a, now))));
    }
    charted.add(tenantId);
    return missing.length;
  }

  async function guarded<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof LedgerCodeTakenError)) throw err;
      throw new LedgerCodeTakenError(err.code, await new LedgerAccountRepository(db, tenantId).idByCode(err.code));
    }
  }

  const notFound = (id: string) => new NotFoundError(`There is no ledger account ${id}.`);

  return {
    ensureChart,

    async create(tenantId: string, input: LedgerAccountInput, claim?: IdempotencyClaim): Promise<LedgerAccountState> {
      await ensureChart(tenantId);
      const account = LedgerAccount.create(tenantId, input);
      return guarded(tenantId, () =>
        runInUnitOfWork(
          tenantId,
          async (uow) => {
            await LedgerAccountRepository.in(uow).add(account);
            return account.snapshot;
          },
          claim,
        ),
      );
    },

    async get(tenantId: string, id: string): Promise<LedgerAccountState> {
      await ensureChart(tenantId);
      const state = await new LedgerAccountRepository(db, tenantId).state(id);
      if (!state) throw notFound(id);
      return state;
    },

    async list(tenantId: string, request: ListRequest): Promise<ListPage<LedgerAccountState>> {
      await ensureChart(tenantId);
      return new LedgerAccountRepository(db, tenantId).list(request);
    },

    async update(tenantId: string, id: string, expected: ExpectedVersion, patch: LedgerAccountPatch): Promise<LedgerAccountState> {
      await ensureChart(tenantId);
      return guarded(tenantId, () =>
        runInUnitOfWork(tenantId, async (uow) => {
          const repo = LedgerAccountRepository.in(uow);
          const account = await repo.get(id);
          if (!account) throw notFound(id);
          checkExpectedVersion(`ledger account ${id}`, account.version, expected);
          const loaded = account.version;
          if (!account.change(patch).changed) return account.snapshot;
          await repo.save(account, loaded);
          return account.snapshot;
        }),
      );
    },

    async delete(tenantId: string, id: string, expected: ExpectedVersion): Promise<void> {
      await ensureChart(tenantId);
      await runInUnitOfWork(tenantId, async (uow) => {
        const repo = LedgerAccountRepository.in(uow);
        const account = await repo.get(id);
        if (!account) throw notFound(id);
        checkExpectedVersion(`ledger account ${id}`, account.version, expected);
        account.assertDeletable();
        // The account is locked (FOR UPDATE) above, and a post holds its accounts FOR SHARE: no line lands on it meanwhile.
        if (await JournalEntryRepository.in(uow).accountHasLines(id)) throw new ConflictError(`Ledger account ${id} (${account.snapshot.code}) has journal lines and is never deleted.`);
        await repo.delete(account, account.version);
      });
    },
  };
}

export type LedgerAccountUseCases = ReturnType<typeof ledgerAccountUseCases>;
