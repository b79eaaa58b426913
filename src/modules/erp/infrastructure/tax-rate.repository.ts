import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { date, isUniqueViolation } from '../../../platform/db/rows';
import { TaxRate, TaxRateNameTakenError, taxRateNameKey, type TaxRateState } from '../domain/tax-rate';
import { TaxRateModel } from './models';

interface TaxRateRow {
  id: string;
  tenant_id: string;
  name: string;
  name_key: string;
  rate: number | string;
  inclusive: boolean | number;
  is_active: boolean | number;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

export function toTaxRateState(row: TaxRateRow): TaxRateState {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    rate: Number(row.rate),
    inclusive: Boolean(row.inclusive),
    isActive: Boolean(row.is_active),
    version: Number(row.version),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

export function taxRateRow(s: Readonly<TaxRateState>) {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    name: s.name,
    name_key: taxRateNameKey(s.name),
    rate: s.rate,
    inclusive: s.inclusive,
    is_active: s.isActive,
    version: s.version,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

const COLUMNS = 'id, tenant_id, name, name_key, rate, inclusive, is_active, version, created_at, updated_at';
const GET = `SELECT ${COLUMNS} FROM erp_tax_rates WHERE tenant_id = :tenantId AND id = :id`;
const BY_NAME = 'SELECT id FROM erp_tax_rates WHERE tenant_id = :tenantId AND name_key = :nameKey';
const NAME_INDEX = 'erp_tax_rates_tenant_name_key';

/** Every filter and sort here has its index (migrations/20261208100000-erp-catalog.ts). */
export const TAX_RATE_LIST = defineList({
  name: 'erp.tax_rates',
  table: 'erp_tax_rates',
  select: COLUMNS,
  columns: {
    name_key: { type: 'text' },
    is_active: { type: 'boolean' },
    created_at: { type: 'instant' },
  },
  filters: {
    is_active: { kind: 'equals', column: 'is_active' },
    created: { kind: 'range', column: 'created_at' },
  },
  sorts: ['name', 'created_at'],
  sortColumns: { name: 'name_key' },
  defaultSort: 'name',
});

/** Tax rates of one tenant: plain SQL reads, writes through the model against the version read. */
export class TaxRateRepository extends TenantRepository {
  /** Inside a unit of work on PostgreSQL the row is locked: the change is decided on what is read. */
  async get(id: string): Promise<TaxRate | null> {
    const row = await this.lockingSelectOne<TaxRateRow>(GET, { id });
    return row ? TaxRate.restore(toTaxRateState(row)) : null;
  }

  /**
   * Inside a unit of work on PostgreSQL the row is share-locked until the commit: a customer
   * that takes it as its default and its deactivation take turns.
   */
  async stateForShare(id: string): Promise<TaxRateState | null> {
    const row = await this.selectOne<TaxRateRow>(`${GET}${this.lock('share')}`, { id });
    return row ? toTaxRateState(row) : null;
  }

  async state(id: string): Promise<TaxRateState | null> {
    const row = await this.selectOne<TaxRateRow>(GET, { id });
    return row ? toTaxRateState(row) : null;
  }

  /** The names of the given rates, in one read; an id the tenant does not have is left out. */
  async names(ids: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    if (!unique.length) return new Map();
    const { list, params } = this.inList('r', unique);
    const rows = await this.select<{ id: string; name: string }>(`SELECT id, name FROM erp_tax_rates WHERE tenant_id = :tenantId AND id IN (${list})`, params);
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async idByName(name: string): Promise<string | undefined> {
    return (await this.selectOne<{ id: string }>(BY_NAME, { nameKey: taxRateNameKey(name) }))?.id;
  }

  async add(taxRate: TaxRate): Promise<void> {
    await this.write(taxRate, () => TaxRateModel.create(taxRateRow(taxRate.snapshot), { transaction: this.writeTransaction(), returning: false }));
  }

  async save(taxRate: TaxRate, loadedVersion: number): Promise<void> {
    await this.write(taxRate, () => this.updateVersioned(TaxRateModel, taxRateRow(taxRate.snapshot), loadedVersion, `Tax rate ${taxRate.id}`));
  }

  list(request: ListRequest): Promise<ListPage<TaxRateState>> {
    return this.page(TAX_RATE_LIST, request, toTaxRateState);
  }

  private async write(taxRate: TaxRate, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (err) {
      if (isUniqueViolation(err, NAME_INDEX, ['tenant_id', 'name_key'])) throw new TaxRateNameTakenError(taxRate.snapshot.name);
      throw err;
    }
  }
}
