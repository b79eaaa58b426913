import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { searchText } from '../../../platform/search-text';
import { Contact, type ContactState, emailKey } from '../domain/contact';
import type { FieldValues } from '../domain/custom-field';
import { ContactModel } from './contact.model';
import { DuplicateKeyError } from './duplicates';
import { date, isUniqueViolation, json } from '../../../platform/db/rows';

interface ContactRow {
  id: string;
  tenant_id: string;
  first_name: string | null;
  last_name: string | null;
  name_key: string;
  email: string | null;
  additional_emails: unknown;
  phones: unknown;
  title: string | null;
  account_id: string | null;
  owner_id: string | null;
  tags: unknown;
  external_id: string | null;
  custom_fields: unknown;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

export function toContactState(row: ContactRow): ContactState {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    additionalEmails: json<string[]>(row.additional_emails),
    phones: json<string[]>(row.phones),
    title: row.title,
    accountId: row.account_id,
    ownerId: row.owner_id,
    tags: json<string[]>(row.tags),
    externalId: row.external_id,
    customFields: json<FieldValues>(row.custom_fields),
    version: Number(row.version),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

/** The `name` sort: last name, then first name, folded; a contact with one name sorts by it. */
export const contactNameKey = (s: Pick<ContactState, 'firstName' | 'lastName'>): string => [s.lastName, s.firstName].filter((n): n is string => !!n).map(searchText).join(' ');

function toRow(s: Readonly<ContactState>) {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    first_name: s.firstName,
    last_name: s.lastName,
    name_key: contactNameKey(s),
    email: s.email,
    email_key: s.email && emailKey(s.email),
    additional_emails: JSON.stringify(s.additionalEmails),
    phones: JSON.stringify(s.phones),
    title: s.title,
    account_id: s.accountId,
    owner_id: s.ownerId,
    tags: JSON.stringify(s.tags),
    external_id: s.externalId,
    custom_fields: JSON.stringify(s.customFields),
    // The name (first then last) and the email on lines of their own, so `q` matches within one.
    search: `${searchText([s.firstName, s.lastName].filter(Boolean).join(' '))}\n${s.email ? emailKey(s.email) : ''}`,
    version: s.version,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

const COLUMNS = 'id, tenant_id, first_name, last_name, name_key, email, additional_emails, phones, title, account_id, owner_id, tags, external_id, custom_fields, version, created_at, updated_at';
const GET = `SELECT ${COLUMNS} FROM crm_contacts WHERE tenant_id = :tenantId AND id = :id`;
const BY_EXTERNAL_ID = `SELECT id FROM crm_contacts WHERE tenant_id = :tenantId AND external_id = :externalId`;
const BY_EMAIL = `SELECT id FROM crm_contacts WHERE tenant_id = :tenantId AND email_key = :emailKey`;
const EXTERNAL_ID_INDEX = 'crm_contacts_tenant_external_id';
const EMAIL_INDEX = 'crm_contacts_tenant_email';

/** Every filter and sort here has its index (migrations/20261206110000-crm-contacts.ts). */
export const CONTACT_LIST = defineList({
  name: 'crm.contacts',
  table: 'crm_contacts',
  select: COLUMNS,
  columns: {
    name_key: { type: 'text' },
    account_id: { type: 'text', nullable: true },
    owner_id: { type: 'text', nullable: true },
    email_key: { type: 'text', nullable: true },
    external_id: { type: 'text', nullable: true },
    tags: { type: 'set' },
    search: { type: 'text' },
    created_at: { type: 'instant' },
    updated_at: { type: 'instant' },
  },
  filters: {
    account_id: { kind: 'equals', column: 'account_id' },
    owner_id: { kind: 'equals', column: 'owner_id' },
    tag: { kind: 'member', column: 'tags' },
    // The handler folds the value with emailKey(), as the column is.
    email: { kind: 'equals', column: 'email_key' },
    external_id: { kind: 'equals', column: 'external_id' },
    q: { kind: 'text', column: 'search', match: 'contains' },
    created: { kind: 'range', column: 'created_at' },
    updated: { kind: 'range', column: 'updated_at' },
  },
  sorts: ['name', 'created_at', 'updated_at'],
  sortColumns: { name: 'name_key' },
  defaultSort: '-created_at',
  fields: { param: 'custom_fields', prefix: 'custom_fields.', column: 'custom_fields' },
});

/**
 * Contacts of one tenant. Reads are plain SQL mapped to domain state here; writes go through
 * the model inside the unit of work's transaction, against the version they were based on.
 */
export class ContactRepository extends TenantRepository {
  /** Inside a unit of work on PostgreSQL the row is locked: the change is decided on what is read. */
  async get(id: string): Promise<Contact | null> {
    const row = await this.lockingSelectOne<ContactRow>(GET, { id });
    return row ? Contact.restore(toContactState(row)) : null;
  }

  async state(id: string): Promise<ContactState | null> {
    const row = await this.selectOne<ContactRow>(GET, { id });
    return row ? toContactState(row) : null;
  }

  async idByExternalId(externalId: string): Promise<string | undefined> {
    return (await this.selectOne<{ id: string }>(BY_EXTERNAL_ID, { externalId }))?.id;
  }

  /** The contact whose primary email is `email`, ignoring case. */
  async idByEmail(email: string): Promise<string | undefined> {
    return (await this.selectOne<{ id: string }>(BY_EMAIL, { emailKey: emailKey(email) }))?.id;
  }

  /** New contacts in bulk, for seeding: one multi-row INSERT, no events. */
  async bulkAdd(contacts: Contact[]): Promise<void> {
    await ContactModel.bulkCreate(
      contacts.map((c) => {
        c.pullEvents();
        return toRow(c.snapshot);
      }),
      { transaction: this.writeTransaction() },
    );
  }

  async add(contact: Contact): Promise<void> {
    await this.write(contact, () => ContactModel.create(toRow(contact.snapshot), { transaction: this.writeTransaction() }));
  }

  /** Saves a changed contact; fails when another request saved another version in between. */
  async save(contact: Contact, loadedVersion: number): Promise<void> {
    await this.write(contact, () => this.updateVersioned(ContactModel, toRow(contact.snapshot), loadedVersion, `Contact ${contact.id}`));
  }

  async delete(contact: Contact, loadedVersion: number): Promise<void> {
    await this.write(contact, () => this.destroyVersioned(ContactModel, contact.id, loadedVersion, `Contact ${contact.id}`));
  }

  list(request: ListRequest): Promise<ListPage<ContactState>> {
    return this.page(CONTACT_LIST, request, toContactState);
  }

  private async write(contact: Contact, run: () => Promise<unknown>): Promise<void> {
    const { email, externalId } = contact.snapshot;
    try {
      await run();
    } catch (err) {
      if (email && isUniqueViolation(err, EMAIL_INDEX, ['tenant_id', 'email_key'])) throw new DuplicateKeyError('email', email);
      if (externalId && isUniqueViolation(err, EXTERNAL_ID_INDEX, ['tenant_id', 'external_id'])) throw new DuplicateKeyError('external_id', externalId);
      throw err;
    }
    this.record(contact.pullEvents());
  }
}
