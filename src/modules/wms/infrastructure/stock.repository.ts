import { TenantRepository } from '../../../platform/db/repository';
import { newId } from '../../../platform/ids';
import type { Thousandths, Unit } from '../domain/quantity';
import type { BalanceChange, StockItem, StockLocation, Tracking } from '../domain/stock-move';
import type { ItemTotals } from '../domain/valuation';

/** A balance after a change, or by how much it fell short (nothing changed then). */
export type BalanceResult = { ok: true; onHand: Thousandths; reserved: Thousandths } | { ok: false; onHand: Thousandths; reserved: Thousandths; shortfall: Thousandths };

interface ItemRow {
  id: string;
  sku: string;
  unit: string;
  tracking: string;
  is_active: boolean | number;
  reorder_point: number | string;
}

interface TotalsRow {
  item_id: string;
  on_hand: number | string;
  reserved: number | string;
  value_amount: number | string;
  currency: string | null;
}

export const toTotals = (row: TotalsRow): ItemTotals => ({
  itemId: row.item_id,
  onHand: Number(row.on_hand),
  reserved: Number(row.reserved),
  value: Number(row.value_amount),
  currency: row.currency === null ? null : row.currency.trim(),
});

/**
 * Balances, item totals and serials: the state the ledger derives, changed only inside the unit
 * of work that posts a move (or places, releases or consumes a reservation).
 *
 * Locks are taken in one order by every transaction, so none can wait on another in a circle:
 * item totals (by item id) first, then reservations, then balances by (item, location, lot),
 * then serials. A balance change is one statement: an upsert when it only adds stock, else an
 * UPDATE guarded by the rule it must keep (nothing below zero, never more reserved than on
 * hand), which on PostgreSQL waits for a concurrent change of the row and re-checks the guard
 * against the committed result. The CHECK constraints of the table are the backstop.
 */
export class StockRepository extends TenantRepository {
  /**
   * The items. `share`: read under a share lock on PostgreSQL inside a unit of work, for a move
   * that may create an item's first balance: an item's unit and tracking may change only while
   * it has none (the item's PATCH locks it for update), so such a move and such a change take
   * turns. Other moves need stock that exists already and take no lock.
   */
  async items(ids: readonly string[], share = false): Promise<Map<string, StockItem>> {
    const unique = [...new Set(ids)].sort();
    if (!unique.length) return new Map();
    const { list, params } = this.inList('i', unique);
    const lock = share && this.lock('share') ? ` ORDER BY id${this.lock('share')}` : '';
    const rows = await this.select<ItemRow>(`SELECT id, sku, unit, tracking, is_active, reorder_point FROM wms_items WHERE tenant_id = :tenantId AND id IN (${list})${lock}`, params);
    return new Map(
      rows.map((r) => [
        r.id,
        { id: r.id, sku: r.sku, unit: r.unit as Unit, tracking: r.tracking as Tracking, isActive: r.is_active === true || r.is_active === 1, reorderPoint: Number(r.reorder_point) },
      ]),
    );
  }

  /**
   * The locations, read under a share lock on PostgreSQL inside a unit of work: deactivating or
   * deleting one (which locks it for update) waits until the move that uses it committed.
   */
  async locations(ids: readonly (string | null | undefined)[]): Promise<Map<string, StockLocation>> {
    const unique = [...new Set(ids.filter((id): id is string => !!id))].sort();
    if (!unique.length) return new Map();
    const { list, params } = this.inList('l', unique);
    const lock = this.lock('share') ? ` ORDER BY id${this.lock('share')}` : '';
    const rows = await this.select<{ id: string; warehouse_id: string; is_active: boolean | number }>(
      `SELECT id, warehouse_id, is_active FROM wms_locations WHERE tenant_id = :tenantId AND id IN (${list})${lock}`,
      params,
    );
    return new Map(rows.map((r) => [r.id, { id: r.id, warehouseId: r.warehouse_id, isActive: r.is_active === true || r.is_active === 1 }]));
  }

