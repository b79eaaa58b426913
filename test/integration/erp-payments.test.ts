import { entriesOf, eur, type Json, orderRequests, outboxEvents, pointersOf, unique, webhookSchema } from '../support/erp-orders';
import type { Admin, Harness } from '../support/harness';
import { START_TIMEOUT_MS, startTwoApps, STOP_TIMEOUT_MS, stopTwoApps } from '../support/two-apps';

/**
 * Payments through the HTTP app on a real database: received from customers against invoices and
 * paid to suppliers against bills, allocated in part and in full, the remainder on account; the
 * entry each posts; the documents' amount paid, amount due and status; every refusal (400 naming
 * the field, 409 naming the document, 422) leaving nothing behind; and concurrent payments of one
 * document (through two app instances on PostgreSQL) never paying more than it is due.
 */
let h: Harness;
/** A second app on the same database (PostgreSQL), for the race. */
let other: Harness;
let admin: Admin;

beforeAll(async () => {
  ({ h, other } = await startTwoApps());
  admin = await h.tenant();
}, START_TIMEOUT_MS);
afterAll(() => stopTwoApps(h, other), STOP_TIMEOUT_MS);

const { post, act, get } = orderRequests(
  () => h,
  () => admin.token,
);

const KINDS = [
  { direction: 'received', type: 'invoice', path: '/erp/invoices', party: 'customer', otherParty: 'supplier', partyPath: '/erp/customers', unit: 'unit_price', field: 'invoice_id', otherField: 'bill_id', entry: (n: number) => [['1000', n, 0], ['1200', 0, n]] },
  { direction: 'paid', type: 'bill', path: '/erp/bills', party: 'supplier', otherParty: 'customer', partyPath: '/erp/suppliers', unit: 'unit_cost', field: 'bill_id', otherField: 'invoice_id', entry: (n: number) => [['2000', n, 0], ['1000', 0, n]] },
] as const;

