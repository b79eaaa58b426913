import { QueryTypes, type Transaction } from 'sequelize';
import { buildListQuery, type List, type ListRequest } from '../../src/platform/db/list-query';
import { JOURNAL_ENTRY_LIST, TRIAL_BALANCE } from '../../src/modules/erp/infrastructure/journal-entry.repository';
import { LEDGER_ACCOUNT_LIST } from '../../src/modules/erp/infrastructure/ledger-account.repository';
import { PERIOD_LIST } from '../../src/modules/erp/infrastructure/period.repository';
import { CREDIT_NOTE_LIST } from '../../src/modules/erp/infrastructure/credit-note.repository';
import { BILL_LIST, INVOICE_LIST } from '../../src/modules/erp/infrastructure/document.repository';
import { CUSTOMER_LIST, SUPPLIER_LIST } from '../../src/modules/erp/infrastructure/party.repository';
import { PAYMENT_LIST } from '../../src/modules/erp/infrastructure/payment.repository';
import { PURCHASE_ORDER_LIST } from '../../src/modules/erp/infrastructure/purchase-order.repository';
import { SALES_ORDER_LIST } from '../../src/modules/erp/infrastructure/sales-order.repository';
import { TAX_RATE_LIST } from '../../src/modules/erp/infrastructure/tax-rate.repository';
import { Harness } from '../support/harness';

/**
 * On PostgreSQL, with 20,000 customers, 20,000 suppliers, 5,000 tax rates and 5,000 ledger
 * accounts of one tenant (and as many of another), 20,000 journal entries of 3 lines each,
 * 240 periods, 20,000 sales orders, 20,000 purchase orders, 20,000 invoices, 20,000 bills and
 * 20,000 payments and 20,000 credit notes, each documented filter and sort
 * of the ERP's lists, and the trial balance's aggregation, read through an index — the plans,
 * not timings. Rows are made in SQL (generate_series).
 */
const onPostgres = process.env.STRATUM_TEST_DB === 'postgres';

let h: Harness;
let tenantId: string;