  /** The active locations of a warehouse holding `itemId` (`lot`, or any), most available first. */
  async availableIn(itemId: string, warehouseId: string, lot: string | null): Promise<{ locationId: string; lot: string; available: Thousandths }[]> {
    const rows = await this.select<{ location_id: string; lot: string; available: number | string }>(
      `SELECT b.location_id, b.lot, b.on_hand - b.reserved AS available FROM wms_balances b
       JOIN wms_locations l ON l.tenant_id = b.tenant_id AND l.id = b.location_id
       WHERE b.tenant_id = :tenantId AND b.item_id = :itemId AND b.warehouse_id = :warehouseId AND l.is_active = :active${lot === null ? '' : ' AND b.lot = :lot'}
       ORDER BY b.on_hand - b.reserved DESC, b.location_id, b.lot`,
      { itemId, warehouseId, lot, active: true },
    );
    return rows.map((r) => ({ locationId: r.location_id, lot: r.lot, available: Number(r.available) }));
  }

  /**
   * Up to `limit` balances with at least `least` available of active items tracked neither by
   * lot nor by serial, at active locations, by SKU then location: stock a document can take.
   */
  async takeable(least: Thousandths, limit: number): Promise<{ itemId: string; locationId: string; warehouseId: string; available: Thousandths }[]> {
    const rows = await this.select<{ item_id: string; location_id: string; warehouse_id: string; available: number | string }>(
      `SELECT b.item_id, b.location_id, b.warehouse_id, b.on_hand - b.reserved AS available FROM wms_balances b
       JOIN wms_items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id
       JOIN wms_locations l ON l.tenant_id = b.tenant_id AND l.id = b.location_id
       WHERE b.tenant_id = :tenantId AND i.tracking = 'none' AND i.is_active = :active AND l.is_active = :active AND b.on_hand - b.reserved >= :least
       ORDER BY i.sku_key, b.location_id LIMIT :limit`,
      { least, limit, active: true },
    );
    return rows.map((r) => ({ itemId: r.item_id, locationId: r.location_id, warehouseId: r.warehouse_id, available: Number(r.available) }));
  }

  /** The lots of `itemId` at one location (`lot`, or all), most available first. */
  async availableAt(itemId: string, locationId: string, lot: string | null): Promise<{ lot: string; available: Thousandths }[]> {
    const rows = await this.select<{ lot: string; available: number | string }>(
      `SELECT lot, on_hand - reserved AS available FROM wms_balances WHERE tenant_id = :tenantId AND item_id = :itemId AND location_id = :locationId${lot === null ? '' : ' AND lot = :lot'} ORDER BY on_hand - reserved DESC, lot`,
      { itemId, locationId, lot },
    );
    return rows.map((r) => ({ lot: r.lot, available: Number(r.available) }));
  }

  async warehouseExists(warehouseId: string): Promise<boolean> {
    return !!(await this.selectOne('SELECT 1 AS x FROM wms_warehouses WHERE tenant_id = :tenantId AND id = :warehouseId', { warehouseId }));
  }

  /**
   * The item totals of `itemIds`, created at zero where missing, locked in item order: two
   * statements for any number of items (the missing rows made in item order, then the rows read
   * `ORDER BY item_id FOR UPDATE`, which PostgreSQL locks in the order it returns them).
   */
  async lockTotals(itemIds: readonly string[], now: Date): Promise<Map<string, ItemTotals>> {
    const sorted = [...new Set(itemIds)].sort();
    const totals = new Map<string, ItemTotals>();
    if (!sorted.length) return totals;
    const { list, params } = this.inList('i', sorted);
    await this.execute(
      `INSERT INTO wms_item_stock (tenant_id, item_id, on_hand, reserved, value_amount, currency, updated_at) VALUES ${sorted.map((_, i) => `(:tenantId, :i${i}, 0, 0, 0, NULL, :now)`).join(', ')} ON CONFLICT (tenant_id, item_id) DO NOTHING`,
      { ...params, now },
    );
    const rows = await this.select<TotalsRow>(
      `SELECT item_id, on_hand, reserved, value_amount, currency FROM wms_item_stock WHERE tenant_id = :tenantId AND item_id IN (${list}) ORDER BY item_id${this.lock('update')}`,
      params,
    );
    for (const row of rows) totals.set(row.item_id, toTotals(row));
    return totals;
  }