describe.each(KINDS)('ERP payments $direction', (k) => {
  /** A party with a 19 % default rate, as the tenant `token` has it. */
  async function partyOf(token: string) {
    const rate = await post('/erp/tax-rates', { name: `VAT ${unique()}`, rate: '19' }, token);
    const account = await post('/crm/accounts', { name: `Party ${unique()}` }, token);
    const party = await post(k.partyPath, { account_id: account.body.id, tax_rate_id: rate.body.id, payment_terms_days: 14 }, token);
    expect(party.status).toBe(201);
    return party.body.id as string;
  }
  /** An open document of `party` for `net` (+ 19 %). */
  async function openDocument(party: string, net = 10000, token = admin.token): Promise<Json> {
    const draft = await post(k.path, { [`${k.party}_id`]: party, lines: [{ description: 'Work', quantity: '1', [k.unit]: eur(net) }] }, token);
    expect(draft.status).toBe(201);
    const fin = await act(`${k.path}/${draft.body.id}/finalize`, '"1"', { issue_date: '2026-12-01' }, {}, token);
    expect(fin.status).toBe(200);
    return fin.body;
  }
  const pay = (json: Json, token = admin.token, headers: Record<string, string> = {}, via = h) => via.request('POST', '/v1/erp/payments', { token, json: { direction: k.direction, paid_on: '2026-12-10', ...json }, headers });
  let party: string;
  beforeAll(async () => {
    party = await partyOf(admin.token);
  });

  it('allocates one payment to two documents, settles one, leaves the rest on account, and posts the entry', async () => {
    const a = await openDocument(party); // 119.00
    const b = await openDocument(party, 5000); // 59.50
    const res = await pay({ [`${k.party}_id`]: party, amount: eur(20000), reference: 'SEPA 4711', allocations: [{ [k.field]: a.id, amount: eur(11900) }, { [k.field]: b.id, amount: eur(2000) }] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^pay_[0-9A-HJKMNP-TV-Z]{26}$/),
      direction: k.direction,
      customer_id: k.party === 'customer' ? party : null,
      supplier_id: k.party === 'supplier' ? party : null,
      amount: eur(20000),
      paid_on: '2026-12-10',
      reference: 'SEPA 4711',
      allocations: [
        { [k.field]: a.id, amount: eur(11900) },
        { [k.field]: b.id, amount: eur(2000) },
      ],
      unallocated: eur(6100),
      journal_entry_id: expect.stringMatching(/^jen_/),
      created_at: expect.any(String),
    });
    expect(res.headers.get('location')).toBe(`/v1/erp/payments/${res.body.id}`);
    expect((await get(`/erp/payments/${res.body.id}`)).body).toEqual(res.body);
    expect(await entriesOf(h, 'payment', res.body.id)).toEqual([k.entry(20000)]);

    const paidA = (await get(`${k.path}/${a.id}`)).body;
    expect(paidA).toMatchObject({ status: 'paid', amount_paid: eur(11900), amount_due: eur(0), available_actions: [], version: 3 });
    const partB = (await get(`${k.path}/${b.id}`)).body;
    expect(partB).toMatchObject({ status: 'open', amount_paid: eur(2000), amount_due: eur(3950), version: 3 });
    // A document paid in part is not voided: a credit note or a refund undoes a payment.
    expect((await act(`${k.path}/${b.id}/void`, '"3"')).status).toBe(409);

    const events = await outboxEvents(h, 'erp.', [res.body.id, a.id, b.id]);
    expect(events.map((e) => e.type).filter((t) => !t.endsWith('.finalized')).sort()).toEqual([`erp.${k.type}.paid`, `erp.payment.${k.direction}`].sort());
    for (const e of events) expect(webhookSchema(e.type)(e)).toBe(true);
    expect(events.find((e) => e.type === `erp.payment.${k.direction}`)!.data).toEqual(res.body);

    // The rest of b settles it; the second payment has nothing left over.
    const rest = await pay({ [`${k.party}_id`]: party, amount: eur(3950), allocations: [{ [k.field]: b.id, amount: eur(3950) }] });
    expect(rest.status).toBe(201);
    expect(rest.body).toMatchObject({ unallocated: eur(0), reference: null });
    expect((await get(`${k.path}/${b.id}`)).body).toMatchObject({ status: 'paid', amount_due: eur(0) });

    const tb = await get('/erp/reports/trial-balance?as_of=2030-12-31');
    expect(tb.body.total_debit).toEqual(tb.body.total_credit);
  });

  it('refuses bad input naming each field (400), what the document does not take (409), another currency (422); writes nothing', async () => {
    const t = await h.tenant();
    const p = await partyOf(t.token);
    const doc = await openDocument(p, 10000, t.token);
    const draft = await post(k.path, { [`${k.party}_id`]: p, lines: [{ description: 'Work', quantity: '1', [k.unit]: eur(100) }] }, t.token);
    const someoneElse = await partyOf(t.token);
    const theirs = await openDocument(someoneElse, 100, t.token);
    const otherTenants = await openDocument(party, 100);
    const send = (json: Json) => pay({ [`${k.party}_id`]: p, amount: eur(5000), ...json }, t.token);
    const alloc = (id: string, amount = 1000) => ({ [k.field]: id, amount: eur(amount) });

    expect(pointersOf(await pay({ amount: eur(5000) }, t.token))).toEqual([`/${k.party}_id`]);
    expect(pointersOf(await send({ [`${k.otherParty}_id`]: k.otherParty === 'customer' ? 'cus_01M8C2D4F6H8K0M2P4R6T8V0X2' : 'sup_01M8C2D4F6H8K0M2P4R6T8V0X2' }))).toEqual([`/${k.otherParty}_id`]);
    expect(pointersOf(await send({ [`${k.party}_id`]: otherTenants.id.startsWith('inv') ? 'cus_01M8C2D4F6H8K0M2P4R6T8V0X2' : 'sup_01M8C2D4F6H8K0M2P4R6T8V0X2' }))).toEqual([`/${k.party}_id`]);
    expect(pointersOf(await send({ amount: eur(0) }))).toEqual(['/amount/amount']);
    expect(pointersOf(await send({ paid_on: '2026-02-30' }))).toEqual(['/paid_on']);
    expect(pointersOf(await send({ allocations: [alloc(doc.id, 3000), alloc(doc.id, 3000)] }))).toEqual([`/allocations/1/${k.field}`]);
    expect(pointersOf(await send({ allocations: [alloc(doc.id, 6000)] }))).toEqual(['/allocations']);
    expect(pointersOf(await send({ allocations: [{ amount: eur(10) }] }))).toEqual([`/allocations/0/${k.field}`]);
    expect(pointersOf(await send({ allocations: [{ [k.otherField]: k.otherField === 'invoice_id' ? 'inv_01M9H0A2C4E6G8J0K2M4P6R8T0' : 'bil_01M9H0A2C4E6G8J0K2M4P6R8T0', amount: eur(10) }] }))).toEqual([`/allocations/0/${k.otherField}`]);
    expect(pointersOf(await send({ allocations: [alloc(doc.id, 10), alloc(theirs.id, 10), alloc(otherTenants.id, 10)] }))).toEqual([`/allocations/1/${k.field}`, `/allocations/2/${k.field}`]);
    expect(pointersOf(await send({ allocations: [{ [k.field]: doc.id, amount: { amount: 10, currency: 'USD' } }] }))).toEqual(['/allocations/0/amount/currency']);
    const foreign = await send({ amount: { amount: 10, currency: 'USD' } });
    expect(foreign.status).toBe(422);
    expect(pointersOf(foreign)).toEqual(['/amount/currency']);

    const over = await send({ amount: eur(20000), allocations: [alloc(doc.id, 11901)] });
    expect(over.status).toBe(409);
    expect(over.body.detail).toContain('119.00 EUR due');
    expect(over.body.detail).toContain(doc.id);
    const notOpen = await send({ allocations: [alloc(draft.body.id, 10)] });
    expect(notOpen.status).toBe(409);
    expect(notOpen.body.detail).toContain('is draft');
    // Another document in the same payment that would take it does not either.
    expect((await send({ amount: eur(20000), allocations: [alloc(doc.id, 100), alloc(draft.body.id, 10)] })).status).toBe(409);

    expect((await post('/erp/periods/2026-11/lock', undefined, t.token, { 'if-match': '*' })).status).toBe(200);
    expect((await send({ paid_on: '2026-11-30', allocations: [alloc(doc.id, 100)] })).status).toBe(409);

    // Nothing of any of it was written.
    expect((await get('/erp/payments', t.token)).body.data).toEqual([]);
    expect((await get(`${k.path}/${doc.id}`, t.token)).body).toMatchObject({ status: 'open', amount_paid: eur(0), version: 2 });
    expect(await entriesOf(h, 'payment', doc.id)).toEqual([]);
    const tb = await get('/erp/reports/trial-balance?as_of=2030-12-31', t.token);
    expect(tb.body.accounts.find((x: Json) => x.code === '1000')?.debit ?? eur(0)).toEqual(eur(0));
  });

  it('records a retried payment once (Idempotency-Key), and lists by direction, party and day', async () => {
    const t = await h.tenant();
    const p = await partyOf(t.token);
    const doc = await openDocument(p, 10000, t.token);
    const key = `pay-${unique()}`;
    const json = { [`${k.party}_id`]: p, amount: eur(1000), allocations: [{ [k.field]: doc.id, amount: eur(1000) }] };
    const first = await pay(json, t.token, { 'idempotency-key': key });
    const again = await pay(json, t.token, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await get(`${k.path}/${doc.id}`, t.token)).body.amount_paid).toEqual(eur(1000));

    const later = (await pay({ [`${k.party}_id`]: p, amount: eur(500), paid_on: '2026-12-20' }, t.token)).body;
    const list = async (q: string) => ((await get(`/erp/payments?${q}`, t.token)).body.data as Json[]).map((x) => x.id);
    expect(await list('')).toEqual([later.id, first.body.id]);
    expect(await list('sort=paid_on')).toEqual([first.body.id, later.id]);
    expect(await list(`direction=${k.direction}&${k.party}_id=${p}&paid_on_after=2026-12-15`)).toEqual([later.id]);
    expect(await list('paid_on_before=2026-12-15')).toEqual([first.body.id]);
    expect(await list(`direction=${k.direction === 'received' ? 'paid' : 'received'}`)).toEqual([]);
    const page = await get('/erp/payments?limit=1', t.token);
    expect(page.body.data).toHaveLength(1);
    expect((await get(`/erp/payments?limit=1&cursor=${page.body.next_cursor}`, t.token)).body.data.map((x: Json) => x.id)).toEqual([first.body.id]);
    expect((await get(`/erp/payments/${first.body.id}`)).status).toBe(404); // another tenant's
  });

  it('lets concurrent payments of one document pay no more than it is due (two app instances on PostgreSQL)', async () => {
    const doc = await openDocument(party); // 119.00 due
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pay({ [`${k.party}_id`]: party, amount: eur(1190), allocations: [{ [k.field]: doc.id, amount: eur(1190) }] }, admin.token, {}, i % 2 ? other : h)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(10).fill(201), ...Array(10).fill(409)]);
    const after = (await get(`${k.path}/${doc.id}`)).body;
    expect(after).toMatchObject({ status: 'paid', amount_paid: eur(11900), amount_due: eur(0), version: 12 });
    const paidEvents = (await outboxEvents(h, `erp.${k.type}.paid`, [doc.id])).length;
    expect(paidEvents).toBe(1);
    // Ten payments posted, each its entry; the ledger agrees with the documents and payments.
    expect((await get(`/erp/payments?${k.party}_id=${party}&limit=200`)).body.data.filter((p: Json) => p.allocations[0]?.[k.field] === doc.id)).toHaveLength(10);
    const tb = await get('/erp/reports/trial-balance?as_of=2030-12-31');
    expect(tb.body.total_debit).toEqual(tb.body.total_credit);
    expect((await get('/erp/ledger-check')).body.findings).toEqual([]);
  });
});
