import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, type ExpectedVersion, InvalidInputError, NotFoundError } from '../../../platform/errors';
import { type Address, AccountTakenError, Party, type PartyPatch, type PartyRole, type PartyState } from '../domain/party';
import { PartyRepository } from '../infrastructure/party.repository';
import { activeTaxRate } from './tax-rates';

/** A CRM account as the ERP needs it (through the CRM's `parties.account`). */
export interface AccountParty {
  id: string;
  name: string;
  billingAddress: Address | null;
  archived: boolean;
}

export interface PartyDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
  /** The tenant's CRM account by id, null when it has none (the CRM module's api). */
  account(tenantId: string, id: string): Promise<AccountParty | null>;
}

export interface PartyCreate {
  accountId: string;
  paymentTermsDays?: number;
  taxRateId?: string | null;
  currency?: string;
}

/**
 * Customers or suppliers (one set of use cases per role): a CRM account in that role, its name
 * and billing address copied from the account when it is made.
 */
export function partyUseCases(role: PartyRole, { db, runInUnitOfWork, account }: PartyDeps) {
  const what = role === 'customer' ? 'customer' : 'supplier';
  const notFound = (id: string) => new NotFoundError(`There is no ${what} ${id}.`);
  const reads = (tenantId: string) => new PartyRepository(db, tenantId).of(role);

  /** The account made a second party of this role becomes the 409 naming the first, read after the rollback. */
  async function guarded<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof AccountTakenError)) throw err;
      throw new AccountTakenError(role, err.accountId, await reads(tenantId).idByAccount(err.accountId));
    }
  }

  return {
    /**
     * The account is read through the CRM's api before the unit of work (the CRM's own read: its
     * archive is not locked against this create, which is why a customer copies what it needs).
     */
    async create(tenantId: string, input: PartyCreate, claim?: IdempotencyClaim): Promise<PartyState> {
      const acc = await account(tenantId, input.accountId);
      if (!acc) throw new InvalidInputError([{ pointer: '/account_id', detail: `is not a CRM account of this tenant (there is no account ${input.accountId})` }]);
      if (acc.archived) throw new InvalidInputError([{ pointer: '/account_id', detail: `is archived (account ${acc.id})` }]);
      const party = Party.create(tenantId, role, { accountId: acc.id, name: acc.name, billingAddress: acc.billingAddress, paymentTermsDays: input.paymentTermsDays, taxRateId: input.taxRateId, currency: input.currency });
      return guarded(tenantId, () =>
        runInUnitOfWork(
          tenantId,
          async (uow) => {
            if (party.snapshot.taxRateId) await activeTaxRate(uow, party.snapshot.taxRateId);
            await PartyRepository.in(uow).of(role).add(party);
            return party.snapshot;
          },
          claim,
        ),
      );
    },

    async get(tenantId: string, id: string): Promise<PartyState> {
      const state = await reads(tenantId).state(id);
      if (!state) throw notFound(id);
      return state;
    },

    /** The id of the account's party of this role, if it has one. */
    idByAccount(tenantId: string, accountId: string): Promise<string | undefined> {
      return reads(tenantId).idByAccount(accountId);
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<PartyState>> {
      return reads(tenantId).list(request);
    },

    update(tenantId: string, id: string, expected: ExpectedVersion, patch: PartyPatch): Promise<PartyState> {
      return runInUnitOfWork(tenantId, async (uow) => {
        const repo = PartyRepository.in(uow).of(role);
        const party = await repo.get(id);
        if (!party) throw notFound(id);
        checkExpectedVersion(`${what} ${id}`, party.version, expected);
        const loaded = party.version;
        const taxRateChanged = patch.taxRateId !== undefined && patch.taxRateId !== party.snapshot.taxRateId;
        if (!party.change(patch).changed) return party.snapshot;
        if (taxRateChanged && patch.taxRateId) await activeTaxRate(uow, patch.taxRateId);
        await repo.save(party, loaded);
        return party.snapshot;
      });
    },
  };
}

export type PartyUseCases = ReturnType<typeof partyUseCases>;
