import { QueryTypes } from 'sequelize';
import { buildListQuery, type List, type ListRequest } from '../../src/platform/db/list-query';
import { LEDGER_ACCOUNT_LIST } from '../../src/modules/erp/infrastructure/ledger-account.repository';
import { CUSTOMER_LIST, SUPPLIER_LIST } from '../../src/modules/erp/infrastructure/party.repository';
import { SALES_ORDER_LIST } from '../../src/modules/erp/infrastructure/sales-order.repository';
import { TAX_RATE_LIST } from '../../src/modules/erp/infrastructure/tax-rate.repository';
import { Harness } from '../support/harness';

/**
 * On PostgreSQL, with 20,000 customers, 20,000 suppliers, 5,000 tax rates, 5,000 ledger
 * accounts and 20,000 sales orders of one tenant (and as many of another), each documented filter and sort of the ERP's
 * lists reads through an index — the plans, not timings. Rows are made in SQL (generate_series).
 */
const onPostgres = process.env.STRATUM_TEST_DB === 'postgres';

let h: Harness;
let tenantId: string;

async function fill(tenant: string, n: number) {
  const q = (sql: string) => h.stratum.kernel.db.sequelize.query(sql, { replacements: { tenant, prefix: tenant.slice(-6), n } });
  for (const table of ['erp_customers', 'erp_suppliers']) {
    await q(`INSERT INTO ${table} (id, tenant_id, account_id, name, name_key, billing_address, payment_terms_days, tax_rate_id, currency, version, created_at, updated_at)
      SELECT 'p_' || :prefix || lpad(g::text, 20, '0'), :tenant, 'acc_' || :prefix || lpad(g::text, 20, '0'), 'Company ' || md5(g::text), 'company ' || md5(g::text),
        NULL, 30, NULL, 'EUR', 1, now() - g * interval '1 second', now()
      FROM generate_series(1, :n) AS g`);
  }
  await q(`INSERT INTO erp_tax_rates (id, tenant_id, name, name_key, rate, inclusive, is_active, version, created_at, updated_at)
    SELECT 'txr_' || :prefix || lpad(g::text, 20, '0'), :tenant, 'Rate ' || md5(g::text), 'rate ' || md5(g::text), g % 100000, false, g % 10 <> 0, 1, now() - g * interval '1 second', now()
    FROM generate_series(1, :n / 4) AS g`);
  await q(`INSERT INTO erp_ledger_accounts (id, tenant_id, code, code_key, name, name_key, type, system, version, created_at, updated_at)
    SELECT 'lac_' || :prefix || lpad(g::text, 20, '0'), :tenant, 'C' || g, 'c' || g, 'Account ' || md5(g::text), 'account ' || md5(g::text),
      (ARRAY['asset', 'liability', 'equity', 'revenue', 'expense'])[1 + g % 5], g % 500 = 0, 1, now() - g * interval '1 second', now()
    FROM generate_series(1, :n / 4) AS g`);
  await q(`INSERT INTO erp_sales_orders (id, tenant_id, number, customer_id, status, order_date, currency, version, created_at, updated_at)
    SELECT 'so_' || :prefix || lpad(g::text, 20, '0'), :tenant, 'SO-2026-' || lpad(g::text, 6, '0'), 'p_' || :prefix || lpad((1 + g % 2000)::text, 20, '0'),
      (ARRAY['draft', 'confirmed', 'partially_delivered', 'delivered', 'invoiced', 'cancelled'])[1 + g % 6], date '2026-01-01' + (g % 365), 'EUR', 1, now() - g * interval '1 second', now()
    FROM generate_series(1, :n) AS g`);
}

