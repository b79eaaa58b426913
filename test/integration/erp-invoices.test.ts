import { entriesOf, eur, type Json, orderRequests, outboxEvents, pointersOf, unique, webhookSchema } from '../support/erp-orders';
import { testDbKind } from '../support/databases';
import type { Admin, Harness } from '../support/harness';
import { START_TIMEOUT_MS, startTwoApps, STOP_TIMEOUT_MS, stopTwoApps } from '../support/two-apps';

/**
 * Invoices and bills through the HTTP app on a real database: drafts and their checks, finalize
 * (the gapless number, the due date, the entry), void (the reversal), mark-uncollectible, the
 * refusals (409 for an action the status does not take, 404 for another tenant's ids), and on
 * PostgreSQL 50 concurrent finalizes through two app instances.
 */
let h: Harness;
/** A second app on the same database (PostgreSQL), for the races. */
let other: Harness;
let admin: Admin;

beforeAll(async () => {
  ({ h, other } = await startTwoApps());
  admin = await h.tenant();
}, START_TIMEOUT_MS);
afterAll(() => stopTwoApps(h, other), STOP_TIMEOUT_MS);

const { post, act, get, patch, created } = orderRequests(
  () => h,
  () => admin.token,
);
const del = (path: string, ifMatch: string | undefined, as = admin.token) => h.request('DELETE', `/v1${path}`, { token: as, headers: ifMatch ? { 'if-match': ifMatch } : {} });

/** The trial balance of the tenant as of a far day: every account's balance sums to zero. */
async function trialBalanceIsZero(token = admin.token) {
  const tb = await get('/erp/reports/trial-balance?as_of=2030-12-31', token);
  expect(tb.status).toBe(200);
  expect(tb.body.total_debit).toEqual(tb.body.total_credit);
}

const KINDS = [
  { type: 'invoice', path: '/erp/invoices', party: 'customer', partyPath: '/erp/customers', unit: 'unit_price', series: 'INV', prefix: 'inv', order: 'sales_order_id', entry: (net: number, tax: number) => [['1200', net + tax, 0], ['4000', 0, net], ['2200', 0, tax]] },
  { type: 'bill', path: '/erp/bills', party: 'supplier', partyPath: '/erp/suppliers', unit: 'unit_cost', series: 'BILL', prefix: 'bil', order: 'purchase_order_id', entry: (net: number, tax: number) => [['2100', net, 0], ['1400', tax, 0], ['2000', 0, net + tax]] },
] as const;

