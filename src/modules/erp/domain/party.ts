import { ConflictError, NotSupportedError } from '../../../platform/errors';
import { isId, newId } from '../../../platform/ids';

/**
 * The tenant's base currency: the ERP's books are kept in it. The platform records no currency
 * per tenant yet, so it is EUR for every tenant (the contract's `BaseCurrency` says so).
 */
export const BASE_CURRENCY = 'EUR';

/** A customer (the tenant sells to it) or a supplier (it buys from it): a CRM account in a role. */
export type PartyRole = 'customer' | 'supplier';

export const PARTY_PREFIX: Record<PartyRole, string> = { customer: 'cus', supplier: 'sup' };

export const isPartyId = (role: PartyRole, value: string): boolean => isId(PARTY_PREFIX[role], value);

/** A postal address; `line1` and `country` (ISO 3166-1 alpha-2) always present. */
export interface Address {
  line1: string;
  line2: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string;
}

export interface PartyState {
  id: string;
  tenantId: string;
  role: PartyRole;
  /** The CRM account; never changes. */
  accountId: string;
  /** The account's name and billing address, copied when the party was made. */
  name: string;
  billingAddress: Address | null;
  paymentTermsDays: number;
  taxRateId: string | null;
  currency: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface PartyInput {
  accountId: string;
  name: string;
  billingAddress: Address | null;
  paymentTermsDays?: number;
  taxRateId?: string | null;
  currency?: string;
}

/** A JSON Merge Patch of a customer or supplier. */
export interface PartyPatch {
  paymentTermsDays?: number;
  taxRateId?: string | null;
  currency?: string;
}

export const DEFAULT_PAYMENT_TERMS_DAYS = 30;

/** The 409 for a CRM account that has the role already, naming the record that has it. */
export class AccountTakenError extends ConflictError {
  constructor(
    readonly role: PartyRole,
    readonly accountId: string,
    existingId?: string,
  ) {
    super(`CRM account ${accountId} is ${role} ${existingId ?? '(another)'} already (one ${role} per account).`, existingId ? { [`existing_${role}_id`]: existingId } : {});
  }
}

/** Refuses (422 naming `currency`) any currency but the base currency: the books are kept in it. */
export function assertBaseCurrency(currency: string, pointer = '/currency'): void {
  if (currency !== BASE_CURRENCY) throw new NotSupportedError([{ pointer, detail: `is not the base currency ${BASE_CURRENCY} (only the base currency for now)` }]);
}

/** A customer or supplier. */
export class Party {
  private constructor(private state: PartyState) {}

  static create(tenantId: string, role: PartyRole, input: PartyInput, now = new Date()): Party {
    if (input.currency !== undefined) assertBaseCurrency(input.currency);
    return new Party({
      id: newId(PARTY_PREFIX[role]),
      tenantId,
      role,
      accountId: input.accountId,
      name: input.name,
      billingAddress: input.billingAddress,
      paymentTermsDays: input.paymentTermsDays ?? DEFAULT_PAYMENT_TERMS_DAYS,
      taxRateId: input.taxRateId ?? null,
      currency: input.currency ?? BASE_CURRENCY,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
  }

  static restore(state: PartyState): Party {
    return new Party({ ...state });
  }

  get snapshot(): Readonly<PartyState> {
    return this.state;
  }

  get id(): string {
    return this.state.id;
  }

  get version(): number {
    return this.state.version;
  }

  /** Applies a merge patch; one that changes nothing keeps the version. */
  change(patch: PartyPatch, now = new Date()): { changed: boolean } {
    if (patch.currency !== undefined) assertBaseCurrency(patch.currency);
    const s = this.state;
    const next: PartyState = {
      ...s,
      ...(patch.paymentTermsDays !== undefined && { paymentTermsDays: patch.paymentTermsDays }),
      ...(patch.taxRateId !== undefined && { taxRateId: patch.taxRateId }),
      ...(patch.currency !== undefined && { currency: patch.currency }),
    };
    const changed = next.paymentTermsDays !== s.paymentTermsDays || next.taxRateId !== s.taxRateId || next.currency !== s.currency;
    if (changed) this.state = { ...next, version: s.version + 1, updatedAt: now };
    return { changed };
  }
}
