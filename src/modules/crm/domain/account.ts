import { ConflictError } from '../../../platform/errors';
import { type DomainEvent, domainEvent } from '../../../platform/events/domain-event';
import { isId, newId } from '../../../platform/ids';
import type { CustomFieldRules, FieldValues } from './custom-field';
import { type Address, type AddressPatch, mergeAddress, normalizeTags } from './values';

export interface AccountState {
  id: string;
  tenantId: string;
  name: string;
  domain: string | null;
  industry: string | null;
  website: string | null;
  phone: string | null;
  billingAddress: Address | null;
  shippingAddress: Address | null;
  ownerId: string | null;
  tags: string[];
  externalId: string | null;
  customFields: FieldValues;
  archivedAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What a new account is made of; absent and null mean no value. */
export interface AccountInput {
  name: string;
  domain?: string | null;
  industry?: string | null;
  website?: string | null;
  phone?: string | null;
  billingAddress?: Address | null;
  shippingAddress?: Address | null;
  ownerId?: string | null;
  tags?: string[];
  externalId?: string | null;
  customFields?: Record<string, unknown>;
}

/** A JSON Merge Patch of an account: addresses and custom fields merge, the rest replaces. */
export interface AccountPatch {
  name?: string;
  domain?: string | null;
  industry?: string | null;
  website?: string | null;
  phone?: string | null;
  billingAddress?: AddressPatch | null;
  shippingAddress?: AddressPatch | null;
  ownerId?: string | null;
  tags?: string[];
  externalId?: string | null;
  customFields?: Record<string, unknown>;
}

export const isAccountId = (value: string): boolean => isId('acc', value);

const AGGREGATE = 'account';

/** Fields an update event names (`changed`), in the contract's spelling. */
const FIELD_NAMES: Record<Exclude<keyof AccountState, 'id' | 'tenantId' | 'version' | 'createdAt' | 'updatedAt' | 'archivedAt'>, string> = {
  name: 'name',
  domain: 'domain',
  industry: 'industry',
  website: 'website',
  phone: 'phone',
  billingAddress: 'billing_address',
  shippingAddress: 'shipping_address',
  ownerId: 'owner_id',
  tags: 'tags',
  externalId: 'external_id',
  customFields: 'custom_fields',
};

const lowerOrNull = (v: string | null | undefined) => (v ? v.toLowerCase() : null);

/**
 * A company or organisation the tenant does business with. Deleting one archives it: it keeps
 * its history, and it cannot be archived while it has open opportunities (the caller counts
 * them; an account does not hold its opportunities).
 */
export class Account {
  private pending: DomainEvent[] = [];

  private constructor(private state: AccountState) {}

  static create(tenantId: string, input: AccountInput, fields: CustomFieldRules, now = new Date()): Account {
    const account = new Account({
      id: newId('acc'),
      tenantId,
      name: input.name,
      domain: lowerOrNull(input.domain),
      industry: input.industry ?? null,
      website: input.website ?? null,
      phone: input.phone ?? null,
      billingAddress: input.billingAddress ? mergeAddress(null, input.billingAddress, '/billing_address') : null,
      shippingAddress: input.shippingAddress ? mergeAddress(null, input.shippingAddress, '/shipping_address') : null,
      ownerId: input.ownerId ?? null,
      tags: normalizeTags(input.tags ?? []),
      externalId: input.externalId ?? null,
      customFields: fields.apply({}, input.customFields, true),
      archivedAt: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    account.record('crm.account.created', { name: input.name, owner_id: account.state.ownerId, external_id: account.state.externalId }, now);
    return account;
  }

  static restore(state: AccountState): Account {
    return new Account({ ...state });
  }

  get snapshot(): Readonly<AccountState> {
    return this.state;
  }

  get id(): string {
    return this.state.id;
  }

  get version(): number {
    return this.state.version;
  }

  /** Applies a merge patch; a patch that changes nothing keeps the version. */
  change(patch: AccountPatch, fields: CustomFieldRules, now = new Date()): void {
    this.assertLive('changed');
    const s = this.state;
    const next: AccountState = {
      ...s,
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.domain !== undefined && { domain: lowerOrNull(patch.domain) }),
      ...(patch.industry !== undefined && { industry: patch.industry }),
      ...(patch.website !== undefined && { website: patch.website }),
      ...(patch.phone !== undefined && { phone: patch.phone }),
      ...(patch.billingAddress !== undefined && { billingAddress: patch.billingAddress && mergeAddress(s.billingAddress, patch.billingAddress, '/billing_address') }),
      ...(patch.shippingAddress !== undefined && { shippingAddress: patch.shippingAddress && mergeAddress(s.shippingAddress, patch.shippingAddress, '/shipping_address') }),
      ...(patch.ownerId !== undefined && { ownerId: patch.ownerId }),
      ...(patch.tags !== undefined && { tags: normalizeTags(patch.tags) }),
      ...(patch.externalId !== undefined && { externalId: patch.externalId }),
      ...(patch.customFields !== undefined && { customFields: fields.apply(s.customFields, patch.customFields, false) }),
    };
    const changed = (Object.keys(FIELD_NAMES) as (keyof typeof FIELD_NAMES)[]).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(s[k]));
    if (!changed.length) return;
    this.state = { ...next, version: s.version + 1, updatedAt: now };
    this.record('crm.account.updated', { changed: changed.map((k) => FIELD_NAMES[k]) }, now);
  }

  archive(openOpportunities: number, now = new Date()): void {
    this.assertLive('archived');
    if (openOpportunities > 0) {
      throw new ConflictError(`Account ${this.state.id} has ${openOpportunities} open ${openOpportunities === 1 ? 'opportunity' : 'opportunities'}; win, lose or move ${openOpportunities === 1 ? 'it' : 'them'} before archiving the account.`, {
        open_opportunities: openOpportunities,
      });
    }
    this.state = { ...this.state, archivedAt: now, version: this.state.version + 1, updatedAt: now };
    this.record('crm.account.archived', {}, now);
  }

  pullEvents(): DomainEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }

  private assertLive(verb: string): void {
    if (this.state.archivedAt) throw new ConflictError(`Account ${this.state.id} is archived and cannot be ${verb}.`);
  }

  private record(type: string, payload: Record<string, unknown>, now: Date): void {
    this.pending.push(domainEvent(type, this.state.tenantId, { type: AGGREGATE, id: this.state.id }, { account_id: this.state.id, ...payload }, now));
  }
}
