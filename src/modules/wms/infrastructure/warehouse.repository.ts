import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { date, isUniqueViolation, maybeJson } from '../../../platform/db/rows';
import { searchText } from '../../../platform/search-text';
import { type Address, codeKey, Warehouse, WarehouseCodeTakenError, type WarehouseState } from '../domain/warehouse';
import { WarehouseModel } from './warehouse.model';

interface WarehouseRow {
  id: string;
  tenant_id: string;
  code: string;
  code_key: string;
  name: string;
  name_key: string;
  /** jsonb (parsed) on PostgreSQL, text on SQLite. */
  address: unknown;
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
  return a && { line1: a.line1, line2: a.line2, city: a.city, region: a.region, postalCode: a.postal_code, country: a.country };
}

const fromAddress = (a: Address | null): string | null =>
  a && JSON.stringify({ line1: a.line1, line2: a.line2, city: a.city, region: a.region, postal_code: a.postalCode, country: a.country } satisfies StoredAddress);

export function toWarehouseState(row: WarehouseRow): WarehouseState {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    code: row.code,
    name: row.name,
    address: toAddress(row.address),
    version: Number(row.version),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

function toRow(s: Readonly<WarehouseState>) {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    code: s.code,
    code_key: codeKey(s.code),
    name: s.name,
    name_key: searchText(s.name),
    address: fromAddress(s.address),
    version: s.version,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

const COLUMNS = 'id, tenant_id, code, code_key, name, name_key, address, version, created_at, updated_at';
const GET = `SELECT ${COLUMNS} FROM wms_warehouses WHERE tenant_id = :tenantId AND id = :id`;
const BY_CODE = 'SELECT id FROM wms_warehouses WHERE tenant_id = :tenantId AND code_key = :codeKey';
const HAS_LOCATIONS = 'SELECT 1 AS one FROM wms_locations WHERE tenant_id = :tenantId AND warehouse_id = :id LIMIT 1';
const CODE_INDEX = 'wms_warehouses_tenant_code_key';

/** Every filter and sort here has its index (migrations/20261207100000-wms-catalog.ts). */
export const WAREHOUSE_LIST = defineList({
  name: 'wms.warehouses',
  table: 'wms_warehouses',
  select: COLUMNS,
  columns: {
    code_key: { type: 'text' },
    name_key: { type: 'text' },
    created_at: { type: 'instant' },
  },
  filters: {
    // The handler folds the value with codeKey(), as the column is.
    code: { kind: 'equals', column: 'code_key' },
  },
  sorts: ['code', 'name', 'created_at'],
  sortColumns: { code: 'code_key', name: 'name_key' },
  defaultSort: 'code',
});

/**
 * Warehouses of one tenant. Reads are plain SQL mapped to domain state here; writes go through
 * the model inside the unit of work's transaction, against the version they were based on.
 */
export class WarehouseRepository extends TenantRepository {
  /** Inside a unit of work on PostgreSQL the row is locked (FOR UPDATE): a change, a delete, a location moved in its tree. */
  async get(id: string): Promise<Warehouse | null> {
    const row = await this.lockingSelectOne<WarehouseRow>(GET, { id });
    return row ? Warehouse.restore(toWarehouseState(row)) : null;
  }

  /**
   * Inside a unit of work on PostgreSQL the row is share-locked: a location created in it and
   * the warehouse's delete (which locks it for update, then looks for locations) cannot both commit.
   */
  async stateForShare(id: string): Promise<WarehouseState | null> {
    const row = await this.selectOne<WarehouseRow>(`${GET}${this.lock('share')}`, { id });
    return row ? toWarehouseState(row) : null;
  }

  async state(id: string): Promise<WarehouseState | null> {
    const row = await this.selectOne<WarehouseRow>(GET, { id });
    return row ? toWarehouseState(row) : null;
  }

  /** The warehouse whose code is `code`, ignoring case. */
  async idByCode(code: string): Promise<string | undefined> {
    return (await this.selectOne<{ id: string }>(BY_CODE, { codeKey: codeKey(code) }))?.id;
  }

  async hasLocations(id: string): Promise<boolean> {
    return (await this.selectOne(HAS_LOCATIONS, { id })) !== undefined;
  }

  async add(warehouse: Warehouse): Promise<void> {
    await this.write(warehouse, () => WarehouseModel.create(toRow(warehouse.snapshot), { transaction: this.writeTransaction(), returning: false }));
  }

  async save(warehouse: Warehouse, loadedVersion: number): Promise<void> {
    await this.write(warehouse, () => this.updateVersioned(WarehouseModel, toRow(warehouse.snapshot), loadedVersion, `Warehouse ${warehouse.id}`));
  }

  async delete(warehouse: Warehouse, loadedVersion: number): Promise<void> {
    await this.destroyVersioned(WarehouseModel, warehouse.id, loadedVersion, `Warehouse ${warehouse.id}`);
  }

  list(request: ListRequest): Promise<ListPage<WarehouseState>> {
    return this.page(WAREHOUSE_LIST, request, toWarehouseState);
  }

  private async write(warehouse: Warehouse, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (err) {
      if (isUniqueViolation(err, CODE_INDEX, ['tenant_id', 'code_key'])) throw new WarehouseCodeTakenError(warehouse.snapshot.code);
      throw err;
    }
  }
}