  async saveTotals(t: ItemTotals, now: Date): Promise<void> {
    await this.execute(
      'UPDATE wms_item_stock SET on_hand = :onHand, reserved = :reserved, value_amount = :value, currency = :currency, updated_at = :now WHERE tenant_id = :tenantId AND item_id = :itemId',
      { itemId: t.itemId, onHand: t.onHand, reserved: t.reserved, value: t.value, currency: t.currency, now },
    );
  }

  /** The value of all the tenant's stock per currency (minor units), from the item totals. */
  async valuation(): Promise<Map<string, bigint>> {
    const rows = await this.select<{ currency: string; value: number | string }>(
      'SELECT currency, SUM(value_amount) AS value FROM wms_item_stock WHERE tenant_id = :tenantId AND currency IS NOT NULL GROUP BY currency ORDER BY currency',
      {},
    );
    return new Map(rows.map((r) => [r.currency.trim(), BigInt(String(r.value))]));
  }

  /** Item totals for reads (no lock); zero when the item never had stock. */
  async totals(itemId: string): Promise<ItemTotals> {
    const row = await this.selectOne<TotalsRow>('SELECT item_id, on_hand, reserved, value_amount, currency FROM wms_item_stock WHERE tenant_id = :tenantId AND item_id = :itemId', { itemId });
    return row ? toTotals(row) : { itemId, onHand: 0, reserved: 0, value: 0, currency: null };
  }

  /**
   * Applies one change to the balance of `itemId` at the change's location and lot. Taking stock
   * or reserving it succeeds only if the rule still holds afterwards; else the result says by
   * how much it fell short, and nothing changed.
   */
  async applyChange(itemId: string, change: BalanceChange, now: Date): Promise<BalanceResult> {
    const key = { itemId, locationId: change.locationId, lot: change.lot };
    if (change.onHand > 0 && change.reserved === 0) {
      const [row] = await this.execute<{ on_hand: number | string; reserved: number | string }>(
        `INSERT INTO wms_balances (id, tenant_id, item_id, location_id, warehouse_id, lot, on_hand, reserved, updated_at)
         VALUES (:id, :tenantId, :itemId, :locationId, :warehouseId, :lot, :onHand, 0, :now)
         ON CONFLICT (tenant_id, item_id, location_id, lot) DO UPDATE SET on_hand = wms_balances.on_hand + excluded.on_hand, updated_at = excluded.updated_at
         RETURNING on_hand, reserved`,
        { ...key, id: newId('bal'), warehouseId: change.warehouseId, onHand: change.onHand, now },
      );
      return { ok: true, onHand: Number(row.on_hand), reserved: Number(row.reserved) };
    }
    const [row] = await this.execute<{ on_hand: number | string; reserved: number | string }>(
      `UPDATE wms_balances SET on_hand = on_hand + :onHand, reserved = reserved + :reserved, updated_at = :now
       WHERE tenant_id = :tenantId AND item_id = :itemId AND location_id = :locationId AND lot = :lot
         AND on_hand + :onHand >= reserved + :reserved AND reserved + :reserved >= 0
       RETURNING on_hand, reserved`,
      { ...key, onHand: change.onHand, reserved: change.reserved, now },
    );
    if (row) return { ok: true, onHand: Number(row.on_hand), reserved: Number(row.reserved) };
    const current = await this.balance(itemId, change.locationId, change.lot);
    const availableAfter = current.onHand + change.onHand - (current.reserved + change.reserved);
    return { ok: false, ...current, shortfall: Math.max(-availableAfter, -(current.reserved + change.reserved), 1) };
  }

