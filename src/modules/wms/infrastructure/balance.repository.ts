import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { date } from '../../../platform/db/rows';
import type { Thousandths } from '../domain/quantity';
import type { ItemTotals } from '../domain/valuation';

/** A balance with its item's totals (to value it at the item's moving-average cost). */
export interface BalanceRead {
  itemId: string;
  locationId: string;
  warehouseId: string;
  lot: string;
  onHand: Thousandths;
  reserved: Thousandths;
  updatedAt: Date;
  item: ItemTotals;
}

interface BalanceRow {
  id: string;
  item_id: string;
  location_id: string;
  warehouse_id: string;
  lot: string;
  on_hand: number | string;
  reserved: number | string;
  updated_at: Date | string;
  item_on_hand: number | string;
  item_value_amount: number | string;
  item_currency: string | null;
}

function toBalance(r: BalanceRow): BalanceRead {
  return {
    itemId: r.item_id,
    locationId: r.location_id,
    warehouseId: r.warehouse_id,
    lot: r.lot,
    onHand: Number(r.on_hand),
    reserved: Number(r.reserved),
    updatedAt: date(r.updated_at),
    item: { itemId: r.item_id, onHand: Number(r.item_on_hand), reserved: 0, value: Number(r.item_value_amount), currency: r.item_currency === null ? null : r.item_currency.trim() },
  };
}

/**
 * The balances, read through the view `wms_balance_rows` (migrations/20261207120000-wms-balance-rows.ts),
 * which adds each balance's item totals: `below_reorder_point` compares the item's available
 * quantity across all its locations with its reorder point.
 */
export const BALANCE_LIST = defineList({
  name: 'wms.balances',
  table: 'wms_balance_rows',
  select: 'id, item_id, location_id, warehouse_id, lot, on_hand, reserved, updated_at, item_on_hand, item_value_amount, item_currency',
  columns: {
    item_id: { type: 'text' },
    location_id: { type: 'text' },
    warehouse_id: { type: 'text' },
    lot: { type: 'text' },
    below_reorder_point: { type: 'boolean' },
    updated_at: { type: 'instant' },
    on_hand: { type: 'integer' },
  },
  filters: {
    item_id: { kind: 'equals', column: 'item_id' },
    location_id: { kind: 'equals', column: 'location_id' },
    warehouse_id: { kind: 'equals', column: 'warehouse_id' },
    lot: { kind: 'equals', column: 'lot' },
    below_reorder_point: { kind: 'equals', column: 'below_reorder_point' },
  },
  sorts: ['updated_at', 'on_hand'],
  defaultSort: '-updated_at',
});

/** One difference between what the ledger says and what is recorded. */
export interface Drift {
  kind: 'balance_on_hand' | 'balance_reserved' | 'item_on_hand' | 'item_reserved' | 'item_value' | 'serials';
  itemId: string;
  locationId: string | null;
  lot: string | null;
  recorded: number;
  expected: number;
}

// The ledger per balance: what came in minus what went out.
const MOVED = `SELECT item_id, to_location_id AS location_id, COALESCE(lot, '') AS lot, quantity AS q FROM wms_stock_moves WHERE tenant_id = :tenantId AND to_location_id IS NOT NULL
  UNION ALL SELECT item_id, from_location_id, COALESCE(lot, ''), -quantity FROM wms_stock_moves WHERE tenant_id = :tenantId AND from_location_id IS NOT NULL`;
const LEDGER = `SELECT item_id, location_id, lot, SUM(q) AS expected FROM (${MOVED}) m GROUP BY item_id, location_id, lot`;
const HELD = `SELECT item_id, location_id, lot, SUM(remaining) AS expected FROM wms_reservations WHERE tenant_id = :tenantId AND status = 'active' GROUP BY item_id, location_id, lot`;

export class BalanceRepository extends TenantRepository {
  list(request: ListRequest): Promise<ListPage<BalanceRead>> {
    return this.page(BALANCE_LIST, request, toBalance);
  }

  /** How many locations hold stock of the item (on hand above zero). */
  async locationsHolding(itemId: string): Promise<number> {
    const row = await this.selectOne<{ n: number | string }>('SELECT COUNT(DISTINCT location_id) AS n FROM wms_balances WHERE tenant_id = :tenantId AND item_id = :itemId AND on_hand > 0', { itemId });
    return Number(row?.n ?? 0);
  }

