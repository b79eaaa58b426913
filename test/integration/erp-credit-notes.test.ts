import { entriesOf, eur, type Json, orderRequests, outboxEvents, pointersOf, unique, webhookSchema } from '../support/erp-orders';
import { testDbKind } from '../support/databases';
import type { Admin, Harness } from '../support/harness';
import { START_TIMEOUT_MS, startTwoApps, STOP_TIMEOUT_MS, stopTwoApps } from '../support/two-apps';

/**
 * Credit notes through the HTTP app on a real database: drafts of some or all of an invoice's
 * lines, never more than was invoiced less what issued notes credited; issuing one numbers it,
 * posts its entry and takes it off the invoice's amount due (an invoice with nothing left due is
 * paid), the rest owed back as a refund; the refusals; and on PostgreSQL two notes of the same
 * lines issued at once through two app instances: one is issued, the other a 409.
 */
let h: Harness;
let other: Harness;
let admin: Admin;

beforeAll(async () => {
  ({ h, other } = await startTwoApps());
  admin = await h.tenant();
}, START_TIMEOUT_MS);
afterAll(() => stopTwoApps(h, other), STOP_TIMEOUT_MS);

const { post, act, get, created } = orderRequests(
  () => h,
  () => admin.token,
);

let customer: string;
beforeAll(async () => {
  const rate = await created('/erp/tax-rates', { name: `VAT ${unique()}`, rate: '19' });
  const account = await created('/crm/accounts', { name: `Customer ${unique()}` });
  customer = (await created('/erp/customers', { account_id: account.id, tax_rate_id: rate.id, payment_terms_days: 14 })).id;
});

/** An open invoice: 10 hours at 100.00 and 2 licences at 50.00, 19 %: 1309.00. */
async function openInvoice(token = admin.token, party = customer): Promise<Json> {
  const draft = await created(
    '/erp/invoices',
    {
      customer_id: party,
      lines: [
        { description: 'Consulting', quantity: '10', unit_price: eur(10000) },
        { description: 'Licence', quantity: '2', unit_price: eur(5000) },
      ],
    },
    token,
  );
  const fin = await act(`/erp/invoices/${draft.id}/finalize`, '"1"', { issue_date: '2026-12-01' }, {}, token);
  expect(fin.status).toBe(200);
  expect(fin.body.total).toEqual(eur(130900));
  return fin.body;
}
const finalize = (note: Json, json: Json = { issue_date: '2026-12-02' }, via = h) => act(`/erp/credit-notes/${note.id}/finalize`, `"${note.version}"`, json, {}, admin.token, via);

