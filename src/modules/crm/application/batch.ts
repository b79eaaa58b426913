import type { IdempotencyClaim, RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { type AppError, ConflictError, InvalidInputError, NotFoundError, StaleVersionError } from '../../../platform/errors';
import { Account, type AccountPatch } from '../domain/account';
import { type ContactInput, contactTaken } from '../domain/contact';
import { mergeAddress } from '../domain/values';
import { AccountRepository } from '../infrastructure/account.repository';
import { ContactRepository } from '../infrastructure/contact.repository';
import { CustomFieldRepository } from '../infrastructure/custom-field.repository';
import { DuplicateKeyError } from '../infrastructure/duplicates';
import { contactWrites } from './contacts';

/** At most this many items per batch (the contract says so too). */
export const MAX_BATCH_ITEMS = 100;

export interface BatchItem<I> {
  /** The item's position in the request. */
  index: number;
  input: I;
}

export type BatchOutcome = { index: number; status: 'created' | 'updated'; id: string } | { index: number; status: 'failed'; error: AppError };

type Upserted = { status: 'created' | 'updated'; id: string };

/** Errors that fail one item (what a single request would answer with a 4xx); anything else fails the batch. */
const failsItem = (err: unknown): err is AppError => err instanceof InvalidInputError || err instanceof ConflictError || err instanceof NotFoundError || err instanceof StaleVersionError;

/**
 * Runs each item in a savepoint of one unit of work: an item that fails is undone alone (its
 * writes and events), the others commit together with the Idempotency-Key claim. A unique index
 * refusing an item means another request wrote the key since the item was matched: the item is
 * matched again once, then the refusal is the 409 `taken` names.
 */
async function eachInSavepoint<I>(
  uow: UnitOfWork,
  items: readonly BatchItem<I>[],
  upsert: (input: I) => Promise<Upserted>,
  taken: (err: DuplicateKeyError) => Promise<ConflictError>,
): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = [];
  for (const { index, input } of items) {
    try {
      let result: Upserted;
      try {
        result = await uow.savepoint(() => upsert(input));
      } catch (err) {
        if (!(err instanceof DuplicateKeyError)) throw err;
        try {
          result = await uow.savepoint(() => upsert(input));
        } catch (again) {
          throw again instanceof DuplicateKeyError ? await taken(again) : again;
        }
      }
      outcomes.push({ index, ...result });
    } catch (err) {
      if (!failsItem(err)) throw err;
      outcomes.push({ index, status: 'failed', error: err });
    }
  }
  return outcomes;
}

/** An account item: what `PATCH` takes, and `external_id` to match on. */
export type AccountItem = AccountPatch;

async function upsertAccount(uow: UnitOfWork, tenantId: string, item: AccountItem): Promise<Upserted> {
  const repo = AccountRepository.in(uow);
  const fields = await CustomFieldRepository.in(uow).rulesFor('account');
  const id = item.externalId ? await repo.idByExternalId(item.externalId) : undefined;
  if (id) {
    const account = (await repo.get(id))!;
    const loaded = account.version;
    account.change(item, fields);
    if (account.version !== loaded) await repo.save(account, loaded);
    return { status: 'updated', id };
  }
  if (item.name === undefined) throw new InvalidInputError([{ pointer: '/name', detail: 'is required to create an account (no account has this external_id)' }]);
  const account = Account.create(
    tenantId,
    {
      ...item,
      name: item.name,
      // An item's addresses are patches; a new account's must be whole.
      billingAddress: item.billingAddress && mergeAddress(null, item.billingAddress, '/billing_address'),
      shippingAddress: item.shippingAddress && mergeAddress(null, item.shippingAddress, '/shipping_address'),
      customFields: item.customFields && Object.fromEntries(Object.entries(item.customFields).filter(([, v]) => v !== null)),
    },
    fields,
  );
  await repo.add(account);
  return { status: 'created', id: account.id };
}

/** A contact item: what `PATCH` takes, with `external_id` and `email` to match on. */
export type ContactItem = ContactInput;

async function upsertContact(uow: UnitOfWork, tenantId: string, item: ContactItem): Promise<Upserted> {
  const repo = ContactRepository.in(uow);
  let id = item.externalId ? await repo.idByExternalId(item.externalId) : undefined;
  if (!id && item.email) {
    id = await repo.idByEmail(item.email);
    // Matched by email, but the contact stands for another record of the integrator's.
    const other = id && item.externalId ? (await repo.state(id))?.externalId : null;
    if (id && other && other !== item.externalId) throw contactTaken('email', item.email, id);
  }
  // Neither key matched: a contact that has one now was written since, and is matched on the retry.
  if (!id) return { status: 'created', id: (await contactWrites.create(uow, tenantId, item, true)).id };
  const contact = (await repo.get(id))!;
  await contactWrites.change(uow, contact, item);
  return { status: 'updated', id };
}

/** Batch upserts of accounts and contacts: one unit of work per batch, one savepoint per item. */
export function batchUseCases({ runInUnitOfWork }: { runInUnitOfWork: RunInUnitOfWork }) {
  return {
    accounts(tenantId: string, items: readonly BatchItem<AccountItem>[], claim?: IdempotencyClaim): Promise<BatchOutcome[]> {
      return runInUnitOfWork(
        tenantId,
        (uow) =>
          eachInSavepoint(
            uow,
            items,
            (item) => upsertAccount(uow, tenantId, item),
            async (err) => {
              const existing = await AccountRepository.in(uow).idByExternalId(err.value);
              return new ConflictError(`Account ${existing ?? '(another)'} already has the external_id ${err.value}.`, existing ? { existing_account_id: existing } : {});
            },
          ),
        claim,
      );
    },

    contacts(tenantId: string, items: readonly BatchItem<ContactItem>[], claim?: IdempotencyClaim): Promise<BatchOutcome[]> {
      return runInUnitOfWork(
        tenantId,
        (uow) =>
          eachInSavepoint(
            uow,
            items,
            (item) => upsertContact(uow, tenantId, item),
            (err) => contactWrites.taken(uow, err),
          ),
        claim,
      );
    },
  };
}

export type BatchUseCases = ReturnType<typeof batchUseCases>;