async function fill(tenant: string, n: number) {
  const q = (sql: string, transaction?: Transaction) => h.stratum.kernel.db.sequelize.query(sql, { replacements: { tenant, prefix: tenant.slice(-6), n }, transaction });
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
  // Journal entries over 1,000 days, each of three lines on three of the first 50 accounts: entries and lines in one
  // transaction (the ledger's constraint trigger checks at the commit that each entry has lines and balances).
  const sequelize = h.stratum.kernel.db.sequelize;
  await sequelize.transaction(async (t) => {
    await q(`INSERT INTO erp_journal_entries (id, tenant_id, number, date, memo, source_type, source_id, currency, total_amount, ledger_account_ids, status, reverses_entry_id, reversed_by_entry_id, posted_at)
      SELECT 'jen_' || :prefix || lpad(g::text, 20, '0'), :tenant, 'JE-2026-' || lpad(g::text, 6, '0'), DATE '2024-01-01' + (g % 1000), 'Entry ' || g,
        CASE WHEN g % 3 = 0 THEN NULL ELSE (ARRAY['invoice', 'bill'])[1 + g % 2] END, CASE WHEN g % 3 = 0 THEN NULL ELSE 'doc-' || g END, 'EUR', 100 + g,
        jsonb_build_array('lac_' || :prefix || lpad((1 + g % 50)::text, 20, '0'), 'lac_' || :prefix || lpad((1 + (g + 7) % 50)::text, 20, '0'), 'lac_' || :prefix || lpad((1 + (g + 13) % 50)::text, 20, '0')),
        'posted', NULL, NULL, now() - g * interval '1 second'
      FROM generate_series(1, :n) AS g`, t);
    await q(`INSERT INTO erp_journal_lines (entry_id, line_no, tenant_id, ledger_account_id, date, debit, credit, memo)
      SELECT 'jen_' || :prefix || lpad(g::text, 20, '0'), l, :tenant, 'lac_' || :prefix || lpad((1 + (g + (ARRAY[0, 7, 13])[l]) % 50)::text, 20, '0'), DATE '2024-01-01' + (g % 1000),
        CASE WHEN l = 1 THEN 100 + g ELSE 0 END, CASE WHEN l = 2 THEN 60 WHEN l = 3 THEN 40 + g ELSE 0 END, NULL
      FROM generate_series(1, :n) AS g, generate_series(1, 3) AS l`, t);
  });
  await q(`INSERT INTO erp_periods (tenant_id, id, status, locked_at, version, updated_at)
    SELECT :tenant, to_char(DATE '2010-01-01' + g * interval '1 month', 'YYYY-MM'), CASE WHEN g < 200 THEN 'locked' ELSE 'open' END, CASE WHEN g < 200 THEN now() END, CASE WHEN g < 200 THEN 2 ELSE 1 END, now()
    FROM generate_series(0, 239) AS g`);
  await q(`INSERT INTO erp_purchase_orders (id, tenant_id, number, supplier_id, status, order_date, currency, version, created_at, updated_at)
    SELECT 'po_' || :prefix || lpad(g::text, 20, '0'), :tenant, 'PO-2026-' || lpad(g::text, 6, '0'), 'p_' || :prefix || lpad((1 + g % 2000)::text, 20, '0'),
      (ARRAY['draft', 'confirmed', 'partially_received', 'received', 'cancelled'])[1 + g % 5], date '2026-01-01' + (g % 365), 'EUR', 1, now() - g * interval '1 second', now()
    FROM generate_series(1, :n) AS g`);
  // Invoices and bills: one in five a draft (no number, no dates), the others open, paid, void or uncollectible.
  for (const [table, prefix, series, party, order] of [
    ['erp_invoices', 'inv_', 'INV', 'customer_id', 'sales_order_id'],
    ['erp_bills', 'bil_', 'BILL', 'supplier_id', 'purchase_order_id'],
  ]) {
    await q(`INSERT INTO ${table} (id, tenant_id, number, ${party}, ${order}, status, issue_date, due_date, currency, amount_paid, journal_entry_id, version, created_at, updated_at)
      SELECT '${prefix}' || :prefix || lpad(g::text, 20, '0'), :tenant, CASE WHEN g % 5 = 0 THEN NULL ELSE '${series}-2026-' || lpad(g::text, 6, '0') END,
        'p_' || :prefix || lpad((1 + g % 2000)::text, 20, '0'), NULL,
        CASE WHEN g % 5 = 0 THEN 'draft' ELSE (ARRAY['open', 'paid', 'void', 'uncollectible'])[1 + g % 4] END,
        CASE WHEN g % 5 = 0 THEN NULL ELSE date '2026-01-01' + (g % 365) END, CASE WHEN g % 5 = 0 THEN NULL ELSE date '2026-01-31' + (g % 365) END,
        'EUR', 0, NULL, 1, now() - g * interval '1 second', now()
      FROM generate_series(1, :n) AS g`);
  }
  // Credit notes of the invoices: one in three a draft.
  await q(`INSERT INTO erp_credit_notes (id, tenant_id, number, customer_id, invoice_id, status, issue_date, reason, currency, amount_applied, refund_owed, journal_entry_id, version, created_at, updated_at)
    SELECT 'crn_' || :prefix || lpad(g::text, 20, '0'), :tenant, CASE WHEN g % 3 = 0 THEN NULL ELSE 'CN-2026-' || lpad(g::text, 6, '0') END,
      'p_' || :prefix || lpad((1 + g % 2000)::text, 20, '0'), 'inv_' || :prefix || lpad(g::text, 20, '0'), CASE WHEN g % 3 = 0 THEN 'draft' ELSE 'issued' END,
      CASE WHEN g % 3 = 0 THEN NULL ELSE date '2026-01-01' + (g % 365) END, NULL, 'EUR', 0, 0, NULL, 1, now() - g * interval '1 second', now()
    FROM generate_series(1, :n) AS g`);
  await q(`INSERT INTO erp_payments (id, tenant_id, direction, customer_id, supplier_id, currency, amount, unallocated, paid_on, reference, journal_entry_id, created_at)
    SELECT 'pay_' || :prefix || lpad(g::text, 20, '0'), :tenant, CASE WHEN g % 2 = 0 THEN 'received' ELSE 'paid' END,
      CASE WHEN g % 2 = 0 THEN 'p_' || :prefix || lpad((1 + g % 2000)::text, 20, '0') END, CASE WHEN g % 2 = 1 THEN 'p_' || :prefix || lpad((1 + g % 2000)::text, 20, '0') END,
      'EUR', 100 + g, 0, date '2026-01-01' + (g % 365), NULL, 'jen_' || :prefix || lpad(g::text, 20, '0'), now() - g * interval '1 second'
    FROM generate_series(1, :n) AS g`);
}

