import { defineList, type List, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { date, isUniqueViolation, maybeJson } from '../../../platform/db/rows';
import { searchText } from '../../../platform/search-text';
import { type Address, AccountTakenError, Party, type PartyRole, type PartyState } from '../domain/party';
import { CustomerModel, SupplierModel } from './models';

interface PartyRow {
  id: string;
  tenant_id: string;
  account_id: string;
  name: string;
  name_key: string;
  /** jsonb (parsed) on PostgreSQL, text on SQLite. */
  billing_address: unknown;
  payment_terms_days: number;
  tax_rate_id: string | null;
  currency: string;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

interface StoredAddress {
  line1: string;
  line2: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  country: string;
}

function toAddress(raw: unknown): Address | null {
  const a = maybeJson<StoredAddress>(raw);
  return a && { line1: a.line1, line2: a.line2 ?? null, city: a.city ?? null, region: a.region ?? null, postalCode: a.postal_code ?? null, country: a.country };
}

const fromAddress = (a: Address | null): string | null =>
  a && JSON.stringify({ line1: a.line1, line2: a.line2, city: a.city, region: a.region, postal_code: a.postalCode, country: a.country } satisfies StoredAddress);

const toState = (role: PartyRole) => (row: PartyRow): PartyState => ({
  id: row.id,
  tenantId: row.tenant_id,
  role,
  accountId: row.account_id,
  name: row.name,
  billingAddress: toAddress(row.billing_address),
  paymentTermsDays: Number(row.payment_terms_days),
  taxRateId: row.tax_rate_id,
  currency: row.currency.trim(),
  version: Number(row.version),
  createdAt: date(row.created_at),
  updatedAt: date(row.updated_at),
});

export function partyRow(s: Readonly<PartyState>) {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    account_id: s.accountId,
    name: s.name,
    name_key: searchText(s.name),
    billing_address: fromAddress(s.billingAddress),
    payment_terms_days: s.paymentTermsDays,
    tax_rate_id: s.taxRateId,
    currency: s.currency,
    version: s.version,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

const COLUMNS = 'id, tenant_id, account_id, name, name_key, billing_address, payment_terms_days, tax_rate_id, currency, version, created_at, updated_at';
const TABLE: Record<PartyRole, string> = { customer: 'erp_customers', supplier: 'erp_suppliers' };
const MODEL = { customer: CustomerModel, supplier: SupplierModel };

/** A customers' or suppliers' list; every filter and sort has its index (migrations/20261208100000-erp-catalog.ts). */
function partyList(role: PartyRole): List {
  return defineList({
    name: `erp.${role}s`,
    table: TABLE[role],
    select: COLUMNS,
    columns: {
      account_id: { type: 'text' },
      name_key: { type: 'text' },
      created_at: { type: 'instant' },
    },
    filters: {
      account_id: { kind: 'equals', column: 'account_id' },
      q: { kind: 'text', column: 'name_key', match: 'prefix' },
      created: { kind: 'range', column: 'created_at' },
    },
    sorts: ['name', 'created_at'],
    sortColumns: { name: 'name_key' },
    defaultSort: 'name',
  });
}

export const CUSTOMER_LIST = partyList('customer');
export const SUPPLIER_LIST = partyList('supplier');
export const PARTY_LIST: Record<PartyRole, List> = { customer: CUSTOMER_LIST, supplier: SUPPLIER_LIST };

/** Customers or suppliers of one tenant (`role` picks the table). */
export class PartyRepository extends TenantRepository {
  private role: PartyRole = 'customer';

  /** The repository of one role: `PartyRepository.in(uow).of('supplier')`. */
  of(role: PartyRole): this {
    this.role = role;
    return this;
  }

  private get sql() {
    const table = TABLE[this.role];
    return {
      get: `SELECT ${COLUMNS} FROM ${table} WHERE tenant_id = :tenantId AND id = :id`,
      byAccount: `SELECT id FROM ${table} WHERE tenant_id = :tenantId AND account_id = :accountId`,
    };
  }

  /** Inside a unit of work on PostgreSQL the row is locked: the change is decided on what is read. */
  async get(id: string): Promise<Party | null> {
    const row = await this.lockingSelectOne<PartyRow>(this.sql.get, { id });
    return row ? Party.restore(toState(this.role)(row)) : null;
  }

  async state(id: string): Promise<PartyState | null> {
    const row = await this.selectOne<PartyRow>(this.sql.get, { id });
    return row ? toState(this.role)(row) : null;
  }

  async idByAccount(accountId: string): Promise<string | undefined> {
    return (await this.selectOne<{ id: string }>(this.sql.byAccount, { accountId }))?.id;
  }

  async add(party: Party): Promise<void> {
    await this.write(party, () => MODEL[this.role].create(partyRow(party.snapshot), { transaction: this.writeTransaction(), returning: false }));
  }

  async save(party: Party, loadedVersion: number): Promise<void> {
    await this.write(party, () => this.updateVersioned(MODEL[this.role], partyRow(party.snapshot), loadedVersion, `${this.role === 'customer' ? 'Customer' : 'Supplier'} ${party.id}`));
  }

  list(request: ListRequest): Promise<ListPage<PartyState>> {
    return this.page(PARTY_LIST[this.role], request, toState(this.role));
  }

  private async write(party: Party, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (err) {
      if (isUniqueViolation(err, `${TABLE[this.role]}_tenant_account`, ['tenant_id', 'account_id'])) throw new AccountTakenError(this.role, party.snapshot.accountId);
      throw err;
    }
  }
}
