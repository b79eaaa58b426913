import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { date, isUniqueViolation } from '../../../platform/db/rows';
import { searchText } from '../../../platform/search-text';
import { ITEM_CATEGORIES, Item, type ItemCategory, type ItemState, SkuTakenError, skuKey, type Tracking, TRACKINGS } from '../domain/item';
import type { Unit } from '../domain/quantity';
import { ItemModel } from './item.model';

interface ItemRow {
  id: string;
  tenant_id: string;
  sku: string;
  sku_key: string;
  name: string;
  name_key: string;
  description: string | null;
  category: string;
  unit: string;
  weight_grams: number | null;
  length_mm: number | null;
  width_mm: number | null;
  height_mm: number | null;
  barcode: string | null;
  supplier_email: string | null;
  /** BIGINT: pg returns it as text. */
  reorder_point: number | string;
  tracking: string;
  /** SQLite returns 0/1. */
  is_active: boolean | number;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

export function toItemState(row: ItemRow): ItemState {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    category: row.category as ItemCategory,
    unit: row.unit as Unit,
    weightGrams: row.weight_grams,
    lengthMm: row.length_mm,
    widthMm: row.width_mm,
    heightMm: row.height_mm,
    barcode: row.barcode,
    supplierEmail: row.supplier_email,
    reorderPoint: Number(row.reorder_point),
    tracking: row.tracking as Tracking,
    isActive: Boolean(row.is_active),
    version: Number(row.version),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

function toRow(s: Readonly<ItemState>) {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    sku: s.sku,
    sku_key: skuKey(s.sku),
    name: s.name,
    name_key: searchText(s.name),
    description: s.description,
    category: s.category,
    unit: s.unit,
    weight_grams: s.weightGrams,
    length_mm: s.lengthMm,
    width_mm: s.widthMm,
    height_mm: s.heightMm,
    barcode: s.barcode,
    supplier_email: s.supplierEmail,
    reorder_point: s.reorderPoint,
    tracking: s.tracking,
    is_active: s.isActive,
    // SKU and name on lines of their own, so that `q` does not match across the two.
    search: `${skuKey(s.sku)}\n${searchText(s.name)}`,
    version: s.version,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

const COLUMNS =
  'id, tenant_id, sku, sku_key, name, name_key, description, category, unit, weight_grams, length_mm, width_mm, height_mm, barcode, supplier_email, reorder_point, tracking, is_active, version, created_at, updated_at';
const GET = `SELECT ${COLUMNS} FROM wms_items WHERE tenant_id = :tenantId AND id = :id`;
const BY_SKU = 'SELECT id FROM wms_items WHERE tenant_id = :tenantId AND sku_key = :skuKey';
const SKU_INDEX = 'wms_items_tenant_sku_key';
/** A balance row exists for every item × location × lot that ever had a move (the stock migration). */
const HAS_BALANCE = 'SELECT 1 AS one FROM wms_balances WHERE tenant_id = :tenantId AND item_id = :id LIMIT 1';

/** The columns of toRow(), `:tenantId` bound by the repository. */
const INSERT = `INSERT INTO wms_items (id, tenant_id, sku, sku_key, name, name_key, description, category, unit, weight_grams, length_mm, width_mm, height_mm, barcode, supplier_email, reorder_point, tracking, is_active, search, version, created_at, updated_at)
  VALUES (:id, :tenantId, :sku, :sku_key, :name, :name_key, :description, :category, :unit, :weight_grams, :length_mm, :width_mm, :height_mm, :barcode, :supplier_email, :reorder_point, :tracking, :is_active, :search, :version, :created_at, :updated_at)`;
function insertParams(s: Readonly<ItemState>): Record<string, unknown> {
  const { tenant_id: _tenant, ...row } = toRow(s);
  return row;
}

/** INSERT's placeholders in column order; all but `tenantId` (bound once per statement) are per row. */
const INSERT_KEYS = INSERT.slice(INSERT.indexOf('VALUES')).match(/:\w+/g)!.map((p) => p.slice(1));
const ROW_KEYS = INSERT_KEYS.filter((k) => k !== 'tenantId');
/**
 * Rows per multi-row INSERT of bulkAdd: 21 bound values a row, so 500 rows bind 10,501, well under
 * SQLite's limit of 32,766 variables (PostgreSQL allows 65,535); each distinct row count is one
 * more statement the connection keeps prepared, so the chunks stay few and alike.
 */
const BULK_ROWS = 500;
const bulkInserts = new Map<number, string>();
/** `INSERT … VALUES (:id0, :tenantId, :sku0, …), (:id1, …)` for `rows` rows, made once per count. */
function bulkInsert(rows: number): string {
  let sql = bulkInserts.get(rows);
  if (!sql) {
    const tuples = Array.from({ length: rows }, (_, r) => `(${INSERT_KEYS.map((k) => (k === 'tenantId' ? ':tenantId' : `:${k}${r}`)).join(', ')})`);
    sql = `${INSERT.slice(0, INSERT.indexOf('VALUES'))}VALUES ${tuples.join(', ')}`;
    bulkInserts.set(rows, sql);
  }
  return sql;
}

/** The unique index on the folded SKU refused the write (through a model or the driver). */
function isSkuTaken(err: unknown): boolean {
  return isUniqueViolation(err, SKU_INDEX, ['tenant_id', 'sku_key']);
}

/** Every filter and sort here has its index (migrations/20261207100000-wms-catalog.ts). */
export const ITEM_LIST = defineList({
  name: 'wms.items',
  table: 'wms_items',
  select: COLUMNS,
  columns: {
    sku_key: { type: 'text' },
    name_key: { type: 'text' },
    category: { type: 'text' },
    tracking: { type: 'text' },
    is_active: { type: 'boolean' },
    barcode: { type: 'text', nullable: true },
    search: { type: 'text' },
    created_at: { type: 'instant' },
    updated_at: { type: 'instant' },
  },
  filters: {
    category: { kind: 'equals', column: 'category', values: ITEM_CATEGORIES },
    tracking: { kind: 'equals', column: 'tracking', values: TRACKINGS },
    is_active: { kind: 'equals', column: 'is_active' },
    // The handler folds the value with skuKey(), as the column is.
    sku: { kind: 'equals', column: 'sku_key' },
    q: { kind: 'text', column: 'search', match: 'contains' },
    barcode: { kind: 'equals', column: 'barcode' },
    created: { kind: 'range', column: 'created_at' },
  },
  sorts: ['sku', 'name', 'created_at', 'updated_at'],
  sortColumns: { sku: 'sku_key', name: 'name_key' },
  defaultSort: 'sku',
});

/**
 * Items of one tenant. Reads are plain SQL mapped to domain state here (no model instances);
 * writes go through the model inside the unit of work's transaction, against the version they
 * were based on. Items publish no events.
 */
export class ItemRepository extends TenantRepository {
  /** Inside a unit of work on PostgreSQL the row is locked: the change is decided on what is read. */
  async get(id: string): Promise<Item | null> {
    const row = await this.lockingSelectOne<ItemRow>(GET, { id });
    return row ? Item.restore(toItemState(row)) : null;
  }

  async state(id: string): Promise<ItemState | null> {
    const row = await this.selectOne<ItemRow>(GET, { id });
    return row ? toItemState(row) : null;
  }

  /** The item whose SKU is `sku`, ignoring case. */
  async idBySku(sku: string): Promise<string | undefined> {
    return (await this.selectOne<{ id: string }>(BY_SKU, { skuKey: skuKey(sku) }))?.id;
  }

  /** Whether the item has a balance row at any location: it has had stock, and its ledger is counted in its unit. */
  async hasBalance(id: string): Promise<boolean> {
    return (await this.selectOne(HAS_BALANCE, { id })) !== undefined;
  }

  /**
   * One prepared INSERT, straight on the driver (about half the CPU of a model's create: this
   * is the hot write); a taken SKU is a SkuTakenError (the caller names the item that has it,
   * after the rollback).
   */
  async add(item: Item): Promise<void> {
    await this.write(item, () => this.execute(INSERT, insertParams(item.snapshot)));
  }

  /** Saves a changed item; fails when another request saved another version in between. */
  async save(item: Item, loadedVersion: number): Promise<void> {
    await this.write(item, () => this.updateVersioned(ItemModel, toRow(item.snapshot), loadedVersion, `Item ${item.id}`));
  }

  /**
   * New items in bulk, for seeding: multi-row INSERTs of BULK_ROWS rows with bound values, straight
   * on the driver (no model instance per row: a model's bulkCreate cost more than the database).
   */
  async bulkAdd(items: readonly Item[]): Promise<void> {
    for (let start = 0; start < items.length; start += BULK_ROWS) {
      const chunk = items.slice(start, start + BULK_ROWS);
      const params: Record<string, unknown> = {};
      chunk.forEach((item, r) => {
        const row = insertParams(item.snapshot);
        for (const key of ROW_KEYS) params[`${key}${r}`] = row[key];
      });
      await this.execute(bulkInsert(chunk.length), params);
    }
  }

  list(request: ListRequest): Promise<ListPage<ItemState>> {
    return this.page(ITEM_LIST, request, toItemState);
  }

  private async write(item: Item, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (err) {
      if (isSkuTaken(err)) throw new SkuTakenError(item.snapshot.sku);
      throw err;
    }
  }
}
