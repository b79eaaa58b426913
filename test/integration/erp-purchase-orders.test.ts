import { entriesOf, eur, type Json, orderRequests, outboxEvents, pointersOf, unique, webhookSchema } from '../support/erp-orders';
import { Harness, type Admin } from '../support/harness';

/**
 * Purchase orders through the HTTP app on a real database: drafts and their checks,
 * confirmation, receipts into WMS stock at the lines' costs with the goods-received entry,
 * cancellation, and the refusals.
 */
let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

const { post, act, get, patch, created } = orderRequests(
  () => h,
  () => admin.token,
);

/** A supplier (19 % by default), a warehouse with a dock and a bin, and items (chairs with stock at 10.00, rope, lot-tracked wire). */
async function world(token = admin.token) {
  const rate = await created('/erp/tax-rates', { name: `VAT ${unique()}`, rate: '19' }, token);
  const reduced = await created('/erp/tax-rates', { name: `Reduced ${unique()}`, rate: '7' }, token);
  const account = await created('/crm/accounts', { name: `Supplier ${unique()}` }, token);
  const supplier = await created('/erp/suppliers', { account_id: account.id, tax_rate_id: rate.id }, token);
  const warehouse = await created('/wms/warehouses', { code: `W-${unique()}`, name: 'Receiving warehouse' }, token);
  const dock = await created('/wms/locations', { warehouse_id: warehouse.id, code: 'DOCK', type: 'storage' }, token);
  const bin = await created('/wms/locations', { warehouse_id: warehouse.id, code: 'B1', type: 'storage' }, token);
  const chair = await created('/wms/items', { sku: `CHAIR-${unique()}`, name: 'Chair', category: 'finished', unit: 'ea' }, token);
  const rope = await created('/wms/items', { sku: `ROPE-${unique()}`, name: 'Rope', category: 'raw', unit: 'm' }, token);
  const wire = await created('/wms/items', { sku: `WIRE-${unique()}`, name: 'Wire', category: 'raw', unit: 'm', tracking: 'lot' }, token);
  await created('/wms/stock-moves', { type: 'receipt', item_id: chair.id, quantity: '10', to_location_id: bin.id, unit_cost: eur(1000) }, token);
  return { rate: rate.id, reduced: reduced.id, supplier: supplier.id, warehouse: warehouse.id, dock: dock.id, bin: bin.id, chair: chair.id, rope: rope.id, wire: wire.id };
}

const entries = (orderId: string) => entriesOf(h, 'purchase_order', orderId);

async function stockOf(item: string, token = admin.token) {
  const res = await get(`/wms/items/${item}/stock`, token);
  expect(res.status).toBe(200);
  return res.body as Json;
}