describe.each(KINDS)('ERP $type', (k) => {
  /** A party (19 % by default, 14 days' terms), a reduced rate and an item. */
  async function world(token = admin.token) {
    const rate = await created('/erp/tax-rates', { name: `VAT ${unique()}`, rate: '19' }, token);
    const reduced = await created('/erp/tax-rates', { name: `Reduced ${unique()}`, rate: '7' }, token);
    const account = await created('/crm/accounts', { name: `Party ${unique()}` }, token);
    const party = await created(k.partyPath, { account_id: account.id, tax_rate_id: rate.id, payment_terms_days: 14 }, token);
    const item = await created('/wms/items', { sku: `CHAIR-${unique()}`, name: 'Chair', category: 'finished', unit: 'ea' }, token);
    return { rate: rate.id, reduced: reduced.id, party: party.id, item: item.id };
  }
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });

  const line = (extra: Json = {}) => ({ description: 'Consulting', quantity: '2', [k.unit]: eur(1999), ...extra });
  const draft = (lines: unknown[] = [line()], extra: Json = {}, token = admin.token, party = w.party) => post(k.path, { [`${k.party}_id`]: party, lines, ...extra }, token);
  const finalize = (doc: Json, json?: Json, via = h) => act(`${k.path}/${doc.id}/finalize`, `"${doc.version}"`, json, {}, admin.token, via);

  it('creates a draft with its lines and totals, reads, changes and deletes it', async () => {
    const res = await draft([line({ item_id: w.item }), { description: 'Rope', quantity: '2.5', [k.unit]: eur(333), tax_rate_id: w.reduced }]);
    expect(res.status).toBe(201);
    // 2 × 19.99 = 39.98, 19 % → 7.60; 2.5 × 3.33 = 8.325 → 8.32 (half to even), 7 % → 0.58.
    expect(res.body).toEqual({
      id: expect.stringMatching(new RegExp(`^${k.prefix}_[0-9A-HJKMNP-TV-Z]{26}$`)),
      number: null,
      [`${k.party}_id`]: w.party,
      [k.order]: null,
      status: 'draft',
      issue_date: null,
      due_date: null,
      overdue: false,
      currency: 'EUR',
      lines: [
        { id: expect.any(String), description: 'Consulting', item_id: w.item, quantity: '2', [k.unit]: eur(1999), tax_rate_id: w.rate, order_line_id: null, net: eur(3998), tax: eur(760), total: eur(4758) },
        { id: expect.any(String), description: 'Rope', item_id: null, quantity: '2.5', [k.unit]: eur(333), tax_rate_id: w.reduced, order_line_id: null, net: eur(832), tax: eur(58), total: eur(890) },
      ],
      subtotal: eur(4830),
      tax_total: eur(818),
      total: eur(5648),
      amount_paid: eur(0),
      amount_credited: eur(0),
      amount_due: eur(5648),
      journal_entry_id: null,
      available_actions: ['finalize'],
      version: 1,
      created_at: expect.any(String),
      updated_at: res.body.created_at,
    });
    expect(res.headers.get('location')).toBe(`/v1${k.path}/${res.body.id}`);
    const got = await get(`${k.path}/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.body).toEqual(res.body);

    expect((await patch(`${k.path}/${res.body.id}`, { lines: [line()] }, undefined)).status).toBe(428);
    expect((await patch(`${k.path}/${res.body.id}`, { lines: [line()] }, '"7"')).status).toBe(412);
    const changed = await patch(`${k.path}/${res.body.id}`, { lines: [line({ quantity: '1' })] }, '"1"');
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ version: 2, total: eur(2379) });

    expect((await del(`${k.path}/${res.body.id}`, '"1"')).status).toBe(412);
    expect((await del(`${k.path}/${res.body.id}`, '"2"')).status).toBe(204);
    expect((await get(`${k.path}/${res.body.id}`)).status).toBe(404);
  });

  it('refuses bad input naming each field (400), a foreign currency (422), and writes nothing', async () => {
    const t = await h.tenant();
    const tw = await world(t.token);
    const send = (json: Json) => post(k.path, { [`${k.party}_id`]: tw.party, lines: [line()], ...json }, t.token);
    expect(pointersOf(await send({ lines: [line(), line({ item_id: w.item })] }))).toEqual(['/lines/1/item_id']); // another tenant's item
    expect(pointersOf(await send({ lines: [line({ [k.unit]: { amount: -1, currency: 'EUR' } })] }))).toEqual([`/lines/0/${k.unit}/amount`]);
    expect(pointersOf(await send({ lines: [line({ [k.unit]: { amount: 100, currency: 'USD' } })] }))).toEqual([`/lines/0/${k.unit}/currency`]);
    expect(pointersOf(await send({ lines: [line({ item_id: tw.item, quantity: '1.5' })] }))).toEqual(['/lines/0/quantity']);
    expect(pointersOf(await send({ lines: [line({ quantity: '0' })] }))).toEqual(['/lines/0/quantity']);
    expect(pointersOf(await send({ lines: [line({ description: '  ' })] }))).toEqual(['/lines/0/description']);
    expect(pointersOf(await send({ lines: [line({ tax_rate_id: w.rate })] }))).toEqual(['/lines/0/tax_rate_id']); // another tenant's rate
    expect(pointersOf(await send({ [`${k.party}_id`]: w.party }))).toEqual([`/${k.party}_id`]); // another tenant's party
    expect(pointersOf(await send({ [k.order]: `${k.order === 'sales_order_id' ? 'so' : 'po'}_01M9G0A2C4E6G8J0K2M4P6R8T0` }))).toEqual([`/${k.order}`]);
    expect((await send({ lines: [] })).status).toBe(400);
    const foreign = await send({ currency: 'USD' });
    expect([400, 422]).toContain(foreign.status);
    expect((await get(`${k.path}?limit=200`, t.token)).body.data).toHaveLength(0);
  });

  it('finalizes a draft: the next number, issue and due dates, the entry; then it is immutable; void reverses it', async () => {
    const doc = (await draft()).body;
    const first = await finalize(doc, { issue_date: '2026-12-03' });
    expect(first.status).toBe(200);
    const fin = first.body;
    expect(fin).toMatchObject({
      number: expect.stringMatching(new RegExp(`^${k.series}-2026-\\d{6}$`)),
      status: 'open',
      issue_date: '2026-12-03',
      due_date: '2026-12-17',
      journal_entry_id: expect.stringMatching(/^jen_/),
      amount_due: eur(4758),
      available_actions: ['void', 'mark-uncollectible'],
      version: 2,
    });
    expect(await entriesOf(h, k.type, doc.id)).toEqual([k.entry(3998, 760)]);
    const events = await outboxEvents(h, `erp.${k.type}.`, [doc.id]);
    expect(events.map((e) => e.type)).toEqual([`erp.${k.type}.finalized`]);
    expect(webhookSchema(`erp.${k.type}.finalized`)(events[0])).toBe(true);

    // Immutable; the actions it no longer takes are 409s.
    expect((await patch(`${k.path}/${doc.id}`, { lines: [line()] }, '"2"')).status).toBe(409);
    expect((await del(`${k.path}/${doc.id}`, '"2"')).status).toBe(409);
    const again = await finalize(fin);
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('void, mark-uncollectible');

    // The next one takes the next number.
    const second = (await finalize((await draft()).body, { issue_date: '2026-12-03' })).body;
    expect(Number(second.number.slice(-6))).toBe(Number(fin.number.slice(-6)) + 1);

    const voided = await act(`${k.path}/${doc.id}/void`, '"2"');
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ status: 'void', number: fin.number, amount_due: eur(0), available_actions: [], version: 3 });
    const [posted, reversal] = await entriesOf(h, k.type, doc.id);
    expect(reversal).toEqual(posted.map(([code, d, c]) => [code, c, d]));
    expect((await outboxEvents(h, `erp.${k.type}.`, [doc.id])).map((e) => e.type)).toEqual([`erp.${k.type}.finalized`, `erp.${k.type}.voided`]);
    expect((await act(`${k.path}/${doc.id}/void`, '"3"')).status).toBe(409);
    expect((await act(`${k.path}/${doc.id}/mark-uncollectible`, '"3"')).status).toBe(409);

    const bad = await act(`${k.path}/${(await draft()).body.id}/finalize`, '"1"', { issue_date: '2026-02-30' });
    expect(pointersOf(bad)).toEqual(['/issue_date']);
    await trialBalanceIsZero();
  });

  it('marks an open document uncollectible (nothing posted); actions need If-Match', async () => {
    const doc = (await draft()).body;
    expect((await act(`${k.path}/${doc.id}/finalize`, undefined)).status).toBe(428);
    expect((await act(`${k.path}/${doc.id}/finalize`, '"5"')).status).toBe(412);
    expect((await act(`${k.path}/${doc.id}/mark-uncollectible`, '"1"')).status).toBe(409);
    expect((await act(`${k.path}/${doc.id}/void`, '"1"')).status).toBe(409);
    const fin = (await finalize(doc)).body;
    const res = await act(`${k.path}/${doc.id}/mark-uncollectible`, `"${fin.version}"`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'uncollectible', available_actions: [], amount_due: eur(0) });
    expect(await entriesOf(h, k.type, doc.id)).toHaveLength(1);
  });

  it('gives the number back when finalize fails after taking it: its date in a locked period', async () => {
    const t = await h.tenant();
    const tw = await world(t.token);
    const mk = async () => (await draft([line()], {}, t.token, tw.party)).body;
    const fin = (doc: Json, issue_date: string) => act(`${k.path}/${doc.id}/finalize`, '"1"', { issue_date }, {}, t.token);
    expect((await fin(await mk(), '2026-12-01')).body.number).toBe(`${k.series}-2026-000001`);
    expect((await post('/erp/periods/2026-11/lock', undefined, t.token, { 'if-match': '*' })).status).toBe(200);
    const locked = await mk();
    const refused = await fin(locked, '2026-11-20');
    expect(refused.status).toBe(409);
    expect((await get(`${k.path}/${locked.id}`, t.token)).body).toMatchObject({ status: 'draft', number: null, version: 1 });
    expect((await fin(await mk(), '2026-12-02')).body.number).toBe(`${k.series}-2026-000002`);
  });

  it("answers 404 for another tenant's document, for every operation", async () => {
    const t = await h.tenant();
    const doc = (await draft()).body;
    expect((await get(`${k.path}/${doc.id}`, t.token)).status).toBe(404);
    expect((await patch(`${k.path}/${doc.id}`, { lines: [line()] }, '"1"', t.token)).status).toBe(404);
    expect((await del(`${k.path}/${doc.id}`, '"1"', t.token)).status).toBe(404);
    for (const verb of ['finalize', 'void', 'mark-uncollectible']) expect((await act(`${k.path}/${doc.id}/${verb}`, '"1"', undefined, {}, t.token)).status).toBe(404);
    expect((await get(`${k.path}?limit=200`, t.token)).body.data).toHaveLength(0);
  });

  it('lists by status and party, a page at a time', async () => {
    const t = await h.tenant();
    const tw = await world(t.token);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await draft([line()], {}, t.token, tw.party)).body.id);
    await act(`${k.path}/${ids[0]}/finalize`, '"1"', undefined, {}, t.token);
    const list = (q: string) => get(`${k.path}${q}`, t.token);
    expect((await list('?status=open')).body.data.map((d: Json) => d.id)).toEqual([ids[0]]);
    expect((await list(`?${k.party}_id=${tw.party}&status=draft`)).body.data).toHaveLength(3);
    const first = (await list('?limit=3&sort=created_at')).body;
    const second = (await list(`?limit=3&sort=created_at&cursor=${encodeURIComponent(first.next_cursor)}`)).body;
    expect([...first.data, ...second.data].map((d: Json) => d.id)).toEqual(ids);
    expect((await list('?status=nope')).status).toBe(400);
  });

  const onPostgres = testDbKind() === 'postgres';
  (onPostgres ? it : it.skip)('numbers 50 concurrent finalizes through two apps 1..50, no gap, no duplicate; failed ones give their number back; the trial balance is zero', async () => {
    const t = await h.tenant();
    const tw = await world(t.token);
    const drafts: Json[] = [];
    for (let i = 0; i < 60; i++) drafts.push((await draft([line({ quantity: String(i + 1) })], {}, t.token, tw.party)).body);
    expect((await post('/erp/periods/2026-10/lock', undefined, t.token, { 'if-match': '*' })).status).toBe(200);
    // 50 good finalizes racing 10 that take a number and then fail (dated in the locked period).
    const results = await Promise.all(
      drafts.map((d, i) => act(`${k.path}/${d.id}/finalize`, '"1"', { issue_date: i % 6 === 5 ? '2026-10-15' : '2026-12-04' }, {}, t.token, i % 2 ? other : h)),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(50);
    expect(results.filter((r) => r.status === 409)).toHaveLength(10);
    expect(ok.map((r) => r.body.number).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `${k.series}-2026-${String(i + 1).padStart(6, '0')}`));
    expect((await get(`${k.path}?status=draft&limit=200`, t.token)).body.data).toHaveLength(10);
    const next = await act(`${k.path}/${(await draft([line()], {}, t.token, tw.party)).body.id}/finalize`, '"1"', { issue_date: '2026-12-05' }, {}, t.token);
    expect(next.body.number).toBe(`${k.series}-2026-000051`);
    const tb = (await get('/erp/reports/trial-balance?as_of=2026-12-31', t.token)).body;
    expect(tb.total_debit).toEqual(tb.total_credit);
    expect(tb.total_debit.amount).toBeGreaterThan(0);
  });
});
