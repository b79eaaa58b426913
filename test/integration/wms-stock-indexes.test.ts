import { QueryTypes } from 'sequelize';
import { buildListQuery, type List, type ListRequest } from '../../src/platform/db/list-query';
import { BALANCE_LIST } from '../../src/modules/wms/infrastructure/balance.repository';
import { STOCK_MOVE_LIST } from '../../src/modules/wms/infrastructure/move.repository';
import { Harness } from '../support/harness';

/**
 * On PostgreSQL, with 60,000 moves and 30,000 balances of one tenant over 3,000 items and 20
 * locations, each documented filter and sort of the ledger and the balances reads through an
 * index — the plans, not timings: the ledger is paged whole, never capped. Rows are made in SQL
 * (generate_series): the API would take minutes for as many.
 */
const onPostgres = process.env.STRATUM_TEST_DB === 'postgres';

let h: Harness;
let tenantId: string;

async function fill(tenant: string, moves: number) {
  // The items and their totals, which the balance list joins (3,000 items).
  await h.stratum.kernel.db.sequelize.query(
    `INSERT INTO wms_items (id, tenant_id, sku, sku_key, name, name_key, category, unit, reorder_point, tracking, is_active, search, version, created_at, updated_at)
     SELECT 'itm_' || lpad(g::text, 26, '0'), :tenant, 'SKU-' || g, 'sku-' || g, 'Item ' || g, 'item ' || g, 'component', 'ea', (g % 10) * 1000, 'none', true, 'sku-' || g, 1, now(), now()
     FROM generate_series(0, 2999) AS g ON CONFLICT DO NOTHING`,
    { replacements: { tenant } },
  );
  await h.stratum.kernel.db.sequelize.query(
    `INSERT INTO wms_item_stock (tenant_id, item_id, on_hand, reserved, value_amount, currency, updated_at)
     SELECT :tenant, 'itm_' || lpad(g::text, 26, '0'), 1000000, 0, 0, NULL, now() FROM generate_series(0, 2999) AS g`,
    { replacements: { tenant } },
  );
  await h.stratum.kernel.db.sequelize.query(
    `INSERT INTO wms_stock_moves (id, tenant_id, type, item_id, quantity, from_location_id, to_location_id, location_ids, lot, serials, reference_type, reference_id, posted_at, posted_by)
     SELECT 'mov_' || :prefix || lpad(g::text, 20, '0'), :tenant,
       (ARRAY['receipt', 'transfer', 'shipment', 'adjustment'])[1 + g % 4],
       'itm_' || lpad((g % 3000)::text, 26, '0'), 1000,
       CASE WHEN g % 4 = 0 THEN NULL ELSE 'loc_' || lpad((g % 20)::text, 26, '0') END,
       CASE WHEN g % 4 = 2 THEN NULL ELSE 'loc_' || lpad(((g + 1) % 20)::text, 26, '0') END,
       CASE WHEN g % 4 = 0 THEN jsonb_build_array('loc_' || lpad(((g + 1) % 20)::text, 26, '0'))
            WHEN g % 4 = 2 THEN jsonb_build_array('loc_' || lpad((g % 20)::text, 26, '0'))
            ELSE jsonb_build_array('loc_' || lpad((g % 20)::text, 26, '0'), 'loc_' || lpad(((g + 1) % 20)::text, 26, '0')) END,
       NULL, '[]'::jsonb,
       CASE WHEN g % 3 = 0 THEN 'sales_order' ELSE NULL END, CASE WHEN g % 3 = 0 THEN 'SO-' || (g / 3) ELSE NULL END,
       now() - g * interval '1 second', 'cli_x'
     FROM generate_series(1, :moves) AS g`,
    { replacements: { prefix: tenant.slice(-6), tenant, moves } },
  );
  await h.stratum.kernel.db.sequelize.query(
    `INSERT INTO wms_balances (id, tenant_id, item_id, location_id, warehouse_id, lot, on_hand, reserved, updated_at)
     SELECT 'bal_' || :prefix || lpad(g::text, 20, '0'), :tenant, 'itm_' || lpad((g / 20)::text, 26, '0'), 'loc_' || lpad((g % 20)::text, 26, '0'),
       'whs_' || (g % 20 / 10), '', g % 1000 * 1000, 0, now() - g * interval '1 second'
     FROM generate_series(1, :balances) AS g`,
    { replacements: { prefix: tenant.slice(-6), tenant, balances: moves / 2 } },
  );
}