describe('ERP purchase orders', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });

  const draft = (lines: unknown[] = [], extra: Json = {}) =>
    post('/erp/purchase-orders', {
      supplier_id: w.supplier,
      order_date: '2026-12-09',
      lines: lines.length ? lines : [{ item_id: w.chair, quantity: '2', unit_cost: eur(1300), location_id: w.dock }],
      ...extra,
    });
  const confirmed = async (lines: unknown[] = []) => {
    const order = (await draft(lines)).body;
    const res = await act(`/erp/purchase-orders/${order.id}/confirm`, '"1"');
    expect(res.status).toBe(200);
    return res.body as Json;
  };

  it('creates a draft with its lines, line tax and totals, and reads it back', async () => {
    const res = await draft([
      { item_id: w.chair, quantity: '2', unit_cost: eur(1999), location_id: w.dock },
      { item_id: w.rope, quantity: '2.5', unit_cost: eur(333), tax_rate_id: w.reduced },
    ]);
    expect(res.status).toBe(201);
    // 2 × 19.99 = 39.98, 19 % → 7.5962 → 7.60; 2.5 × 3.33 = 8.325 → 8.32 (half to even), 7 % → 0.5824 → 0.58.
    expect(res.body).toEqual({
      id: expect.stringMatching(/^po_[0-9A-HJKMNP-TV-Z]{26}$/),
      number: expect.stringMatching(/^PO-2026-\d{6}$/),
      supplier_id: w.supplier,
      status: 'draft',
      order_date: '2026-12-09',
      currency: 'EUR',
      lines: [
        {
          id: expect.stringMatching(/^pol_/),
          item_id: w.chair,
          quantity: '2',
          unit_cost: eur(1999),
          tax_rate_id: w.rate,
          location_id: w.dock,
          quantity_received: '0',
          quantity_billed: '0',
          net: eur(3998),
          tax: eur(760),
          total: eur(4758),
        },
        {
          id: expect.stringMatching(/^pol_/),
          item_id: w.rope,
          quantity: '2.5',
          unit_cost: eur(333),
          tax_rate_id: w.reduced,
          location_id: null,
          quantity_received: '0',
          quantity_billed: '0',
          net: eur(832),
          tax: eur(58),
          total: eur(890),
        },
      ],
      net_total: eur(4830),
      tax_total: eur(818),
      total: eur(5648),
      available_actions: ['confirm', 'cancel'],
      version: 1,
      created_at: expect.any(String),
      updated_at: res.body.created_at,
    });
    expect(res.headers.get('location')).toBe(`/v1/erp/purchase-orders/${res.body.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    const got = await get(`/erp/purchase-orders/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.body).toEqual(res.body);
  });

  it('refuses bad input naming each field (400), a foreign currency (422), and writes nothing', async () => {
    const t = await h.tenant();
    const count = async () => (await get('/erp/purchase-orders?limit=200', t.token)).body.data.length;
    const tw = await world(t.token);
    const line = { item_id: tw.chair, quantity: '1', unit_cost: eur(100), location_id: tw.dock };
    const send = (json: Json) => post('/erp/purchase-orders', { supplier_id: tw.supplier, lines: [line], ...json }, t.token);

    const unknownItem = await send({ lines: [line, { ...line, item_id: 'itm_01M8RDA4M0BAN7CSRWPDWF0GPZ' }] });
    expect(unknownItem.status).toBe(400);
    expect(pointersOf(unknownItem)).toEqual(['/lines/1/item_id']);
    expect(pointersOf(await send({ lines: [{ ...line, item_id: w.chair }] }))).toEqual(['/lines/0/item_id']); // another tenant's item
    const inactive = await created('/wms/items', { sku: `OLD-${unique()}`, name: 'Old', category: 'finished', unit: 'ea' }, t.token);
    expect((await h.request('PATCH', `/v1/wms/items/${inactive.id}`, { token: t.token, json: { is_active: false }, headers: { 'content-type': 'application/merge-patch+json', 'if-match': '"1"' } })).status).toBe(200);
    expect(pointersOf(await send({ lines: [{ ...line, item_id: inactive.id }] }))).toEqual(['/lines/0/item_id']);

    expect(pointersOf(await send({ lines: [{ ...line, unit_cost: { amount: -1, currency: 'EUR' } }] }))).toEqual(['/lines/0/unit_cost/amount']);
    expect(pointersOf(await send({ lines: [{ ...line, quantity: '1.5' }] }))).toEqual(['/lines/0/quantity']);
    expect(pointersOf(await send({ lines: [{ ...line, quantity: '0' }] }))).toEqual(['/lines/0/quantity']);
    expect(pointersOf(await send({ lines: [{ ...line, unit_cost: { amount: 100, currency: 'USD' } }] }))).toEqual(['/lines/0/unit_cost/currency']);
    expect(pointersOf(await send({ lines: [{ ...line, tax_rate_id: 'txr_01M8C0A2C4E6G8J0K2M4P6R8T0' }] }))).toEqual(['/lines/0/tax_rate_id']);
    expect(pointersOf(await send({ lines: [{ ...line, warehouse_id: tw.warehouse }] }))).toEqual(['/lines/0/warehouse_id']);
    const unknownSupplier = await send({ supplier_id: 'sup_01M8C2D4F6H8K0M2P4R6T8V0X2' });
    expect(pointersOf(unknownSupplier)).toEqual(['/supplier_id']);
    expect(unknownSupplier.body.detail).toContain('supplier');
    expect(pointersOf(await send({ supplier_id: w.supplier }))).toEqual(['/supplier_id']); // another tenant's supplier
    expect(pointersOf(await send({ lines: [] }))).toEqual(['/lines']);
    expect(pointersOf(await send({ order_date: '2026-13-01', status: 'received' }))).toEqual(['/order_date', '/status']);
    // A supplier without a default rate: each line names its own.
    const bare = await created('/erp/suppliers', { account_id: (await created('/crm/accounts', { name: 'Bare' }, t.token)).id }, t.token);
    expect(pointersOf(await send({ supplier_id: bare.id }))).toEqual(['/lines/0/tax_rate_id']);

    const foreign = await send({ currency: 'USD' });
    expect(foreign.status).toBe(422);
    expect(foreign.body.type).toBe('/problems/not-supported');
    expect(pointersOf(foreign)).toEqual(['/currency']);
    expect(await count()).toBe(0);
    expect((await send({ supplier_id: bare.id, lines: [{ ...line, tax_rate_id: tw.reduced }] })).status).toBe(201);
    expect(await count()).toBe(1);
  });

  it('changes a draft by merge patch (lines replaced whole), with If-Match, and only a draft', async () => {
    const order = (await draft()).body;
    expect((await patch(`/erp/purchase-orders/${order.id}`, { order_date: '2026-12-10' }, undefined)).status).toBe(428);
    expect((await patch(`/erp/purchase-orders/${order.id}`, { order_date: '2026-12-10' }, '"7"')).status).toBe(412);
    const changed = await patch(`/erp/purchase-orders/${order.id}`, { order_date: '2026-12-10', lines: [{ item_id: w.rope, quantity: '10', unit_cost: eur(50) }] }, '"1"');
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('"2"');
    expect(changed.body).toMatchObject({ order_date: '2026-12-10', version: 2, total: eur(595), lines: [{ item_id: w.rope, quantity: '10', net: eur(500), tax: eur(95), tax_rate_id: w.rate, location_id: null }] });
    expect(changed.body.lines).toHaveLength(1);
    expect((await patch(`/erp/purchase-orders/${order.id}`, { order_date: '2026-12-10' }, '"2"')).body.version).toBe(2);
    expect(pointersOf(await patch(`/erp/purchase-orders/${order.id}`, { lines: [{ item_id: w.rope, quantity: '1', unit_cost: eur(-5) }] }, '"2"'))).toEqual(['/lines/0/unit_cost/amount']);
    expect(pointersOf(await patch(`/erp/purchase-orders/${order.id}`, { supplier_id: 'sup_01M8C2D4F6H8K0M2P4R6T8V0X2' }, '"2"'))).toEqual(['/supplier_id']);
    expect((await patch(`/erp/purchase-orders/${order.id}`, { currency: 'GBP' }, '"2"')).status).toBe(422);
    expect((await get(`/erp/purchase-orders/${order.id}`)).body).toEqual(changed.body);

    expect((await act(`/erp/purchase-orders/${order.id}/confirm`, '"2"')).status).toBe(200);
    const late = await patch(`/erp/purchase-orders/${order.id}`, { order_date: '2026-12-11' }, '"3"');
    expect(late.status).toBe(409);
    expect(late.body.detail).toMatch(/is confirmed: it cannot be changed \(only a draft can\); the actions it takes now: receive, cancel/);
  });

  it('confirms a draft once (idempotent replay), putting nothing in stock', async () => {
    const before = await stockOf(w.chair);
    const order = (await draft()).body;
    expect((await act(`/erp/purchase-orders/${order.id}/confirm`, undefined)).status).toBe(428);
    expect((await act(`/erp/purchase-orders/${order.id}/confirm`, '"2"')).status).toBe(412);
    const key = { 'idempotency-key': `confirm-${order.id}` };
    const res = await act(`/erp/purchase-orders/${order.id}/confirm`, '"1"', undefined, key);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(res.body).toMatchObject({ status: 'confirmed', version: 2, available_actions: ['receive', 'cancel'] });
    const replay = await act(`/erp/purchase-orders/${order.id}/confirm`, '"1"', undefined, key);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(res.body);
    expect(await stockOf(w.chair)).toEqual(before);
    const again = await act(`/erp/purchase-orders/${order.id}/confirm`, '"2"');
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/Purchase order po_\w+ is confirmed: it cannot confirm; the actions it takes now: receive, cancel/);
    expect((await act(`/erp/purchase-orders/${(await draft()).body.id}/receive`, '"1"')).status).toBe(409); // a draft is not received
  });

  it('receives in parts into WMS stock at the unit cost: the average moves, the goods-received entry balances, partially_received then received', async () => {
    const before = await stockOf(w.chair);
    expect(before).toMatchObject({ on_hand: '10', unit_cost: eur(1000) });
    const order = await confirmed([
      { item_id: w.chair, quantity: '10', unit_cost: eur(1300), location_id: w.dock },
      { item_id: w.rope, quantity: '4', unit_cost: eur(41) },
    ]);
    const [chairLine, ropeLine] = order.lines.map((l: Json) => l.id);

    // Everything outstanding: the rope line names no location, and neither does the body.
    const nowhere = await act(`/erp/purchase-orders/${order.id}/receive`, '"2"');
    expect(nowhere.status).toBe(400);
    expect(pointersOf(nowhere)).toEqual(['/location_id']);
    expect(nowhere.body.errors[0].detail).toContain(ropeLine);
    const tooMuch = await act(`/erp/purchase-orders/${order.id}/receive`, '"2"', { lines: [{ line_id: ropeLine, quantity: '5' }], location_id: w.bin });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.detail).toContain(ropeLine);
    expect(tooMuch.body.detail).toMatch(/has 4 outstanding \(4 ordered, 0 received\): 5 cannot be received/);
    expect(pointersOf(await act(`/erp/purchase-orders/${order.id}/receive`, '"2"', { lines: [{ line_id: 'pol_01M9G0A2C4E6G8J0K2M4P6R8T1', quantity: '1' }] }))).toEqual(['/lines/0/line_id']);
    expect(pointersOf(await act(`/erp/purchase-orders/${order.id}/receive`, '"2"', { lines: [{ line_id: chairLine, quantity: '1' }, { line_id: chairLine, quantity: '1' }] }))).toEqual(['/lines/1/line_id']);
    expect(pointersOf(await act(`/erp/purchase-orders/${order.id}/receive`, '"2"', { lines: [{ line_id: chairLine, quantity: '0.5' }] }))).toEqual(['/lines/0/quantity']);
    expect(pointersOf(await act(`/erp/purchase-orders/${order.id}/receive`, '"2"', { lines: [{ line_id: chairLine, quantity: '1' }], location_id: 'loc_01M8RA5DZ0E524BHJEP0CKCRSX' }))).toEqual(['/lines/0/location_id']);
    expect(await stockOf(w.chair)).toEqual(before);
    expect(await entries(order.id)).toEqual([]);

    // 10 chairs at 10.00 and 6 more at 13.00; 2.5 m of rope at 0.41 (1.025 → 1.02).
    const key = { 'idempotency-key': `receive-${order.id}` };
    const body = { lines: [{ line_id: chairLine, quantity: '6' }, { line_id: ropeLine, quantity: '2.5' }], location_id: w.bin };
    const part = await act(`/erp/purchase-orders/${order.id}/receive`, '"2"', body, key);
    expect(part.status).toBe(200);
    expect(part.headers.get('etag')).toBe('"3"');
    expect(part.body).toMatchObject({ status: 'partially_received', version: 3, available_actions: ['receive', 'bill'] });
    expect(part.body.lines.map((l: Json) => l.quantity_received)).toEqual(['6', '2.5']);
    const replay = await act(`/erp/purchase-orders/${order.id}/receive`, '"2"', body, key);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(part.body);
    expect((await act(`/erp/purchase-orders/${order.id}/receive`, '"2"', { lines: [{ line_id: chairLine, quantity: '1' }] }, key)).status).toBe(422);

    // (10 × 10.00 + 6 × 13.00) / 16 = 11.125 → 11.12 (half to even); 178.00 in all.
    expect(await stockOf(w.chair)).toMatchObject({ on_hand: '16', unit_cost: eur(1112), value: eur(17800) });
    expect(await stockOf(w.rope)).toMatchObject({ on_hand: '2.5', value: eur(102) });
    const moves = (await get(`/wms/stock-moves?item_id=${w.chair}&type=receipt`)).body.data.filter((m: Json) => m.reference?.id === order.id);
    expect(moves.map((m: Json) => [m.quantity, m.to_location_id, m.unit_cost, m.cost])).toEqual([['6', w.bin, eur(1300), eur(7800)]]);
    // Debit inventory, credit goods received not invoiced: 6 × 13.00 + 1.02, once (the replay posted nothing).
    expect(await entries(order.id)).toEqual([[['1300', 7902, 0], ['2100', 0, 7902]]]);
    expect((await act(`/erp/purchase-orders/${order.id}/cancel`, '"3"')).status).toBe(409);

    // The rest, each at its own line's location (the rope line still names none: the body's).
    const rest = await act(`/erp/purchase-orders/${order.id}/receive`, '"3"', { location_id: w.dock });
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ status: 'received', version: 4, available_actions: ['bill'] });
    expect(rest.body.lines.map((l: Json) => l.quantity_received)).toEqual(['10', '4']);
    // 4 × 13.00 + 1.5 × 0.41 (0.615 → 0.62).
    expect(await entries(order.id)).toEqual([
      [['1300', 7902, 0], ['2100', 0, 7902]],
      [['1300', 5262, 0], ['2100', 0, 5262]],
    ]);
    expect(await stockOf(w.chair)).toMatchObject({ on_hand: '20', value: eur(23000) });
    const cancel = await act(`/erp/purchase-orders/${order.id}/cancel`, '"4"');
    expect(cancel.status).toBe(409);
    expect(cancel.body.detail).toMatch(/is received: it cannot cancel; the actions it takes now: bill/);
    expect((await get('/wms/stock-check')).body.drift).toEqual([]);

    // Billed: a draft bill of everything received, each line linked; then nothing is left to bill.
    expect((await act(`/erp/purchase-orders/${order.id}/bill`, undefined)).status).toBe(428);
    const bill = await act(`/erp/purchase-orders/${order.id}/bill`, '"4"');
    expect(bill.status).toBe(201);
    expect(bill.headers.get('location')).toBe(`/v1/erp/bills/${bill.body.id}`);
    expect(bill.body).toMatchObject({ status: 'draft', supplier_id: w.supplier, purchase_order_id: order.id, number: null });
    expect(bill.body.lines.map((l: Json) => [l.quantity, l.unit_cost.amount, l.order_line_id])).toEqual([['10', 1300, chairLine], ['4', 41, ropeLine]]);
    const billed = (await get(`/erp/purchase-orders/${order.id}`)).body;
    expect(billed).toMatchObject({ status: 'received', version: 5, available_actions: [] });
    expect(billed.lines.map((l: Json) => l.quantity_billed)).toEqual(['10', '4']);
    expect((await act(`/erp/purchase-orders/${order.id}/bill`, '"5"')).status).toBe(409);
    // Finalized, the bill clears goods received not invoiced: 130.00 + 1.64 net, 19 % and 7 % tax.
    const fin = await act(`/erp/bills/${bill.body.id}/finalize`, '"1"');
    expect(fin.status).toBe(200);
    expect(fin.body.subtotal).toEqual(eur(13164));
  });

  it('takes back what a bill took of its order when the draft is deleted or its lines are replaced', async () => {
    const order = await confirmed([{ item_id: w.chair, quantity: '2', unit_cost: eur(1300), location_id: w.bin }]);
    expect((await act(`/erp/purchase-orders/${order.id}/receive`, '"2"')).status).toBe(200);
    const bill = (await act(`/erp/purchase-orders/${order.id}/bill`, '"3"')).body;
    expect((await get(`/erp/purchase-orders/${order.id}`)).body.lines[0].quantity_billed).toBe('2');
    // Lines replaced by a patch: the new line is the bill's own; the order's 2 can be billed again.
    const patched = await h.request('PATCH', `/v1/erp/bills/${bill.id}`, { token: admin.token, json: { lines: [{ description: 'Freight', quantity: '1', unit_cost: eur(500) }] }, headers: { 'content-type': 'application/merge-patch+json', 'if-match': '"1"' } });
    expect(patched.status).toBe(200);
    expect(patched.body.lines.map((l: Json) => l.order_line_id)).toEqual([null]);
    let now = (await get(`/erp/purchase-orders/${order.id}`)).body;
    expect(now).toMatchObject({ status: 'received', available_actions: ['bill'] });
    expect(now.lines[0].quantity_billed).toBe('0');
    const second = (await act(`/erp/purchase-orders/${order.id}/bill`, `"${now.version}"`)).body;
    expect((await get(`/erp/purchase-orders/${order.id}`)).body.lines[0].quantity_billed).toBe('2');
    // That draft deleted: nothing of the order is billed.
    expect((await h.request('DELETE', `/v1/erp/bills/${second.id}`, { token: admin.token, headers: { 'if-match': '"1"' } })).status).toBe(204);
    now = (await get(`/erp/purchase-orders/${order.id}`)).body;
    expect(now.lines[0].quantity_billed).toBe('0');
    expect(now.available_actions).toEqual(['bill']);
  });

  it('receives lot-tracked lines with their lot, and names a line that lacks one', async () => {
    const order = await confirmed([{ item_id: w.wire, quantity: '3', unit_cost: eur(200), location_id: w.dock }]);
    const line = order.lines[0].id;
    expect(pointersOf(await act(`/erp/purchase-orders/${order.id}/receive`, '"2"', { lines: [{ line_id: line, quantity: '3' }] }))).toEqual(['/lines/0/lot']);
    const res = await act(`/erp/purchase-orders/${order.id}/receive`, '"2"', { lines: [{ line_id: line, quantity: '3', lot: 'L-7' }] });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('received');
    expect(await stockOf(w.wire)).toMatchObject({ on_hand: '3', value: eur(600) });
    const moves = (await get(`/wms/stock-moves?item_id=${w.wire}&type=receipt`)).body.data;
    expect(moves.map((m: Json) => [m.to_location_id, m.lot, m.quantity, m.reference])).toEqual([[w.dock, 'L-7', '3', { type: 'purchase_order', id: order.id }]]);
  });

  it('cancels a draft or a confirmed order; the status is checked on every action', async () => {
    const d = (await draft()).body;
    const res = await act(`/erp/purchase-orders/${d.id}/cancel`, '"1"', undefined, { 'idempotency-key': `cancel-${d.id}` });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', version: 2, available_actions: [] });
    const c = await confirmed();
    expect((await act(`/erp/purchase-orders/${c.id}/cancel`, '"2"')).body.status).toBe('cancelled');
    const refused = await act(`/erp/purchase-orders/${c.id}/receive`, '"3"');
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/is cancelled: it cannot receive; the actions it takes now: none/);
  });

  it('numbers orders gaplessly per year: a refused order takes no number', async () => {
    const t = await h.tenant();
    const tw = await world(t.token);
    const line = { item_id: tw.chair, quantity: '1', unit_cost: eur(100), location_id: tw.dock };
    const one = await created('/erp/purchase-orders', { supplier_id: tw.supplier, order_date: '2026-03-01', lines: [line] }, t.token);
    expect((await post('/erp/purchase-orders', { supplier_id: tw.supplier, order_date: '2026-03-01', lines: [{ ...line, quantity: '0.5' }] }, t.token)).status).toBe(400);
    const two = await created('/erp/purchase-orders', { supplier_id: tw.supplier, order_date: '2026-04-01', lines: [line] }, t.token);
    const next = await created('/erp/purchase-orders', { supplier_id: tw.supplier, order_date: '2027-01-02', lines: [line] }, t.token);
    expect([one.number, two.number, next.number]).toEqual(['PO-2026-000001', 'PO-2026-000002', 'PO-2027-000001']);
  });

  it('records erp.purchase_order.received in the outbox with each receipt, as its webhook documents it', async () => {
    const order = await confirmed();
    await act(`/erp/purchase-orders/${order.id}/receive`, '"2"', { lines: [{ line_id: order.lines[0].id, quantity: '1' }] });
    await act(`/erp/purchase-orders/${order.id}/receive`, '"3"');
    const events = await outboxEvents(h, 'erp.purchase_order.', [order.id]);
    expect(events.map((e) => [e.type, e.aggregate, e.data.status, e.data.lines[0].quantity_received])).toEqual([
      ['erp.purchase_order.received', { type: 'purchase_order', id: order.id }, 'partially_received', '1'],
      ['erp.purchase_order.received', { type: 'purchase_order', id: order.id }, 'received', '2'],
    ]);
    const validate = webhookSchema('erp.purchase_order.received');
    for (const e of events) expect(validate(e) ? [] : validate.errors).toEqual([]);
  });

  it('lists with filters by supplier, status and order date, page by page', async () => {
    const t = await h.tenant();
    const tw = await world(t.token);
    const line = { item_id: tw.chair, quantity: '1', unit_cost: eur(100), location_id: tw.dock };
    const other = await created('/erp/suppliers', { account_id: (await created('/crm/accounts', { name: 'Other' }, t.token)).id, tax_rate_id: tw.rate }, t.token);
    const ids: string[] = [];
    for (const [i, date] of ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'].entries()) {
      ids.push((await created('/erp/purchase-orders', { supplier_id: i % 2 ? other.id : tw.supplier, order_date: date, lines: [line] }, t.token)).id);
    }
    expect((await act(`/erp/purchase-orders/${ids[0]}/cancel`, '"1"', undefined, {}, t.token)).status).toBe(200);
    const list = (q: string) => get(`/erp/purchase-orders${q}`, t.token).then((r) => (expect(r.status).toBe(200), r.body));
    expect((await list('')).data.map((o: Json) => o.id)).toEqual([...ids].reverse());
    expect((await list('?sort=order_date')).data.map((o: Json) => o.id)).toEqual(ids);
    expect((await list(`?supplier_id=${other.id}`)).data.map((o: Json) => o.id)).toEqual([ids[3], ids[1]]);
    expect((await list('?status=cancelled')).data.map((o: Json) => o.id)).toEqual([ids[0]]);
    expect((await list('?order_date_after=2026-12-02&order_date_before=2026-12-04')).data.map((o: Json) => o.id)).toEqual([ids[2], ids[1]]);
    const first = await list('?limit=3&sort=-created_at');
    expect(first.data).toHaveLength(3);
    const second = await list(`?limit=3&sort=-created_at&cursor=${encodeURIComponent(first.next_cursor)}`);
    expect([...first.data, ...second.data].map((o: Json) => o.id)).toEqual([...ids].reverse());
    expect(second.next_cursor).toBeNull();
    expect(second.data[0].lines).toHaveLength(1);
    expect((await get('/erp/purchase-orders?status=billed', t.token)).status).toBe(400);
  });

  it("answers 404 for another tenant's order, for every operation", async () => {
    const order = (await draft()).body;
    const t = await h.tenant();
    expect((await get(`/erp/purchase-orders/${order.id}`, t.token)).status).toBe(404);
    expect((await patch(`/erp/purchase-orders/${order.id}`, { order_date: '2026-12-01' }, '"1"', t.token)).status).toBe(404);
    for (const verb of ['confirm', 'receive', 'cancel']) expect((await act(`/erp/purchase-orders/${order.id}/${verb}`, '"1"', undefined, {}, t.token)).status).toBe(404);
    expect((await get('/erp/purchase-orders', t.token)).body.data).toEqual([]);
    expect((await get(`/erp/purchase-orders/${order.id}`)).body.version).toBe(1);
  });

  it('needs erp:write to write and erp:read to read', async () => {
    const reader = await h.token(admin.clientId, admin.secret, 'erp:read');
    expect((await post('/erp/purchase-orders', { supplier_id: w.supplier, lines: [{ item_id: w.chair, quantity: '1', unit_cost: eur(1) }] }, reader)).status).toBe(403);
    expect((await get('/erp/purchase-orders', reader)).status).toBe(200);
  });
});