(onPostgres ? describe : describe.skip)('ERP lists on PostgreSQL', () => {
  beforeAll(async () => {
    h = await Harness.start();
    tenantId = (await h.tenant()).tenantId;
    await fill(tenantId, 20_000);
    await fill((await h.tenant()).tenantId, 20_000);
    for (const table of ['erp_customers', 'erp_suppliers', 'erp_tax_rates', 'erp_ledger_accounts', 'erp_sales_orders']) await h.stratum.kernel.db.sequelize.query(`ANALYZE ${table}`);
  }, 300_000);
  afterAll(() => h?.stop());

  async function plan(list: List, request: Partial<ListRequest>, sort: string): Promise<string[]> {
    const { sql, replacements } = buildListQuery(list, 'postgres', tenantId, { filters: {}, sort, limit: 50, ...request });
    const rows = await h.stratum.kernel.db.sequelize.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${sql}`, { replacements, type: QueryTypes.SELECT });
    return rows.map((r) => r['QUERY PLAN'].trim());
  }

  const account = `acc_${'x'.repeat(6)}${'77'.padStart(20, '0')}`;
  const cases: [string, List, string, Partial<ListRequest>, RegExp][] = [
    ['customers by name', CUSTOMER_LIST, 'name', {}, /erp_customers_tenant_name/],
    ['customers by name, descending', CUSTOMER_LIST, '-name', {}, /erp_customers_tenant_name/],
    ['customers, newest first', CUSTOMER_LIST, '-created_at', {}, /erp_customers_tenant_created/],
    ['the customer of an account', CUSTOMER_LIST, 'name', { filters: { account_id: account } }, /erp_customers_tenant_account/],
    ['customers by a name prefix', CUSTOMER_LIST, 'name', { filters: { q: 'company ab' } }, /erp_customers_tenant_name/],
    ['suppliers by name', SUPPLIER_LIST, 'name', {}, /erp_suppliers_tenant_name/],
    ['suppliers by a name prefix', SUPPLIER_LIST, 'name', { filters: { q: 'company 1f' } }, /erp_suppliers_tenant_name/],
    ['tax rates by name', TAX_RATE_LIST, 'name', {}, /erp_tax_rates_tenant_name/],
    ['active tax rates by name', TAX_RATE_LIST, 'name', { filters: { is_active: true } }, /erp_tax_rates_tenant_(active_name|name)/],
    ['tax rates, newest first', TAX_RATE_LIST, '-created_at', {}, /erp_tax_rates_tenant_created/],
    ['the chart by code', LEDGER_ACCOUNT_LIST, 'code', {}, /erp_ledger_accounts_tenant_code/],
    ['the chart by name', LEDGER_ACCOUNT_LIST, 'name', {}, /erp_ledger_accounts_tenant_name/],
    ['accounts of a type by code', LEDGER_ACCOUNT_LIST, 'code', { filters: { type: 'equity' } }, /erp_ledger_accounts_tenant_(type_code|code)/],
    ['standard accounts by code', LEDGER_ACCOUNT_LIST, 'code', { filters: { system: true } }, /erp_ledger_accounts_tenant_system_code/],
    ['sales orders, newest order date first', SALES_ORDER_LIST, '-order_date', {}, /erp_sales_orders_tenant_order_date/],
    ['sales orders by order date', SALES_ORDER_LIST, 'order_date', {}, /erp_sales_orders_tenant_order_date/],
    ['sales orders, newest first', SALES_ORDER_LIST, '-created_at', {}, /erp_sales_orders_tenant_created/],
    ['the sales orders of a customer', SALES_ORDER_LIST, '-order_date', { filters: { customer_id: `p_${'x'.repeat(6)}${'77'.padStart(20, '0')}` } }, /erp_sales_orders_tenant_customer_date/],
    ['sales orders in a status', SALES_ORDER_LIST, '-order_date', { filters: { status: 'partially_delivered' } }, /erp_sales_orders_tenant_status_date/],
    ['sales orders of a month', SALES_ORDER_LIST, '-order_date', { filters: { order_date_after: '2026-03-01', order_date_before: '2026-04-01' } }, /erp_sales_orders_tenant_order_date/],
  ];

  it.each(cases)('%s reads through an index', async (_label, list, sort, request, index) => {
    const lines = await plan(list, request, sort);
    const text = lines.join('\n');
    expect(text).toMatch(index);
    expect(text).not.toMatch(/Seq Scan/);
  });
});
