import type { SeedOptions } from '../../src/platform/module';
import { Harness } from '../support/harness';

let h: Harness;

beforeAll(async () => {
  h = await Harness.start();
}, 180_000);
afterAll(() => h.stop());

const quiet: SeedOptions['progress'] = () => ({ tick: () => undefined, done: () => undefined });
/** Few WMS items: this test is about the ERP's part of the seed. */
const ITEMS = 20;

interface Party {
  account_id: string;
  name: string;
  payment_terms_days: number;
  tax_rate_id: string | null;
  currency: string;
}

async function parties(token: string, role: 'customers' | 'suppliers'): Promise<Party[]> {
  const res = await h.request('GET', `/v1/erp/${role}?limit=200`, { token });
  expect(res.status).toBe(200);
  expect(res.body.next_cursor).toBeNull();
  return res.body.data;
}

describe('the ERP demo seed', () => {
  it('gives a tenant tax rates, the chart and customers and suppliers of its demo CRM accounts, the same every time, and nothing twice', async () => {
    const a = await h.tenant();
    const b = await h.tenant();
    const first = await h.stratum.seed(a.tenantId, { profile: 'demo', items: ITEMS, progress: quiet });
    expect(first).toMatchObject({ tax_rates: 3, ledger_accounts: 11, journal_entries: 3 });
    expect(first.customers).toBeGreaterThan(15);
    expect(first.customers).toBeLessThanOrEqual(20);
    expect(first.suppliers).toBeGreaterThan(5);
    expect(first.suppliers).toBeLessThanOrEqual(10);
    const again = await h.stratum.seed(a.tenantId, { profile: 'demo', items: ITEMS, progress: quiet });
    expect(again).toMatchObject({ tax_rates: 0, ledger_accounts: 0, customers: 0, suppliers: 0, journal_entries: 0, sales_orders: 0, purchase_orders: 0, invoices: 0, bills: 0, payments: 0, credit_notes: 0 });
    await h.stratum.seed(b.tenantId, { profile: 'demo', items: ITEMS, progress: quiet });

    // Read back through the API (every response checked against the contract).
    const rates = (await h.request('GET', '/v1/erp/tax-rates', { token: a.token })).body.data;
    expect(rates.map((r: { name: string; rate: string; inclusive: boolean }) => [r.name, r.rate, r.inclusive])).toEqual([
      ['Exempt 0 %', '0.000', false],
      ['Reduced 7 %', '7.000', false],
      ['Standard 19 %', '19.000', false],
    ]);
    const chart = (await h.request('GET', '/v1/erp/ledger-accounts', { token: a.token })).body.data;
    expect(chart.map((x: { code: string }) => x.code)).toEqual(['1000', '1200', '1300', '1400', '2000', '2100', '2200', '3000', '4000', '5000', '6000']);

    const standard = rates.find((r: { name: string }) => r.name === 'Standard 19 %').id;
    for (const role of ['customers', 'suppliers'] as const) {
      const seeded = await parties(a.token, role);
      expect(seeded).toHaveLength(first[role]);
      for (const p of seeded) {
        expect(p).toMatchObject({ tax_rate_id: standard, currency: 'EUR' });
        expect([14, 30, 45, 60]).toContain(p.payment_terms_days);
        const account = await h.request('GET', `/v1/crm/accounts/${p.account_id}`, { token: a.token });
        expect(account.status).toBe(200);
        expect(account.body.archived_at).toBeNull();
        expect(p.name).toBe(account.body.name);
      }
      // The same accounts (by the CRM seed's external ids) and terms in another tenant.
      const byExternal = async (token: string, list: Party[]) =>
        Object.fromEntries(await Promise.all(list.map(async (p) => [(await h.request('GET', `/v1/crm/accounts/${p.account_id}`, { token })).body.external_id, [p.name, p.payment_terms_days]])));
      expect(await byExternal(b.token, await parties(b.token, role))).toEqual(await byExternal(a.token, seeded));
    }
    // No account is both a seeded customer and a seeded supplier.
    const customerAccounts = new Set((await parties(a.token, 'customers')).map((p) => p.account_id));
    expect((await parties(a.token, 'suppliers')).some((p) => customerAccounts.has(p.account_id))).toBe(false);

    // The demo journal: a few entries, once, and a trial balance that is not trivial and balances.
    const entries = (await h.request('GET', '/v1/erp/journal-entries?source_type=demo_seed&sort=posted_at', { token: a.token })).body.data;
    expect(entries.map((e: { memo: string }) => e.memo)).toEqual(['Opening balance', 'Office rent, paid in cash', 'Office supplies, paid in cash']);
    const tb = (await h.request('GET', '/v1/erp/reports/trial-balance', { token: a.token })).body;
    // 5000: the cost of goods of the delivered demo order (debit cost of goods, credit inventory);
    // 2100: the goods received on the demo purchase orders (debit inventory, credit GRNI), less
    // the finalized bill; 1200, 4000, 2200: the finalized invoices; 1400, 2000: the bill.
    expect(tb.accounts.map((r: { code: string }) => r.code)).toEqual(['1000', '1200', '1300', '1400', '2000', '2100', '2200', '3000', '4000', '5000', '6000']);
    expect(tb.accounts.find((r: { code: string }) => r.code === '2100').balance.amount).toBe(-(10500 - 5900));
    expect(tb.accounts.find((r: { code: string }) => r.code === '5000').balance.amount).toBeGreaterThan(0);
    expect(tb.total_debit).toEqual(tb.total_credit);
    expect(tb.total_debit.amount).toBeGreaterThan(0);
    expect(tb.accounts.reduce((sum: number, r: { balance: { amount: number } }) => sum + r.balance.amount, 0)).toBe(0);
    // Cash: the opening balance, less rent and supplies, plus the invoice paid, less the part of the bill paid.
    const paidInvoice = (await h.request('GET', '/v1/erp/invoices?status=paid', { token: a.token })).body.data;
    expect(paidInvoice).toHaveLength(1);
    expect(tb.accounts.find((r: { code: string }) => r.code === '1000').balance).toEqual({ amount: 5_000_000 - 120_000 - 34_000 + paidInvoice[0].total.amount - 4000, currency: 'EUR' });
    // Four sales orders, one in each of draft, confirmed, delivered, cancelled; the same in b.
    expect(first.sales_orders).toBe(4);
    const orders = async (token: string) => {
      const res = await h.request('GET', '/v1/erp/sales-orders?sort=order_date', { token });
      expect(res.status).toBe(200);
      return res.body.data.map((o: any) => [o.number, o.status, o.order_date, o.lines.map((l: any) => [l.quantity, l.quantity_delivered, l.unit_price.amount]), o.total.amount]);
    };
    const seededOrders = await orders(a.token);
    expect(seededOrders.map((o: unknown[]) => o.slice(0, 3))).toEqual([
      ['SO-2026-000001', 'draft', '2026-11-24'],
      ['SO-2026-000002', 'confirmed', '2026-11-26'],
      ['SO-2026-000003', 'invoiced', '2026-11-27'],
      ['SO-2026-000004', 'cancelled', '2026-11-30'],
    ]);
    expect(seededOrders[2][3]).toEqual([
      ['2', '2', 1990],
      ['2', '2', 890],
    ]);
    expect(await orders(b.token)).toEqual(seededOrders);

    // Four purchase orders: draft, confirmed, received in part, received; the same in b.
    expect(first.purchase_orders).toBe(4);
    const purchases = async (token: string) => {
      const res = await h.request('GET', '/v1/erp/purchase-orders?sort=order_date', { token });
      expect(res.status).toBe(200);
      return res.body.data.map((o: any) => [o.number, o.status, o.order_date, o.lines.map((l: any) => [l.quantity, l.quantity_received, l.unit_cost.amount]), o.total.amount]);
    };
    const seededPurchases = await purchases(a.token);
    expect(seededPurchases.map((o: unknown[]) => o.slice(0, 4))).toEqual([
      ['PO-2026-000001', 'draft', '2026-11-20', [['5', '0', 1450], ['5', '0', 690]]],
      ['PO-2026-000002', 'confirmed', '2026-11-21', [['5', '0', 3150]]],
      ['PO-2026-000003', 'partially_received', '2026-11-23', [['5', '5', 920], ['5', '0', 445]]],
      ['PO-2026-000004', 'received', '2026-11-25', [['5', '5', 1180]]],
    ]);
    expect(await purchases(b.token)).toEqual(seededPurchases);
    // Their goods-received entries: 5 × 9.20 and 5 × 11.80, each debit inventory, credit GRNI.
    const received = await h.stratum.kernel.db.sequelize.query<{ code: string; debit: string | number; credit: string | number }>(
      `SELECT a.code, SUM(l.debit) AS debit, SUM(l.credit) AS credit FROM erp_journal_entries e JOIN erp_journal_lines l ON l.entry_id = e.id JOIN erp_ledger_accounts a ON a.id = l.ledger_account_id
       WHERE e.tenant_id = :tenant AND e.source_type = 'purchase_order' GROUP BY a.code ORDER BY a.code`,
      { replacements: { tenant: a.tenantId }, type: 'SELECT' as never },
    );
    expect(received.map((r) => [r.code, Number(r.debit), Number(r.credit)])).toEqual([
      ['1300', 10500, 0],
      ['2100', 0, 10500],
    ]);
    // Invoices: the delivered order's (paid by the demo payment), and three written directly (draft, void,
    // uncollectible); bills: the received order's (open, 40.00 of it paid) and the one received in part's (draft).
    expect([first.invoices, first.bills, first.payments, first.credit_notes]).toEqual([4, 2, 2, 1]);
    const notes = (await h.request('GET', '/v1/erp/credit-notes', { token: a.token })).body.data;
    expect(notes.map((n: any) => [n.status, n.reason, n.lines.map((l: any) => l.quantity)])).toEqual([['draft', 'One unit damaged in transit', ['1']]]);
    const documents = async (token: string, path: string) => {
      const res = await h.request('GET', `/v1/erp/${path}?sort=created_at`, { token });
      expect(res.status).toBe(200);
      return res.body.data.map((d: any) => [d.number && d.number.replace(/-\d{4}-/, '-YYYY-'), d.status, d.total.amount, d.amount_due.amount]);
    };
    const seededInvoices = await documents(a.token, 'invoices');
    expect(seededInvoices.map((d: unknown[]) => d.slice(0, 2))).toEqual([
      ['INV-YYYY-000001', 'paid'],
      [null, 'draft'],
      ['INV-YYYY-000002', 'void'],
      ['INV-YYYY-000003', 'uncollectible'],
    ]);
    expect(await documents(b.token, 'invoices')).toEqual(seededInvoices);
    const seededBills = await documents(a.token, 'bills');
    expect(seededBills).toEqual([
      ['BILL-YYYY-000001', 'open', 7021, 7021 - 4000],
      [null, 'draft', 5474, 5474],
    ]);
    expect(await documents(b.token, 'bills')).toEqual(seededBills);
    // What the demo orders did to stock agrees with the ledger of moves, and the journal with
    // the stock: the opening inventory was the stock's valuation, every later movement an ERP
    // document's.
    expect((await h.request('GET', '/v1/wms/stock-check', { token: a.token })).body.drift).toEqual([]);
    const check = await h.request('GET', '/v1/erp/ledger-check', { token: a.token });
    expect(check.status).toBe(200);
    expect(check.body.findings).toEqual([]);
    expect(check.body.entries_checked).toBeGreaterThanOrEqual(3 + 1 + 2);
  }, 180_000);
});
