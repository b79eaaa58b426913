import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * WMS: `wms_balance_rows`, the balances with their item's totals and reorder point, which the
 * balance list reads: `below_reorder_point` says whether the item's available quantity across
 * all its locations is below its reorder point, and the item's totals value each balance at the
 * moving-average cost. (A view, so that the list piece reads one relation; both databases push
 * the list's tenant and filter conditions into it.)
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  await sequelize.query(`CREATE VIEW wms_balance_rows AS
    SELECT b.id, b.tenant_id, b.item_id, b.location_id, b.warehouse_id, b.lot, b.on_hand, b.reserved, b.updated_at,
           s.on_hand AS item_on_hand, s.value_amount AS item_value_amount, s.currency AS item_currency,
           CASE WHEN s.on_hand - s.reserved < i.reorder_point THEN ${postgres ? 'true' : '1'} ELSE ${postgres ? 'false' : '0'} END AS below_reorder_point
    FROM wms_balances b
    JOIN wms_item_stock s ON s.tenant_id = b.tenant_id AND s.item_id = b.item_id
    JOIN wms_items i ON i.tenant_id = b.tenant_id AND i.id = b.item_id`);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP VIEW wms_balance_rows');
}
