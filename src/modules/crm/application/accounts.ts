import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, ConflictError, type ExpectedVersion, NotFoundError } from '../../../platform/errors';
import { Account, type AccountInput, type AccountPatch, type AccountState } from '../domain/account';
import { AccountRepository } from '../infrastructure/account.repository';
import { CustomFieldRepository } from '../infrastructure/custom-field.repository';
import { DuplicateKeyError } from '../infrastructure/duplicates';

export interface AccountDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
  /** How many open opportunities the account has, read in the unit of work that archives it. */
  countOpenOpportunities(uow: UnitOfWork, accountId: string): Promise<number>;
}

async function load(repo: AccountRepository, id: string): Promise<Account> {
  const account = await repo.get(id);
  if (!account) throw new NotFoundError(`There is no account ${id}.`);
  return account;
}

export function accountUseCases({ db, runInUnitOfWork, countOpenOpportunities }: AccountDeps) {
  const taken = (externalId: string, existing: string | undefined) =>
    new ConflictError(`Account ${existing ?? '(another)'} already has the external_id ${externalId}.`, existing ? { existing_account_id: existing } : {});

  /**
   * Runs a write; a unique index that refused the external id (two requests racing past the
   * check) becomes the same 409 as the check's, naming the account that has it.
   */
  async function guarded<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
      throw taken(err.value, await new AccountRepository(db, tenantId).idByExternalId(err.value));
    }
  }

  async function checkExternalId(repo: AccountRepository, externalId: string | null | undefined, self?: string): Promise<void> {
    if (!externalId) return;
    const existing = await repo.idByExternalId(externalId);
    if (existing && existing !== self) throw taken(externalId, existing);
  }

  return {
    create(tenantId: string, input: AccountInput, claim?: IdempotencyClaim): Promise<AccountState> {
      return guarded(tenantId, () =>
        runInUnitOfWork(
          tenantId,
          async (uow) => {
            const repo = AccountRepository.in(uow);
            await checkExternalId(repo, input.externalId);
            const account = Account.create(tenantId, input, await CustomFieldRepository.in(uow).rulesFor('account'));
            await repo.add(account);
            return account.snapshot;
          },
          claim,
        ),
      );
    },

    get(tenantId: string, id: string): Promise<AccountState> {
      return new AccountRepository(db, tenantId).state(id).then((state) => {
        if (!state) throw new NotFoundError(`There is no account ${id}.`);
        return state;
      });
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<AccountState>> {
      return new AccountRepository(db, tenantId).list(request);
    },

    update(tenantId: string, id: string, expected: ExpectedVersion, patch: AccountPatch): Promise<AccountState> {
      return guarded(tenantId, () =>
        runInUnitOfWork(tenantId, async (uow) => {
          const repo = AccountRepository.in(uow);
          const account = await load(repo, id);
          checkExpectedVersion(`account ${id}`, account.version, expected);
          const loaded = account.version;
          account.change(patch, await CustomFieldRepository.in(uow).rulesFor('account'));
          if (account.version === loaded) return account.snapshot;
          if (patch.externalId !== undefined) await checkExternalId(repo, account.snapshot.externalId, id);
          await repo.save(account, loaded);
          return account.snapshot;
        }),
      );
    },

    archive(tenantId: string, id: string, expected: ExpectedVersion): Promise<AccountState> {
      return runInUnitOfWork(tenantId, async (uow) => {
        const repo = AccountRepository.in(uow);
        const account = await load(repo, id);
        checkExpectedVersion(`account ${id}`, account.version, expected);
        const loaded = account.version;
        account.archive(await countOpenOpportunities(uow, id));
        await repo.save(account, loaded);
        return account.snapshot;
      });
    },
  };
}

export type AccountUseCases = ReturnType<typeof accountUseCases>;
