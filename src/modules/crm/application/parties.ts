import type { Database } from '../../../platform/db/database';
import { displayName } from '../domain/contact';
import type { Address } from '../domain/values';
import { AccountRepository } from '../infrastructure/account.repository';
import { ContactRepository } from '../infrastructure/contact.repository';

/**
 * An account or a contact as another module sees one it deals with (ERP bills them): who, how
 * to write to them, where to send the invoice. Read-only, and a copy: it does not follow later
 * changes.
 */
export interface Party {
  kind: 'account' | 'contact';
  id: string;
  /** The account's name, or the contact's first and last name. */
  name: string;
  /** The contact's primary email; accounts have none. */
  email: string | null;
  /** The account's billing address; for a contact, that of its account, if it has one. */
  billingAddress: Address | null;
  /** The account a contact belongs to (null for accounts and for contacts without one). */
  accountId: string | null;
  /** Whether the account (a contact's: its account) is archived. */
  archived: boolean;
}

/** Looks up parties by id within a tenant: null when the tenant has no such record. */
export function partyLookups(db: Database) {
  async function account(tenantId: string, id: string): Promise<Party | null> {
    const a = await new AccountRepository(db, tenantId).state(id);
    return a && { kind: 'account', id: a.id, name: a.name, email: null, billingAddress: a.billingAddress, accountId: null, archived: a.archivedAt !== null };
  }

  return {
    account,

    /** The account with this external id (e.g. the demo seed's `seed-acc-0000001`), null when the tenant has none. */
    async accountByExternalId(tenantId: string, externalId: string): Promise<Party | null> {
      const id = await new AccountRepository(db, tenantId).idByExternalId(externalId);
      return id ? account(tenantId, id) : null;
    },

    async contact(tenantId: string, id: string): Promise<Party | null> {
      const c = await new ContactRepository(db, tenantId).state(id);
      if (!c) return null;
      const account = c.accountId ? await new AccountRepository(db, tenantId).state(c.accountId) : null;
      return { kind: 'contact', id: c.id, name: displayName(c), email: c.email, billingAddress: account?.billingAddress ?? null, accountId: c.accountId, archived: account?.archivedAt != null };
    },
  };
}

export type PartyLookups = ReturnType<typeof partyLookups>;