  async balance(itemId: string, locationId: string, lot: string): Promise<{ onHand: Thousandths; reserved: Thousandths }> {
    const row = await this.selectOne<{ on_hand: number | string; reserved: number | string }>(
      'SELECT on_hand, reserved FROM wms_balances WHERE tenant_id = :tenantId AND item_id = :itemId AND location_id = :locationId AND lot = :lot',
      { itemId, locationId, lot },
    );
    return { onHand: row ? Number(row.on_hand) : 0, reserved: row ? Number(row.reserved) : 0 };
  }

  /** On hand per lot of the items at one location (for a cycle count), keyed `item\0lot`. */
  async onHandAt(locationId: string, itemIds: readonly string[]): Promise<Map<string, Thousandths>> {
    const unique = [...new Set(itemIds)];
    if (!unique.length) return new Map();
    const { list, params } = this.inList('i', unique);
    const rows = await this.select<{ item_id: string; lot: string; on_hand: number | string }>(
      `SELECT item_id, lot, on_hand FROM wms_balances WHERE tenant_id = :tenantId AND location_id = :locationId AND item_id IN (${list})`,
      { locationId, ...params },
    );
    return new Map(rows.map((r) => [`${r.item_id}\u0000${r.lot}`, Number(r.on_hand)]));
  }

  /** Where each of `serials` of the item is in stock (serials out of stock or unknown are absent). */
  async serialLocations(itemId: string, serials: readonly string[]): Promise<Map<string, string>> {
    if (!serials.length) return new Map();
    const { list, params } = this.inList('s', [...serials]);
    const rows = await this.select<{ serial: string; location_id: string }>(
      `SELECT serial, location_id FROM wms_serials WHERE tenant_id = :tenantId AND item_id = :itemId AND location_id IS NOT NULL AND serial IN (${list}) ORDER BY serial`,
      { itemId, ...params },
    );
    return new Map(rows.map((r) => [r.serial, r.location_id]));
  }

  /** The serials of the item at a location, in serial order: the first `count`, or every one. */
  async serialsAt(itemId: string, locationId: string, count?: number): Promise<string[]> {
    const sql = 'SELECT serial FROM wms_serials WHERE tenant_id = :tenantId AND item_id = :itemId AND location_id = :locationId ORDER BY serial';
    const rows = await this.select<{ serial: string }>(count === undefined ? sql : `${sql} LIMIT :count`, { itemId, locationId, count });
    return rows.map((r) => r.serial);
  }

  /**
   * Moves serials of `itemId` from `from` to `to` (null: out of stock / into stock). Returns the
   * serials that were not where the move said (none moved then: the caller refuses the move).
   */
  async moveSerials(itemId: string, from: string | null, to: string | null, serials: readonly string[], now: Date): Promise<string[]> {
    const sorted = [...serials].sort();
    const { list, params } = this.inList('s', sorted);
    if (from === null) {
      // Into stock: a serial in stock somewhere already cannot arrive again (the guarded upsert
      // returns nothing for it, also when another transaction placed it a moment ago).
      const refused: string[] = [];
      for (const serial of sorted) {
        const placed = await this.execute<{ serial: string }>(
          `INSERT INTO wms_serials (tenant_id, item_id, serial, location_id, updated_at) VALUES (:tenantId, :itemId, :serial, :to, :now)
           ON CONFLICT (tenant_id, item_id, serial) DO UPDATE SET location_id = excluded.location_id, updated_at = excluded.updated_at WHERE wms_serials.location_id IS NULL
           RETURNING serial`,
          { itemId, serial, to, now },
        );
        if (!placed.length) refused.push(serial);
      }
      return refused;
    }
    const moved = await this.execute<{ serial: string }>(
      `UPDATE wms_serials SET location_id = :to, updated_at = :now WHERE tenant_id = :tenantId AND item_id = :itemId AND location_id = :from AND serial IN (${list}) RETURNING serial`,
      { itemId, from, to, now, ...params },
    );
    if (moved.length === sorted.length) return [];
    const found = new Set(moved.map((r) => r.serial));
    return sorted.filter((s) => !found.has(s));
  }
}
