import createClient from 'openapi-fetch';
import type { paths } from '../../generated/api';
import { testDbKind } from '../support/databases';
import { Harness } from '../support/harness';

/**
 * The ERP's flows through a typed client (openapi-fetch over the generated types, nothing
 * hand-written): procure (order, receipts), procure to pay (bill, finalize, payments) and order
 * to cash (order, confirm, deliveries, invoice, finalize, PDF, payment), each in a tenant of its own and
 * each step ending with the books and the stock in agreement: a zero trial balance, nothing from
 * the ledger check, no drift from the stock check.
 */
let h: Harness;

beforeAll(async () => {
  h = await Harness.start();
}, 180_000);
afterAll(() => h.stop(), 60_000);

type Api = ReturnType<typeof createClient<paths>>;
const eur = (amount: number) => ({ amount, currency: 'EUR' as const });

async function client(): Promise<Api> {
  const t = await h.tenant();
  return createClient<paths>({ baseUrl: `${h.baseUrl}/v1`, headers: { authorization: `Bearer ${t.token}` } });
}

/** A warehouse with a receiving dock and a storage bin, a 19 % tax rate, and two items. */
async function warehouseAndItems(api: Api) {
  const warehouse = (await api.POST('/wms/warehouses', { body: { code: 'BER-1', name: 'Berlin DC' } })).data!;
  const location = async (code: string, type: 'receiving' | 'storage') => (await api.POST('/wms/locations', { body: { warehouse_id: warehouse.id, code, type } })).data!.id;
  const dock = await location('DOCK-1', 'receiving');
  const bin = await location('A-01-01', 'storage');
  const desk = (await api.POST('/wms/items', { body: { sku: 'DESK-OAK', name: 'Oak desk', category: 'finished', unit: 'ea' } })).data!;
  const cable = (await api.POST('/wms/items', { body: { sku: 'CABLE-3M', name: 'Cable', category: 'component', unit: 'm' } })).data!;
  const rate = (await api.POST('/erp/tax-rates', { body: { name: 'Standard 19 %', rate: '19' } })).data!;
  return { warehouse: warehouse.id, dock, bin, desk: desk.id, cable: cable.id, rate: rate.id };
}

/** Buys stock: a CRM account as a supplier, a purchase order confirmed and received in two deliveries. */
async function procure(api: Api, w: Awaited<ReturnType<typeof warehouseAndItems>>) {
  const account = (await api.POST('/crm/accounts', { body: { name: 'Nordholz Möbelwerk GmbH' } })).data!;
  const supplier = (await api.POST('/erp/suppliers', { body: { account_id: account.id, payment_terms_days: 30, tax_rate_id: w.rate } })).data!;
  expect(supplier).toMatchObject({ account_id: account.id, name: 'Nordholz Möbelwerk GmbH', currency: 'EUR' });
  const draft = await api.POST('/erp/purchase-orders', {
    body: {
      supplier_id: supplier.id,
      order_date: '2026-12-01',
      lines: [
        { item_id: w.desk, quantity: '10', unit_cost: eur(18_000), location_id: w.bin },
        { item_id: w.cable, quantity: '250.5', unit_cost: eur(120), location_id: w.bin },
      ],
    },
  });
  expect(draft.response.status).toBe(201);
  const order = draft.data!;
  const id = { params: { path: { purchase_order_id: order.id } } };
  const confirmed = await api.POST('/erp/purchase-orders/{purchase_order_id}/confirm', { params: { ...id.params, header: { 'If-Match': `"${order.version}"` } } });
  expect(confirmed.data).toMatchObject({ status: 'confirmed', available_actions: expect.arrayContaining(['receive']) });
  // The first delivery: 4 desks, all the cable; then the rest of the desks.
  const first = await api.POST('/erp/purchase-orders/{purchase_order_id}/receive', {
    params: { ...id.params, header: { 'If-Match': `"${confirmed.data!.version}"`, 'Idempotency-Key': `${order.id}-receive-1` } },
    body: { lines: [{ line_id: order.lines[0].id, quantity: '4' }, { line_id: order.lines[1].id, quantity: '250.5' }] },
  });
  expect(first.data).toMatchObject({ status: 'partially_received' });
  const rest = await api.POST('/erp/purchase-orders/{purchase_order_id}/receive', { params: { ...id.params, header: { 'If-Match': `"${first.data!.version}"` } } });
  expect(rest.data).toMatchObject({ status: 'received' });
  expect(rest.data!.lines.map((l) => l.quantity_received)).toEqual(['10', '250.5']);
  return { supplier: supplier.id, order: order.id };
}

/** The books and the stock agree: the trial balance sums to zero, the ledger and stock checks find nothing. */
async function booksAgree(api: Api) {
  const tb = (await api.GET('/erp/reports/trial-balance', {})).data!;
  expect(tb.total_debit).toEqual(tb.total_credit);
  expect(tb.accounts.reduce((sum, a) => sum + a.balance.amount, 0)).toBe(0);
  const ledger = await api.GET('/erp/ledger-check', {});
  expect(ledger.response.status).toBe(200);
  expect(ledger.data!.findings).toEqual([]);
  const stock = await api.GET('/wms/stock-check', {});
  expect(stock.data!.drift).toEqual([]);
  return Object.fromEntries(tb.accounts.map((a) => [a.code, a.balance.amount]));
}