  /**
   * Every difference between the ledger and what was derived from it: balances against the sum
   * of their moves and their active reservations, item totals against their balances, item
   * values against the costs their moves recorded, serials against serial-tracked balances.
   */
  async drift(): Promise<{ drift: Drift[]; balances: number; items: number }> {
    // Inside a transaction: all the queries below read one snapshot (the first statement of a
    // PostgreSQL transaction may still choose its isolation), so concurrent moves cannot show
    // up in one sum and not in another.
    if (this.transaction && this.db.dialect === 'postgres') await this.select('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY', {});
    const n = (v: unknown) => Number(v ?? 0);
    const rows = <R>(sql: string) => this.select<R>(sql, {});
    type KeyRow = { item_id: string; location_id: string | null; lot: string | null; recorded: unknown; expected: unknown };
    const out: Drift[] = [];
    const add = (kind: Drift['kind'], list: KeyRow[]) => {
      for (const r of list) out.push({ kind, itemId: r.item_id, locationId: r.location_id, lot: r.lot === null || r.lot === '' ? null : r.lot, recorded: n(r.recorded), expected: n(r.expected) });
    };
    const compareBalances = (column: string, sums: string) => `
      SELECT b.item_id, b.location_id, b.lot, b.${column} AS recorded, COALESCE(s.expected, 0) AS expected
        FROM wms_balances b LEFT JOIN (${sums}) s ON s.item_id = b.item_id AND s.location_id = b.location_id AND s.lot = b.lot
       WHERE b.tenant_id = :tenantId AND b.${column} <> COALESCE(s.expected, 0)
      UNION ALL
      SELECT s.item_id, s.location_id, s.lot, 0, s.expected FROM (${sums}) s
       WHERE s.expected <> 0 AND NOT EXISTS (SELECT 1 FROM wms_balances b WHERE b.tenant_id = :tenantId AND b.item_id = s.item_id AND b.location_id = s.location_id AND b.lot = s.lot)`;
    add('balance_on_hand', await rows<KeyRow>(compareBalances('on_hand', LEDGER)));
    add('balance_reserved', await rows<KeyRow>(compareBalances('reserved', HELD)));
    const totals = (column: string) => `
      SELECT t.item_id, NULL AS location_id, NULL AS lot, t.${column} AS recorded, COALESCE(s.expected, 0) AS expected
        FROM wms_item_stock t LEFT JOIN (SELECT item_id, SUM(${column}) AS expected FROM wms_balances WHERE tenant_id = :tenantId GROUP BY item_id) s ON s.item_id = t.item_id
       WHERE t.tenant_id = :tenantId AND t.${column} <> COALESCE(s.expected, 0)
      UNION ALL
      SELECT s.item_id, NULL, NULL, 0, s.expected FROM (SELECT item_id, SUM(${column}) AS expected FROM wms_balances WHERE tenant_id = :tenantId GROUP BY item_id) s
       WHERE s.expected <> 0 AND NOT EXISTS (SELECT 1 FROM wms_item_stock t WHERE t.tenant_id = :tenantId AND t.item_id = s.item_id)`;
    add('item_on_hand', await rows<KeyRow>(totals('on_hand')));
    add('item_reserved', await rows<KeyRow>(totals('reserved')));
    add(
      'item_value',
      await rows<KeyRow>(`
      SELECT t.item_id, NULL AS location_id, NULL AS lot, t.value_amount AS recorded, COALESCE(s.expected, 0) AS expected
        FROM wms_item_stock t LEFT JOIN (
          SELECT item_id, SUM(CASE WHEN from_location_id IS NULL THEN cost_amount WHEN to_location_id IS NULL THEN -cost_amount ELSE 0 END) AS expected
            FROM wms_stock_moves WHERE tenant_id = :tenantId AND cost_amount IS NOT NULL GROUP BY item_id) s ON s.item_id = t.item_id
       WHERE t.tenant_id = :tenantId AND t.value_amount <> COALESCE(s.expected, 0)`),
    );
    add(
      'serials',
      await rows<KeyRow>(`
      SELECT b.item_id, b.location_id, b.lot, b.on_hand AS recorded, COALESCE(s.n, 0) * 1000 AS expected
        FROM wms_balances b
        JOIN wms_items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id AND i.tracking = 'serial'
        LEFT JOIN (SELECT item_id, location_id, COUNT(*) AS n FROM wms_serials WHERE tenant_id = :tenantId AND location_id IS NOT NULL GROUP BY item_id, location_id) s
          ON s.item_id = b.item_id AND s.location_id = b.location_id
       WHERE b.tenant_id = :tenantId AND b.on_hand <> COALESCE(s.n, 0) * 1000`),
    );
    const [counts] = await rows<{ balances: unknown; items: unknown }>(
      'SELECT (SELECT COUNT(*) FROM wms_balances WHERE tenant_id = :tenantId) AS balances, (SELECT COUNT(*) FROM wms_item_stock WHERE tenant_id = :tenantId) AS items',
    );
    return { drift: out, balances: n(counts.balances), items: n(counts.items) };
  }
}
