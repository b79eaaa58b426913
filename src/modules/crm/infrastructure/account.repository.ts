import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { searchText } from '../../../platform/search-text';
import { Account, type AccountState } from '../domain/account';
import type { FieldValues } from '../domain/custom-field';
import type { Address } from '../domain/values';
import { DuplicateKeyError } from './duplicates';
import { AccountModel } from './models';
import { date, isUniqueViolation, json, maybeDate, maybeJson } from '../../../platform/db/rows';

interface AccountRow {
  id: string;
  tenant_id: string;
  name: string;
  name_key: string;
  domain: string | null;
  industry: string | null;
  website: string | null;
  phone: string | null;
  billing_address: string | null;
  shipping_address: string | null;
  owner_id: string | null;
  tags: unknown;
  external_id: string | null;
  custom_fields: unknown;
  archived_at: Date | string | null;
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

const toAddress = (a: StoredAddress | null): Address | null => a && { line1: a.line1, line2: a.line2, city: a.city, region: a.region, postalCode: a.postal_code, country: a.country };
const fromAddress = (a: Address | null): string | null =>
  a && JSON.stringify({ line1: a.line1, line2: a.line2, city: a.city, region: a.region, postal_code: a.postalCode, country: a.country } satisfies StoredAddress);

export function toAccountState(row: AccountRow): AccountState {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    domain: row.domain,
    industry: row.industry,
    website: row.website,
    phone: row.phone,
    billingAddress: toAddress(maybeJson<StoredAddress>(row.billing_address)),
    shippingAddress: toAddress(maybeJson<StoredAddress>(row.shipping_address)),
    ownerId: row.owner_id,
    tags: json<string[]>(row.tags),
    externalId: row.external_id,
    customFields: json<FieldValues>(row.custom_fields),
    archivedAt: maybeDate(row.archived_at),
    version: Number(row.version),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

function toRow(s: Readonly<AccountState>) {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    name: s.name,
    name_key: searchText(s.name),
    domain: s.domain,
    industry: s.industry,
    website: s.website,
    phone: s.phone,
    billing_address: fromAddress(s.billingAddress),
    shipping_address: fromAddress(s.shippingAddress),
    owner_id: s.ownerId,
    tags: JSON.stringify(s.tags),
    external_id: s.externalId,
    custom_fields: JSON.stringify(s.customFields),
    // Name and domain apart, so that `q` does not match across the two.
    search: `${searchText(s.name)}\n${s.domain ?? ''}`,
    archived_at: s.archivedAt,
    version: s.version,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

const COLUMNS =
  'id, tenant_id, name, name_key, domain, industry, website, phone, billing_address, shipping_address, owner_id, tags, external_id, custom_fields, archived_at, version, created_at, updated_at';
const GET = `SELECT ${COLUMNS} FROM crm_accounts WHERE tenant_id = :tenantId AND id = :id`;
const BY_EXTERNAL_ID = `SELECT id FROM crm_accounts WHERE tenant_id = :tenantId AND external_id = :externalId`;
const EXTERNAL_ID_INDEX = 'crm_accounts_tenant_external_id';

/** Every filter and sort here has its index (migrations/20261206100000-crm-custom-fields-and-accounts.ts). */
export const ACCOUNT_LIST = defineList({
  name: 'crm.accounts',
  table: 'crm_accounts',
  select: COLUMNS,
  columns: {
    name_key: { type: 'text' },
    owner_id: { type: 'text', nullable: true },
    industry: { type: 'text', nullable: true },
    external_id: { type: 'text', nullable: true },
    tags: { type: 'set' },
    search: { type: 'text' },
    archived_at: { type: 'instant', nullable: true },
    created_at: { type: 'instant' },
    updated_at: { type: 'instant' },
  },
  filters: {
    owner_id: { kind: 'equals', column: 'owner_id' },
    tag: { kind: 'member', column: 'tags' },
    industry: { kind: 'equals', column: 'industry' },
    external_id: { kind: 'equals', column: 'external_id' },
    q: { kind: 'text', column: 'search', match: 'contains' },
    archived: { kind: 'present', column: 'archived_at' },
    created: { kind: 'range', column: 'created_at' },
    updated: { kind: 'range', column: 'updated_at' },
  },
  sorts: ['name', 'created_at', 'updated_at'],
  sortColumns: { name: 'name_key' },
  defaultSort: '-created_at',
  fields: { param: 'custom_fields', prefix: 'custom_fields.', column: 'custom_fields' },
});

/**
 * Accounts of one tenant. Reads are plain SQL mapped to domain state here; writes go through
 * the model inside the unit of work's transaction, against the version they were based on.
 */
export class AccountRepository extends TenantRepository {
  /** Inside a unit of work on PostgreSQL the row is locked: the change is decided on what is read. */
  async get(id: string): Promise<Account | null> {
    const row = await this.lockingSelectOne<AccountRow>(GET, { id });
    return row ? Account.restore(toAccountState(row)) : null;
  }

  async state(id: string): Promise<AccountState | null> {
    const row = await this.selectOne<AccountRow>(GET, { id });
    return row ? toAccountState(row) : null;
  }

  async idByExternalId(externalId: string): Promise<string | undefined> {
    return (await this.selectOne<{ id: string }>(BY_EXTERNAL_ID, { externalId }))?.id;
  }

  async add(account: Account): Promise<void> {
    await this.write(account, () => AccountModel.create(toRow(account.snapshot), { transaction: this.writeTransaction() }));
  }

  /** Saves a changed account; fails when another request saved another version in between. */
  async save(account: Account, loadedVersion: number): Promise<void> {
    await this.write(account, () => this.updateVersioned(AccountModel, toRow(account.snapshot), loadedVersion, `Account ${account.id}`));
  }

  /**
   * New accounts in bulk, for seeding: one multi-row INSERT, no events (a seed fills a tenant;
   * nobody waits for it to happen).
   */
  async bulkAdd(accounts: Account[]): Promise<void> {
    await AccountModel.bulkCreate(
      accounts.map((a) => {
        a.pullEvents();
        return toRow(a.snapshot);
      }),
      { transaction: this.writeTransaction() },
    );
  }

  list(request: ListRequest): Promise<ListPage<AccountState>> {
    return this.page(ACCOUNT_LIST, request, toAccountState);
  }

  private async write(account: Account, run: () => Promise<unknown>): Promise<void> {
    const { externalId } = account.snapshot;
    try {
      await run();
    } catch (err) {
      if (externalId && isUniqueViolation(err, EXTERNAL_ID_INDEX, ['tenant_id', 'external_id'])) throw new DuplicateKeyError('external_id', externalId);
      throw err;
    }
    this.record(account.pullEvents());
  }
}