describe(`the ERP's flows through a typed client on ${testDbKind()}`, () => {
  it('procures: supplier, purchase order, two receipts into stock at the order’s costs, the goods-received entries', async () => {
    const api = await client();
    const w = await warehouseAndItems(api);
    const { order } = await procure(api, w);
    // Stock came in at the order's unit costs: 10 × 180.00 and 250.5 m × 1.20.
    expect((await api.GET('/wms/items/{item_id}/stock', { params: { path: { item_id: w.desk } } })).data).toMatchObject({ on_hand: '10', value: eur(180_000) });
    expect((await api.GET('/wms/items/{item_id}/stock', { params: { path: { item_id: w.cable } } })).data).toMatchObject({ on_hand: '250.5', value: eur(30_060) });
    // One goods-received entry per receipt, linked to the order: debit inventory, credit GRNI.
    const entries = (await api.GET('/erp/journal-entries', { params: { query: { source_type: 'purchase_order', sort: 'posted_at' } } })).data!.data;
    expect(entries.map((e) => [e.source?.id, e.total_debit.amount])).toEqual([
      [order, 72_000 + 30_060],
      [order, 108_000],
    ]);
    expect(await booksAgree(api)).toEqual({ '1300': 210_060, '2100': -210_060 });
  });

  it('pays the supplier: the order billed, the bill finalized, paid in two payments, the bill paid', async () => {
    const api = await client();
    const w = await warehouseAndItems(api);
    const { supplier, order } = await procure(api, w);
    const received = (await api.GET('/erp/purchase-orders/{purchase_order_id}', { params: { path: { purchase_order_id: order } } })).data!;
    const billed = await api.POST('/erp/purchase-orders/{purchase_order_id}/bill', { params: { path: { purchase_order_id: order }, header: { 'If-Match': `"${received.version}"` } } });
    expect(billed.response.status).toBe(201);
    const draft = billed.data!;
    // What was received, at the order's costs: 1800.00 + 300.60 net, 19 % on each line.
    expect(draft).toMatchObject({ status: 'draft', purchase_order_id: order, subtotal: eur(210_060), tax_total: eur(34_200 + 5_711), total: eur(210_060 + 39_911) });
    const path = { bill_id: draft.id };
    const open = await api.POST('/erp/bills/{bill_id}/finalize', { params: { path, header: { 'If-Match': `"${draft.version}"` } }, body: { issue_date: '2026-12-01' } });
    expect(open.data).toMatchObject({ status: 'open', due_date: '2026-12-31', amount_due: eur(249_971) });
    // GRNI cleared by the bill; payables hold what is owed.
    expect(await booksAgree(api)).toEqual({ '1300': 210_060, '1400': 39_911, '2000': -249_971, '2100': 0 });

    const pay = (amount: number, paid_on: string) => api.POST('/erp/payments', { body: { direction: 'paid', supplier_id: supplier, amount: eur(amount), paid_on, allocations: [{ bill_id: draft.id, amount: eur(amount) }] } });
    const part = await pay(100_000, '2026-12-03');
    expect(part.response.status).toBe(201);
    expect((await api.GET('/erp/bills/{bill_id}', { params: { path } })).data).toMatchObject({ status: 'open', amount_paid: eur(100_000), amount_due: eur(149_971) });
    // More than is due is refused, and changes nothing.
    expect((await pay(149_972, '2026-12-04')).response.status).toBe(409);
    const last = await pay(149_971, '2026-12-04');
    expect(last.data).toMatchObject({ unallocated: eur(0) });
    expect((await api.GET('/erp/bills/{bill_id}', { params: { path } })).data).toMatchObject({ status: 'paid', amount_due: eur(0), available_actions: [] });
    const payments = (await api.GET('/erp/payments', { params: { query: { supplier_id: supplier, sort: 'paid_on' } } })).data!.data;
    expect(payments.map((p) => [p.paid_on, p.amount.amount])).toEqual([
      ['2026-12-03', 100_000],
      ['2026-12-04', 149_971],
    ]);
    expect(await booksAgree(api)).toEqual({ '1000': -249_971, '1300': 210_060, '1400': 39_911, '2000': 0, '2100': 0 });
  });

  it('sells from that stock: customer, sales order, confirm (reserved), deliver in two shipments, the cost of goods', async () => {
    const api = await client();
    const w = await warehouseAndItems(api);
    await procure(api, w);
    const account = (await api.POST('/crm/accounts', { body: { name: 'Kanzlei Weber & Partner' } })).data!;
    const customer = (await api.POST('/erp/customers', { body: { account_id: account.id, payment_terms_days: 14, tax_rate_id: w.rate } })).data!;
    const created = await api.POST('/erp/sales-orders', {
      body: {
        customer_id: customer.id,
        order_date: '2026-12-03',
        lines: [
          { item_id: w.desk, quantity: '3', unit_price: eur(39_900), warehouse_id: w.warehouse },
          { item_id: w.cable, quantity: '12.5', unit_price: eur(450), location_id: w.bin },
        ],
      },
    });
    expect(created.response.status).toBe(201);
    const order = created.data!;
    // 3 × 399.00 + 12.5 × 4.50 = 1253.25 net, 19 % on each line rounded half to even.
    expect(order).toMatchObject({ status: 'draft', net_total: eur(125_325), available_actions: ['confirm', 'cancel'] });
    const path = { sales_order_id: order.id };
    const confirmed = await api.POST('/erp/sales-orders/{sales_order_id}/confirm', { params: { path, header: { 'If-Match': `"${order.version}"` } } });
    expect(confirmed.data).toMatchObject({ status: 'confirmed' });
    expect((await api.GET('/wms/items/{item_id}/stock', { params: { path: { item_id: w.desk } } })).data).toMatchObject({ on_hand: '10', reserved: '3', available: '7' });
    // An action the order does not take now is a 409 naming what it takes.
    const early = await api.POST('/erp/sales-orders/{sales_order_id}/confirm', { params: { path, header: { 'If-Match': `"${confirmed.data!.version}"` } } });
    expect(early.response.status).toBe(409);
    const first = await api.POST('/erp/sales-orders/{sales_order_id}/deliver', {
      params: { path, header: { 'If-Match': `"${confirmed.data!.version}"` } },
      body: { lines: [{ line_id: order.lines[0].id, quantity: '1' }] },
    });
    expect(first.data).toMatchObject({ status: 'partially_delivered' });
    const rest = await api.POST('/erp/sales-orders/{sales_order_id}/deliver', { params: { path, header: { 'If-Match': `"${first.data!.version}"` } } });
    expect(rest.data).toMatchObject({ status: 'delivered' });
    // The cost of goods at the moving average: 3 desks × 180.00 and 12.5 m × 1.20.
    const balances = await booksAgree(api);
    expect(balances['5000']).toBe(54_000 + 1_500);
    expect(balances['1300']).toBe(210_060 - 55_500);
    expect((await api.GET('/wms/items/{item_id}/stock', { params: { path: { item_id: w.desk } } })).data).toMatchObject({ on_hand: '7', reserved: '0', value: eur(126_000) });

    // Invoiced: the order's invoice action drafts what was delivered; finalized, it is owed.
    const invoiced = await api.POST('/erp/sales-orders/{sales_order_id}/invoice', { params: { path, header: { 'If-Match': `"${rest.data!.version}"` } } });
    expect(invoiced.response.status).toBe(201);
    const draft = invoiced.data!;
    expect(draft).toMatchObject({ status: 'draft', sales_order_id: order.id, subtotal: eur(125_325), total: order.total });
    expect((await api.GET('/erp/sales-orders/{sales_order_id}', { params: { path } })).data).toMatchObject({ status: 'invoiced', available_actions: [] });
    const open = await api.POST('/erp/invoices/{invoice_id}/finalize', { params: { path: { invoice_id: draft.id }, header: { 'If-Match': `"${draft.version}"` } }, body: { issue_date: '2026-12-04' } });
    expect(open.data).toMatchObject({ status: 'open', number: expect.stringMatching(/^INV-2026-\d{6}$/), due_date: '2026-12-18', amount_due: order.total });
    const total = order.total.amount;
    expect(await booksAgree(api)).toMatchObject({ '1200': total, '4000': -125_325, '2200': -(total - 125_325) });

    // Printed: the invoice as a PDF (the same GET, by Accept), of this number and this total.
    const pdf = await api.GET('/erp/invoices/{invoice_id}', { params: { path: { invoice_id: draft.id } }, headers: { Accept: 'application/pdf' }, parseAs: 'arrayBuffer' });
    expect(pdf.response.status).toBe(200);
    expect(pdf.response.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(pdf.data as ArrayBuffer).subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.response.headers.get('etag')).toBe(`"${open.data!.version}"`);

    // Paid: one payment for more than is due; the rest stays on the customer's account.
    const paid = await api.POST('/erp/payments', { body: { direction: 'received', customer_id: customer.id, amount: eur(total + 1_000), paid_on: '2026-12-05', reference: `Transfer ${open.data!.number}`, allocations: [{ invoice_id: draft.id, amount: eur(total) }] } });
    expect(paid.response.status).toBe(201);
    expect(paid.data).toMatchObject({ unallocated: eur(1_000), customer_id: customer.id, supplier_id: null });
    expect((await api.GET('/erp/invoices/{invoice_id}', { params: { path: { invoice_id: draft.id } } })).data).toMatchObject({ status: 'paid', amount_paid: order.total, amount_due: eur(0) });
    // Cash in; receivables carry the customer's credit of 10.00.
    expect(await booksAgree(api)).toMatchObject({ '1000': total + 1_000, '1200': -1_000 });
  });
});
