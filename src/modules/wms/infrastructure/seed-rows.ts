import type { Transaction } from 'sequelize';
import type { Database } from '../../../platform/db/database';
import { newId } from '../../../platform/ids';
import type { Money } from '../../../platform/money';
import type { Thousandths } from '../domain/quantity';

/** Seeded items by SKU (`DEMO-…`, `BENCH-…`: the prefix compared as the folded sku_key is): what a seed run need not make again. */
export async function seededItems(db: Database, tenantId: string, skuPrefix: string): Promise<Map<string, string>> {
  const rows = await db.select<{ id: string; sku: string }>('SELECT id, sku FROM wms_items WHERE tenant_id = :tenantId AND sku_key LIKE :pattern', {
    tenantId,
    pattern: `${skuPrefix.toLowerCase()}%`,
  });
  return new Map(rows.map((r) => [r.sku, r.id]));
}

/** The references (`DEMO-PO-00001`, …) of the seeded moves already posted: each seeded move has its own. */
export async function seededMoveReferences(db: Database, tenantId: string, prefix: string): Promise<Set<string>> {
  const rows = await db.select<{ reference_id: string }>('SELECT reference_id FROM wms_stock_moves WHERE tenant_id = :tenantId AND reference_id LIKE :pattern', {
    tenantId,
    pattern: `${prefix}%`,
  });
  return new Set(rows.map((r) => r.reference_id));
}

/** The items of the tenant that have stock totals (that a seed has stocked already). */
export async function stockedItems(db: Database, tenantId: string): Promise<Set<string>> {
  const rows = await db.select<{ item_id: string }>('SELECT item_id FROM wms_item_stock WHERE tenant_id = :tenantId', { tenantId });
  return new Set(rows.map((r) => r.item_id));
}

/** An item received at the bench locations: the unit cost of its receipts and what each cost (ItemValuation.costOf). */
export interface StockedItem {
  itemId: string;
  unitCost: Money;
  cost: Money;
}

/**
 * Bench stock in bulk: for each item, one receipt move per location (`quantity` at the item's
 * unit cost), its balance there, and its totals with the value those receipts recorded: what
 * posting the receipts one by one would have written, so the stock check finds no drift.
 * Multi-row INSERTs, in the caller's transaction; publishes no events.
 */
export async function insertReceivedStock(
  db: Database,
  transaction: Transaction,
  tenantId: string,
  items: readonly StockedItem[],
  locations: readonly { id: string; warehouseId: string }[],
  quantity: Thousandths,
  postedBy: string,
  now: Date,
): Promise<number> {
  if (!items.length) return 0;
  const qi = db.sequelize.getQueryInterface();
  const moves: Record<string, unknown>[] = [];
  const balances: Record<string, unknown>[] = [];
  const totals: Record<string, unknown>[] = [];
  for (const { itemId, unitCost, cost: { amount: cost } } of items) {
    for (const location of locations) {
      moves.push({
        id: newId('mov'),
        tenant_id: tenantId,
        type: 'receipt',
        item_id: itemId,
        quantity,
        from_location_id: null,
        to_location_id: location.id,
        location_ids: JSON.stringify([location.id]),
        lot: null,
        serials: '[]',
        unit_cost_amount: unitCost.amount,
        cost_amount: cost,
        currency: unitCost.currency,
        reason_code: null,
        reservation_id: null,
        reference_type: null,
        reference_id: null,
        reverses_move_id: null,
        posted_at: now,
        posted_by: postedBy,
      });
      balances.push({ id: newId('bal'), tenant_id: tenantId, item_id: itemId, location_id: location.id, warehouse_id: location.warehouseId, lot: '', on_hand: quantity, reserved: 0, updated_at: now });
    }
    totals.push({ tenant_id: tenantId, item_id: itemId, on_hand: quantity * locations.length, reserved: 0, value_amount: cost * locations.length, currency: unitCost.currency, updated_at: now });
  }
  await qi.bulkInsert('wms_stock_moves', moves, { transaction });
  await qi.bulkInsert('wms_balances', balances, { transaction });
  await qi.bulkInsert('wms_item_stock', totals, { transaction });
  return moves.length;
}

/** After a bulk load on PostgreSQL: fresh planner statistics, so lists and lookups use their indexes at once. */
export async function refreshStatistics(db: Database, tables: readonly string[]): Promise<void> {
  if (db.dialect !== 'postgres') return;
  for (const table of tables) await db.sequelize.query(`ANALYZE ${table}`);
}
