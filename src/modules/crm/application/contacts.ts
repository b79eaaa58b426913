import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, ConflictError, type ExpectedVersion, InvalidInputError, NotFoundError } from '../../../platform/errors';
import { Contact, type ContactInput, type ContactPatch, type ContactState, contactTaken } from '../domain/contact';
import { AccountRepository } from '../infrastructure/account.repository';
import { ActivityRepository } from '../infrastructure/activity.repository';
import { OpportunityRepository } from '../infrastructure/opportunity.repository';
import { ContactRepository } from '../infrastructure/contact.repository';
import { CustomFieldRepository } from '../infrastructure/custom-field.repository';
import { DuplicateKeyError } from '../infrastructure/duplicates';

export interface ContactDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
}

async function load(repo: ContactRepository, id: string): Promise<Contact> {
  const contact = await repo.get(id);
  if (!contact) throw new NotFoundError(`There is no contact ${id}.`);
  return contact;
}

/**
 * The account a contact is linked to must be one of the tenant's (else a 400 naming the
 * field: the request, not the contact, names what does not exist) and live (else a 409).
 */
async function checkAccount(uow: UnitOfWork, accountId: string): Promise<void> {
  const account = await new AccountRepository(uow.db, uow.tenantId, uow).state(accountId);
  if (!account) throw new InvalidInputError([{ pointer: '/account_id', detail: `is not an account of this tenant (there is no account ${accountId})` }]);
  if (account.archivedAt) throw new ConflictError(`Account ${accountId} is archived: contacts cannot be linked to it.`);
}

/** The 409 for a key a unique index refused, naming the contact that has it (read after the write failed). */
async function taken(repo: ContactRepository, err: DuplicateKeyError): Promise<ConflictError> {
  const field = err.field === 'email' ? 'email' : 'external_id';
  return contactTaken(field, err.value, field === 'email' ? await repo.idByEmail(err.value) : await repo.idByExternalId(err.value));
}

/** Email and external id are free, or taken by `self`. */
async function checkUnique(repo: ContactRepository, s: Pick<ContactState, 'email' | 'externalId'>, self?: string): Promise<void> {
  if (s.email) {
    const existing = await repo.idByEmail(s.email);
    if (existing && existing !== self) throw contactTaken('email', s.email, existing);
  }
  if (s.externalId) {
    const existing = await repo.idByExternalId(s.externalId);
    if (existing && existing !== self) throw contactTaken('external_id', s.externalId, existing);
  }
}

/**
 * The writes of contacts inside a caller's unit of work: the use cases below and the batch
 * upsert share them. Each reads the tenant's contact fields in that transaction.
 */
export const contactWrites = {
  /**
   * `keysFree`: the caller has just found no contact with the email and external id, so only the
   * unique indexes decide (a DuplicateKeyError means another request took one since).
   */
  async create(uow: UnitOfWork, tenantId: string, input: ContactInput, keysFree = false): Promise<ContactState> {
    const repo = ContactRepository.in(uow);
    const contact = Contact.create(tenantId, input, await CustomFieldRepository.in(uow).rulesFor('contact'));
    if (contact.snapshot.accountId) await checkAccount(uow, contact.snapshot.accountId);
    if (!keysFree) await checkUnique(repo, contact.snapshot);
    await repo.add(contact);
    return contact.snapshot;
  },

  /** Applies a merge patch to a loaded (locked) contact; a patch that changes nothing writes nothing. */
  async change(uow: UnitOfWork, contact: Contact, patch: ContactPatch): Promise<ContactState> {
    const repo = ContactRepository.in(uow);
    const loaded = contact.version;
    const changed = contact.change(patch, await CustomFieldRepository.in(uow).rulesFor('contact'));
    if (!changed.length) return contact.snapshot;
    // An account archived after the contact was linked to it may stay; a new link must be live.
    if (changed.includes('account_id') && contact.snapshot.accountId) await checkAccount(uow, contact.snapshot.accountId);
    if (changed.includes('email') || changed.includes('external_id')) await checkUnique(repo, contact.snapshot, contact.id);
    await repo.save(contact, loaded);
    return contact.snapshot;
  },

  /** The 409 a unique index's refusal stands for, read in the (still usable) transaction. */
  taken(uow: UnitOfWork, err: DuplicateKeyError): Promise<ConflictError> {
    return taken(ContactRepository.in(uow), err);
  },
};

export function contactUseCases({ db, runInUnitOfWork }: ContactDeps) {
  /**
   * Runs a write; a unique index that refused the email or external id (two requests racing
   * past the check) becomes the same 409 as the check's, naming the contact that has it.
   */
  async function guarded<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
      throw await taken(new ContactRepository(db, tenantId), err);
    }
  }

  return {
    create(tenantId: string, input: ContactInput, claim?: IdempotencyClaim): Promise<ContactState> {
      return guarded(tenantId, () => runInUnitOfWork(tenantId, (uow) => contactWrites.create(uow, tenantId, input), claim));
    },

    async get(tenantId: string, id: string): Promise<ContactState> {
      const state = await new ContactRepository(db, tenantId).state(id);
      if (!state) throw new NotFoundError(`There is no contact ${id}.`);
      return state;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<ContactState>> {
      return new ContactRepository(db, tenantId).list(request);
    },

    update(tenantId: string, id: string, expected: ExpectedVersion, patch: ContactPatch): Promise<ContactState> {
      return guarded(tenantId, () =>
        runInUnitOfWork(tenantId, async (uow) => {
          const contact = await load(ContactRepository.in(uow), id);
          checkExpectedVersion(`contact ${id}`, contact.version, expected);
          return contactWrites.change(uow, contact, patch);
        }),
      );
    },

    delete(tenantId: string, id: string, expected: ExpectedVersion): Promise<void> {
      return runInUnitOfWork(tenantId, async (uow) => {
        const repo = ContactRepository.in(uow);
        const contact = await load(repo, id);
        checkExpectedVersion(`contact ${id}`, contact.version, expected);
        contact.delete();
        await repo.delete(contact, contact.version);
        // Its notes, tasks, calls and meetings go with it.
        await ActivityRepository.in(uow).deleteOfContact(id);
        // and no opportunity names it as its primary contact any more.
        await OpportunityRepository.in(uow).clearPrimaryContact(id);
      });
    },
  };
}

export type ContactUseCases = ReturnType<typeof contactUseCases>;
