import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { date, isUniqueViolation } from '../../../platform/db/rows';
import { Location, LOCATION_TYPES, LocationCodeTakenError, type LocationState, type LocationType, type TreeNode } from '../domain/location';
import { codeKey } from '../domain/warehouse';
import { LocationModel } from './location.model';

interface LocationRow {
  id: string;
  tenant_id: string;
  warehouse_id: string;
  parent_id: string | null;
  code: string;
  code_key: string;
  type: string;
  /** SQLite returns 0/1. */
  is_active: boolean | number;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

export function toLocationState(row: LocationRow): LocationState {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    warehouseId: row.warehouse_id,
    parentId: row.parent_id,
    code: row.code,
    type: row.type as LocationType,
    isActive: Boolean(row.is_active),
    version: Number(row.version),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

function toRow(s: Readonly<LocationState>) {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    warehouse_id: s.warehouseId,
    parent_id: s.parentId,
    code: s.code,
    code_key: codeKey(s.code),
    type: s.type,
    is_active: s.isActive,
    version: s.version,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

const COLUMNS = 'id, tenant_id, warehouse_id, parent_id, code, code_key, type, is_active, version, created_at, updated_at';
const GET = `SELECT ${COLUMNS} FROM wms_locations WHERE tenant_id = :tenantId AND id = :id`;
const BY_CODE = 'SELECT id FROM wms_locations WHERE tenant_id = :tenantId AND warehouse_id = :warehouseId AND code_key = :codeKey';
const HAS_CHILDREN = 'SELECT 1 AS one FROM wms_locations WHERE tenant_id = :tenantId AND parent_id = :id LIMIT 1';
/**
 * `id` and its ancestors, nearest first. Bounded, so that rows made into a cycle by hand could
 * not make it run forever.
 */
const ANCESTRY = `WITH RECURSIVE up (id, warehouse_id, parent_id, depth) AS (
  SELECT id, warehouse_id, parent_id, 0 FROM wms_locations WHERE tenant_id = :tenantId AND id = :id
  UNION ALL
  SELECT l.id, l.warehouse_id, l.parent_id, up.depth + 1 FROM wms_locations l JOIN up ON l.id = up.parent_id
  WHERE l.tenant_id = :tenantId AND up.depth < 10000
) SELECT id, warehouse_id, parent_id FROM up ORDER BY depth`;
/** Queries of the stock tables (20261207110000-wms-stock.ts): a balance row exists for every item × location × lot that ever had a move. */
const HOLDS_STOCK = 'SELECT 1 AS one FROM wms_balances WHERE tenant_id = :tenantId AND location_id = :id AND (on_hand > 0 OR reserved > 0) LIMIT 1';
const HAS_HISTORY = 'SELECT 1 AS one FROM wms_balances WHERE tenant_id = :tenantId AND location_id = :id LIMIT 1';
const CODE_INDEX = 'wms_locations_tenant_warehouse_code_key';

/** Every filter and sort here has its index (migrations/20261207100000-wms-catalog.ts). */
export const LOCATION_LIST = defineList({
  name: 'wms.locations',
  table: 'wms_locations',
  select: COLUMNS,
  columns: {
    warehouse_id: { type: 'text' },
    parent_id: { type: 'text', nullable: true },
    code_key: { type: 'text' },
    type: { type: 'text' },
    is_active: { type: 'boolean' },
    created_at: { type: 'instant' },
  },
  filters: {
    warehouse_id: { kind: 'equals', column: 'warehouse_id' },
    parent_id: { kind: 'equals', column: 'parent_id' },
    type: { kind: 'equals', column: 'type', values: LOCATION_TYPES },
    is_active: { kind: 'equals', column: 'is_active' },
    // The handler folds the value with codeKey(), as the column is.
    code: { kind: 'equals', column: 'code_key' },
  },
  sorts: ['code', 'created_at'],
  sortColumns: { code: 'code_key' },
  defaultSort: 'code',
});

/**
 * Locations of one tenant. Reads are plain SQL mapped to domain state here; writes go through
 * the model inside the unit of work's transaction, against the version they were based on.
 *
 * Locks on PostgreSQL, always taken warehouse before location: a change or delete locks the
 * location for update; a move in the tree first locks its warehouse for update (moves in one
 * warehouse take turns, so no two can make a cycle together) and share-locks the new parent; a
 * create share-locks its warehouse and its parent. The stock code share-locks the locations it
 * posts to, so a deactivation or a delete and a posting take turns.
 */
export class LocationRepository extends TenantRepository {
  /** Inside a unit of work on PostgreSQL the row is locked for update. */
  async get(id: string): Promise<Location | null> {
    const row = await this.lockingSelectOne<LocationRow>(GET, { id });
    return row ? Location.restore(toLocationState(row)) : null;
  }

  async state(id: string): Promise<LocationState | null> {
    const row = await this.selectOne<LocationRow>(GET, { id });
    return row ? toLocationState(row) : null;
  }

  /**
   * `id` (share-locked inside a unit of work on PostgreSQL, so it is not deleted before the
   * caller commits) and its ancestors, nearest first; empty when the tenant has no such location.
   */
  async ancestry(id: string): Promise<TreeNode[]> {
    const own = await this.selectOne<{ id: string }>(`${GET}${this.lock('share')}`, { id });
    if (!own) return [];
    const rows = await this.select<{ id: string; warehouse_id: string; parent_id: string | null }>(ANCESTRY, { id });
    return rows.map((r) => ({ id: r.id, warehouseId: r.warehouse_id, parentId: r.parent_id }));
  }

  /** The location of `warehouseId` whose code is `code`, ignoring case. */
  async idByCode(warehouseId: string, code: string): Promise<string | undefined> {
    return (await this.selectOne<{ id: string }>(BY_CODE, { warehouseId, codeKey: codeKey(code) }))?.id;
  }

  async hasChildren(id: string): Promise<boolean> {
    return (await this.selectOne(HAS_CHILDREN, { id })) !== undefined;
  }

  /** Whether a balance of the location has anything on hand or reserved. */
  async holdsStock(id: string): Promise<boolean> {
    return (await this.selectOne(HOLDS_STOCK, { id })) !== undefined;
  }

  /** Whether the ledger names the location: a balance row of it exists, empty or not. */
  async hasHistory(id: string): Promise<boolean> {
    return (await this.selectOne(HAS_HISTORY, { id })) !== undefined;
  }

  async add(location: Location): Promise<void> {
    await this.write(location, () => LocationModel.create(toRow(location.snapshot), { transaction: this.writeTransaction(), returning: false }));
  }

  async save(location: Location, loadedVersion: number): Promise<void> {
    await this.write(location, () => this.updateVersioned(LocationModel, toRow(location.snapshot), loadedVersion, `Location ${location.id}`));
  }

  async delete(location: Location, loadedVersion: number): Promise<void> {
    await this.destroyVersioned(LocationModel, location.id, loadedVersion, `Location ${location.id}`);
  }

  list(request: ListRequest): Promise<ListPage<LocationState>> {
    return this.page(LOCATION_LIST, request, toLocationState);
  }

  private async write(location: Location, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (err) {
      const { warehouseId, code } = location.snapshot;
      if (isUniqueViolation(err, CODE_INDEX, ['tenant_id', 'warehouse_id', 'code_key'])) throw new LocationCodeTakenError(warehouseId, code);
      throw err;
    }
  }
}