(onPostgres ? describe : describe.skip)('WMS lists on PostgreSQL', () => {
  beforeAll(async () => {
    h = await Harness.start();
    tenantId = (await h.tenant()).tenantId;
    await fill(tenantId, 60_000);
    for (const table of ['wms_items', 'wms_item_stock', 'wms_stock_moves', 'wms_balances']) await h.stratum.kernel.db.sequelize.query(`ANALYZE ${table}`);
  }, 300_000);
  afterAll(() => h?.stop());

  async function plan(list: List, request: Partial<ListRequest>, sort: string): Promise<string[]> {
    const { sql, replacements } = buildListQuery(list, 'postgres', tenantId, { filters: {}, sort, limit: 50, ...request });
    const rows = await h.stratum.kernel.db.sequelize.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${sql}`, { replacements, type: QueryTypes.SELECT });
    return rows.map((r) => r['QUERY PLAN'].trim());
  }

  const item = 'itm_' + '42'.padStart(26, '0');
  const location = 'loc_' + '7'.padStart(26, '0');
  const cases: [string, List, string, Partial<ListRequest>, RegExp][] = [
    ['moves, newest first', STOCK_MOVE_LIST, '-posted_at', {}, /wms_stock_moves_tenant_posted/],
    ['moves of an item', STOCK_MOVE_LIST, '-posted_at', { filters: { item_id: item } }, /wms_stock_moves_tenant_item_posted/],
    ['moves at a location (either side)', STOCK_MOVE_LIST, '-posted_at', { filters: { location_id: location } }, /wms_stock_moves_(location_ids|tenant_posted)/],
    ['moves of a type', STOCK_MOVE_LIST, '-posted_at', { filters: { type: 'shipment' } }, /wms_stock_moves_tenant_(type_posted|posted)/],
    ['moves of a reference', STOCK_MOVE_LIST, '-posted_at', { filters: { reference_type: 'sales_order', reference_id: 'SO-77' } }, /wms_stock_moves_tenant_reference/],
    ['moves in a window', STOCK_MOVE_LIST, 'posted_at', { filters: { posted_at_after: new Date(Date.now() - 3_600_000), posted_at_before: new Date(Date.now() - 3_000_000) } }, /wms_stock_moves_tenant_posted/],
    ['balances, recently changed', BALANCE_LIST, '-updated_at', {}, /wms_balances_tenant_updated/],
    ['balances of an item', BALANCE_LIST, '-updated_at', { filters: { item_id: item } }, /wms_balances_(key|tenant_item_updated)/],
    ['balances at a location', BALANCE_LIST, '-updated_at', { filters: { location_id: location } }, /wms_balances_tenant_location_updated/],
    ['balances by quantity', BALANCE_LIST, '-on_hand', {}, /wms_balances_tenant_on_hand/],
  ];

  it.each(cases)('%s reads through an index, no table scan', async (_name, list, sort, request, index) => {
    const lines = await plan(list, request, sort);
    expect({ seqScan: lines.some((l) => /Seq Scan on wms_(stock_moves|balances)/.test(l)), plan: lines }).toEqual({ seqScan: false, plan: lines });
    const indexes = [...new Set(lines.flatMap((l) => [...l.matchAll(/(?:Index|Index Only|Bitmap Index) Scan(?: Backward)? (?:using|on) (\w+)/g)].map((m) => m[1])))];
    expect({ indexes, plan: lines }).toEqual({ indexes: expect.arrayContaining([expect.stringMatching(index)]), plan: lines });
  });
});