(onPostgres ? describe : describe.skip)('ERP lists on PostgreSQL', () => {
  beforeAll(async () => {
    h = await Harness.start();
    tenantId = (await h.tenant()).tenantId;
    await fill(tenantId, 20_000);
    await fill((await h.tenant()).tenantId, 20_000);
    for (const table of ['erp_customers', 'erp_suppliers', 'erp_tax_rates', 'erp_ledger_accounts', 'erp_journal_entries', 'erp_journal_lines', 'erp_periods', 'erp_sales_orders', 'erp_purchase_orders', 'erp_invoices', 'erp_bills', 'erp_payments', 'erp_credit_notes']) await h.stratum.kernel.db.sequelize.query(`ANALYZE ${table}`);
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
    ['the journal, latest first', JOURNAL_ENTRY_LIST, '-date', {}, /erp_journal_entries_tenant_date/],
    ['the journal by posting', JOURNAL_ENTRY_LIST, 'posted_at', {}, /erp_journal_entries_tenant_posted/],
    ['the journal in a date window', JOURNAL_ENTRY_LIST, 'date', { filters: { date_after: '2025-03-01', date_before: '2025-04-01' } }, /erp_journal_entries_tenant_date/],
    ['reversed entries', JOURNAL_ENTRY_LIST, '-date', { filters: { status: 'reversed' } }, /erp_journal_entries_tenant_status_date/],
    ['the entries of a document', JOURNAL_ENTRY_LIST, '-date', { filters: { source_type: 'invoice', source_id: 'doc-77' } }, /erp_journal_entries_tenant_source/],
    ['the entries of a document id', JOURNAL_ENTRY_LIST, '-date', { filters: { source_id: 'doc-77' } }, /erp_journal_entries_tenant_source_id/],
    ['the entries of a kind of document', JOURNAL_ENTRY_LIST, '-date', { filters: { source_type: 'bill' } }, /erp_journal_entries_tenant_(source|date)/],
    ['the entries on an account', JOURNAL_ENTRY_LIST, '-date', { filters: { ledger_account_id: `lac_${'x'.repeat(6)}${'3'.padStart(20, '0')}` } }, /erp_journal_entries_(ledger_account_ids|tenant_date)/],
    ['the periods, latest first', PERIOD_LIST, '-period', {}, /erp_periods_pkey|erp_periods_tenant_status/],
    ['the locked periods', PERIOD_LIST, '-period', { filters: { status: 'locked' } }, /erp_periods_tenant_status|erp_periods_pkey/],
    ['sales orders, newest order date first', SALES_ORDER_LIST, '-order_date', {}, /erp_sales_orders_tenant_order_date/],
    ['sales orders by order date', SALES_ORDER_LIST, 'order_date', {}, /erp_sales_orders_tenant_order_date/],
    ['sales orders, newest first', SALES_ORDER_LIST, '-created_at', {}, /erp_sales_orders_tenant_created/],
    ['the sales orders of a customer', SALES_ORDER_LIST, '-order_date', { filters: { customer_id: `p_${'x'.repeat(6)}${'77'.padStart(20, '0')}` } }, /erp_sales_orders_tenant_customer_date/],
    ['sales orders in a status', SALES_ORDER_LIST, '-order_date', { filters: { status: 'partially_delivered' } }, /erp_sales_orders_tenant_status_date/],
    ['sales orders of a month', SALES_ORDER_LIST, '-order_date', { filters: { order_date_after: '2026-03-01', order_date_before: '2026-04-01' } }, /erp_sales_orders_tenant_order_date/],
    ['purchase orders, newest order date first', PURCHASE_ORDER_LIST, '-order_date', {}, /erp_purchase_orders_tenant_order_date/],
    ['purchase orders by order date', PURCHASE_ORDER_LIST, 'order_date', {}, /erp_purchase_orders_tenant_order_date/],
    ['purchase orders, newest first', PURCHASE_ORDER_LIST, '-created_at', {}, /erp_purchase_orders_tenant_created/],
    ['the purchase orders of a supplier', PURCHASE_ORDER_LIST, '-order_date', { filters: { supplier_id: `p_${'x'.repeat(6)}${'77'.padStart(20, '0')}` } }, /erp_purchase_orders_tenant_supplier_date/],
    ['purchase orders in a status', PURCHASE_ORDER_LIST, '-order_date', { filters: { status: 'partially_received' } }, /erp_purchase_orders_tenant_status_date/],
    ['invoices, newest first', INVOICE_LIST, '-created_at', {}, /erp_invoices_tenant_created/],
    ['invoices by issue date', INVOICE_LIST, 'issue_date', {}, /erp_invoices_tenant_issue_date/],
    ['the invoices of a customer', INVOICE_LIST, '-created_at', { filters: { customer_id: `p_${'x'.repeat(6)}${'77'.padStart(20, '0')}` } }, /erp_invoices_tenant_party_created/],
    ['invoices in a status', INVOICE_LIST, '-created_at', { filters: { status: 'uncollectible' } }, /erp_invoices_tenant_status_created/],
    ['open invoices due before a day (the overdue ones)', INVOICE_LIST, '-created_at', { filters: { status: 'open', due_date_before: '2026-02-15' } }, /erp_invoices_tenant_(status_created|due_date)/],
    ['invoices issued in a month', INVOICE_LIST, 'issue_date', { filters: { issue_date_after: '2026-03-01', issue_date_before: '2026-04-01' } }, /erp_invoices_tenant_issue_date/],
    ['bills, newest first', BILL_LIST, '-created_at', {}, /erp_bills_tenant_created/],
    ['the bills of a supplier', BILL_LIST, '-created_at', { filters: { supplier_id: `p_${'x'.repeat(6)}${'77'.padStart(20, '0')}` } }, /erp_bills_tenant_party_created/],
    ['bills in a status', BILL_LIST, '-created_at', { filters: { status: 'void' } }, /erp_bills_tenant_status_created/],
    ['credit notes, newest first', CREDIT_NOTE_LIST, '-created_at', {}, /erp_credit_notes_tenant_created/],
    ['the credit notes of a customer', CREDIT_NOTE_LIST, '-created_at', { filters: { customer_id: `p_${'x'.repeat(6)}${'77'.padStart(20, '0')}` } }, /erp_credit_notes_tenant_customer_created/],
    ['the credit notes of an invoice', CREDIT_NOTE_LIST, '-created_at', { filters: { invoice_id: `inv_${'x'.repeat(6)}${'77'.padStart(20, '0')}` } }, /erp_credit_notes_tenant_invoice_created/],
    ['credit notes in a status', CREDIT_NOTE_LIST, '-created_at', { filters: { status: 'draft' } }, /erp_credit_notes_tenant_(status_created|created)/],
    ['payments, latest first', PAYMENT_LIST, '-paid_on', {}, /erp_payments_tenant_paid_on/],
    ['payments, newest first', PAYMENT_LIST, '-created_at', {}, /erp_payments_tenant_created/],
    ['payments received', PAYMENT_LIST, '-paid_on', { filters: { direction: 'received' } }, /erp_payments_tenant_direction_paid_on/],
    ['the payments of a customer', PAYMENT_LIST, '-paid_on', { filters: { customer_id: `p_${'x'.repeat(6)}${'77'.padStart(20, '0')}` } }, /erp_payments_tenant_customer_paid_on/],
    ['the payments to a supplier', PAYMENT_LIST, '-paid_on', { filters: { supplier_id: `p_${'x'.repeat(6)}${'77'.padStart(20, '0')}` } }, /erp_payments_tenant_supplier_paid_on/],
    ['payments of a month', PAYMENT_LIST, 'paid_on', { filters: { paid_on_after: '2026-03-01', paid_on_before: '2026-04-01' } }, /erp_payments_tenant_paid_on/],
    ['purchase orders of a month', PURCHASE_ORDER_LIST, '-order_date', { filters: { order_date_after: '2026-03-01', order_date_before: '2026-04-01' } }, /erp_purchase_orders_tenant_order_date/],
  ];

  it.each(cases)('%s reads through an index', async (_label, list, sort, request, index) => {
    const lines = await plan(list, request, sort);
    const text = lines.join('\n');
    expect(text).toMatch(index);
    expect(text).not.toMatch(/Seq Scan/);
  });

  it("sums the trial balance over the lines' index (tenant, date, account, debit, credit)", async () => {
    const { db } = h.stratum.kernel;
    const rows = await db.sequelize.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${TRIAL_BALANCE}`, { replacements: { tenantId, asOf: '2024-06-30' }, type: QueryTypes.SELECT });
    const text = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index (Only )?Scan (using|on) erp_journal_lines_trial_balance/);
    // The lines are never read whole (the accounts may be: the join wants half a small table of a tenant).
    expect(text).not.toMatch(/Seq Scan on erp_journal_lines/);
  });
});