describe(`ERP credit notes on ${testDbKind()}`, () => {
  it('credits part of an invoice: a draft, issued with its number and entry, taken off the amount due', async () => {
    const invoice = await openInvoice();
    const [hours, licences] = invoice.lines.map((l: Json) => l.id);
    const res = await post('/erp/credit-notes', { invoice_id: invoice.id, reason: 'Two hours billed twice', lines: [{ invoice_line_id: hours, quantity: '2' }] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^crn_[0-9A-HJKMNP-TV-Z]{26}$/),
      number: null,
      customer_id: customer,
      invoice_id: invoice.id,
      status: 'draft',
      issue_date: null,
      reason: 'Two hours billed twice',
      currency: 'EUR',
      lines: [{ id: expect.stringMatching(/^cnl_/), invoice_line_id: hours, description: 'Consulting', item_id: null, quantity: '2', unit_price: eur(10000), tax_rate_id: invoice.lines[0].tax_rate_id, net: eur(20000), tax: eur(3800), total: eur(23800) }],
      subtotal: eur(20000),
      tax_total: eur(3800),
      total: eur(23800),
      amount_applied: eur(0),
      refund_owed: eur(0),
      journal_entry_id: null,
      available_actions: ['finalize'],
      version: 1,
      created_at: expect.any(String),
      updated_at: res.body.created_at,
    });
    expect(res.headers.get('location')).toBe(`/v1/erp/credit-notes/${res.body.id}`);
    // A draft changes nothing of the invoice.
    expect((await get(`/erp/invoices/${invoice.id}`)).body).toMatchObject({ amount_due: eur(130900), amount_credited: eur(0) });

    expect((await act(`/erp/credit-notes/${res.body.id}/finalize`, undefined)).status).toBe(428);
    const issued = await finalize(res.body);
    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({ status: 'issued', number: expect.stringMatching(/^CN-2026-\d{6}$/), issue_date: '2026-12-02', amount_applied: eur(23800), refund_owed: eur(0), journal_entry_id: expect.stringMatching(/^jen_/), available_actions: [], version: 2 });
    expect(await entriesOf(h, 'credit_note', res.body.id)).toEqual([
      [
        ['4000', 20000, 0],
        ['2200', 3800, 0],
        ['1200', 0, 23800],
      ],
    ]);
    expect((await get(`/erp/invoices/${invoice.id}`)).body).toMatchObject({ status: 'open', amount_credited: eur(23800), amount_due: eur(130900 - 23800) });
    // Credited in part, it is not voided (the note's entry stands): the rest is credited instead.
    const refused = await act(`/erp/invoices/${invoice.id}/void`, '"3"');
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('credited in part');
    const events = await outboxEvents(h, 'erp.credit_note.', [res.body.id]);
    expect(events.map((e) => e.type)).toEqual(['erp.credit_note.issued']);
    expect(webhookSchema('erp.credit_note.issued')(events[0])).toBe(true);
    expect((await finalize(issued.body)).status).toBe(409);
    expect((await h.request('DELETE', `/v1/erp/credit-notes/${res.body.id}`, { token: admin.token, headers: { 'if-match': '"2"' } })).status).toBe(409);

    // Without lines: the rest of every line (8 hours, 2 licences); issued, nothing is left due: paid.
    const rest = await created('/erp/credit-notes', { invoice_id: invoice.id });
    expect(rest.lines.map((l: Json) => [l.invoice_line_id, l.quantity])).toEqual([
      [hours, '8'],
      [licences, '2'],
    ]);
    expect((await finalize(rest)).body).toMatchObject({ amount_applied: eur(130900 - 23800), refund_owed: eur(0) });
    expect((await get(`/erp/invoices/${invoice.id}`)).body).toMatchObject({ status: 'paid', amount_due: eur(0), amount_credited: eur(130900) });
    // Nothing left to credit.
    expect((await post('/erp/credit-notes', { invoice_id: invoice.id })).status).toBe(409);
    expect((await get('/erp/ledger-check')).body.findings).toEqual([]);
  });

  it('credits a paid invoice as a refund owed, and keeps the ledger in agreement', async () => {
    const invoice = await openInvoice();
    expect((await post('/erp/payments', { direction: 'received', customer_id: customer, amount: eur(130900), paid_on: '2026-12-03', allocations: [{ invoice_id: invoice.id, amount: eur(130900) }] })).status).toBe(201);
    const note = await created('/erp/credit-notes', { invoice_id: invoice.id, lines: [{ invoice_line_id: invoice.lines[1].id, quantity: '1' }] });
    const issued = await finalize(note);
    expect(issued.body).toMatchObject({ total: eur(5950), amount_applied: eur(0), refund_owed: eur(5950) });
    expect((await get(`/erp/invoices/${invoice.id}`)).body).toMatchObject({ status: 'paid', amount_paid: eur(130900), amount_credited: eur(0) });
    expect((await get('/erp/ledger-check')).body.findings).toEqual([]);
    const tb = await get('/erp/reports/trial-balance?as_of=2030-12-31');
    expect(tb.body.total_debit).toEqual(tb.body.total_credit);
  });

  it('refuses what is not the invoice’s (400), more than is left and an invoice that takes none (409); writes nothing', async () => {
    const t = await h.tenant();
    const rate = await created('/erp/tax-rates', { name: `VAT ${unique()}`, rate: '19' }, t.token);
    const party = (await created('/erp/customers', { account_id: (await created('/crm/accounts', { name: `C ${unique()}` }, t.token)).id, tax_rate_id: rate.id }, t.token)).id;
    const invoice = await openInvoice(t.token, party);
    const mine = await openInvoice();
    const [hours] = invoice.lines.map((l: Json) => l.id);
    const send = (json: Json) => post('/erp/credit-notes', { invoice_id: invoice.id, ...json }, t.token);
    expect(pointersOf(await send({ invoice_id: mine.id }))).toEqual(['/invoice_id']); // another tenant's
    expect(pointersOf(await send({ lines: [{ invoice_line_id: mine.lines[0].id, quantity: '1' }] }))).toEqual(['/lines/0/invoice_line_id']);
    expect(pointersOf(await send({ lines: [{ invoice_line_id: hours, quantity: '1' }, { invoice_line_id: hours, quantity: '1' }] }))).toEqual(['/lines/1/invoice_line_id']);
    expect(pointersOf(await send({ lines: [{ invoice_line_id: hours, quantity: 'ten' }] }))).toEqual(['/lines/0/quantity']);
    expect(pointersOf(await send({ reason: '   ' }))).toEqual(['/reason']);
    const over = await send({ lines: [{ invoice_line_id: hours, quantity: '10.5' }] });
    expect(over.status).toBe(409);
    expect(over.body.detail).toContain(`line ${hours} has 10 left to credit, not 10.5`);
    const draftInvoice = await created('/erp/invoices', { customer_id: party, lines: [{ description: 'x', quantity: '1', unit_price: eur(100) }] }, t.token);
    expect((await send({ invoice_id: draftInvoice.id })).status).toBe(409);
    const voided = await openInvoice(t.token, party);
    expect((await act(`/erp/invoices/${voided.id}/void`, '"2"', undefined, {}, t.token)).status).toBe(200);
    expect((await send({ invoice_id: voided.id })).status).toBe(409);
    // A locked period refuses the issue, and takes no number.
    const note = await created('/erp/credit-notes', { invoice_id: invoice.id, lines: [{ invoice_line_id: hours, quantity: '1' }] }, t.token);
    expect((await post('/erp/periods/2026-11/lock', undefined, t.token, { 'if-match': '*' })).status).toBe(200);
    expect((await act(`/erp/credit-notes/${note.id}/finalize`, '"1"', { issue_date: '2026-11-30' }, {}, t.token)).status).toBe(409);
    expect((await act(`/erp/credit-notes/${note.id}/finalize`, '"1"', { issue_date: '2026-12-02' }, {}, t.token)).body.number).toBe('CN-2026-000001');
    // A draft is deleted; another tenant's note is a 404.
    const gone = await created('/erp/credit-notes', { invoice_id: invoice.id, lines: [{ invoice_line_id: hours, quantity: '1' }] }, t.token);
    expect((await get(`/erp/credit-notes/${gone.id}`)).status).toBe(404);
    expect((await h.request('DELETE', `/v1/erp/credit-notes/${gone.id}`, { token: t.token, headers: { 'if-match': '"1"' } })).status).toBe(204);
    expect((await get(`/erp/credit-notes?invoice_id=${invoice.id}`, t.token)).body.data.map((n: Json) => [n.number, n.status])).toEqual([['CN-2026-000001', 'issued']]);
    expect((await get(`/erp/credit-notes?status=draft`, t.token)).body.data).toEqual([]);
    expect((await get(`/erp/invoices/${invoice.id}`, t.token)).body).toMatchObject({ amount_credited: eur(11900), amount_due: eur(130900 - 11900) });
  });

  it('issues one of two notes crediting the same lines at once; the other is a 409 (two app instances on PostgreSQL)', async () => {
    const invoice = await openInvoice();
    const notes = await Promise.all([1, 2, 3, 4].map(() => created('/erp/credit-notes', { invoice_id: invoice.id })));
    const results = await Promise.all(notes.map((n, i) => finalize(n, { issue_date: '2026-12-02' }, i % 2 ? other : h)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    expect((await get(`/erp/invoices/${invoice.id}`)).body).toMatchObject({ status: 'paid', amount_credited: eur(130900), amount_due: eur(0) });
    expect((await get(`/erp/credit-notes?invoice_id=${invoice.id}&status=issued`)).body.data).toHaveLength(1);
    expect((await get('/erp/ledger-check')).body.findings).toEqual([]);
  });
});
