import { eur, type Json, orderRequests, pointersOf, unique } from '../support/erp-orders';
import { testDbKind } from '../support/databases';
import { Harness, type Admin } from '../support/harness';

/**
 * The aged receivables and payables through the HTTP app on a real database: invoices (bills)
 * issued on different days with different payment terms, paid in part and in full on different
 * days; the exact buckets as of a day before the payments and a day after; drafts and void
 * documents never counting, uncollectible ones counting; the total equal to the receivables
 * (payables) account of the trial balance; another tenant's documents never showing; a bad
 * `as_of` a 400 and erp:read needed.
 */
let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
}, 180_000);
afterAll(() => h.stop(), 60_000);

const { post, act, get } = orderRequests(
  () => h,
  () => admin.token,
);

const KINDS = {
  receivables: { path: '/erp/invoices', party: 'customer', partyPath: '/erp/customers', unit: 'unit_price', field: 'invoice_id', direction: 'received', report: '/erp/reports/aged-receivables', account: '1200' },
  payables: { path: '/erp/bills', party: 'supplier', partyPath: '/erp/suppliers', unit: 'unit_cost', field: 'bill_id', direction: 'paid', report: '/erp/reports/aged-payables', account: '2000' },
} as const;
type Kind = (typeof KINDS)[keyof typeof KINDS];

/** A party named `name` with `terms` days to pay and a 19 % default rate; its id. */
async function partyOf(k: Kind, token: string, name: string, terms: number): Promise<{ id: string; name: string }> {
  const rate = await post('/erp/tax-rates', { name: `VAT ${unique()}`, rate: '19' }, token);
  const account = await post('/crm/accounts', { name }, token);
  const party = await post(k.partyPath, { account_id: account.body.id, tax_rate_id: rate.body.id, payment_terms_days: terms }, token);
  expect(party.status).toBe(201);
  return { id: party.body.id, name: party.body.name };
}

/** A draft of `party` for `net` (+ 19 %). */
async function draftOf(k: Kind, party: string, net: number, token: string): Promise<Json> {
  const draft = await post(k.path, { [`${k.party}_id`]: party, lines: [{ description: 'Work', quantity: '1', [k.unit]: eur(net) }] }, token);
  expect(draft.status).toBe(201);
  return draft.body;
}

/** An open document of `party` for `net` (+ 19 %), issued on `issueDate`. */
async function openDocument(k: Kind, party: string, net: number, issueDate: string, token: string): Promise<Json> {
  const draft = await draftOf(k, party, net, token);
  const fin = await act(`${k.path}/${draft.id}/finalize`, '"1"', { issue_date: issueDate }, {}, token);
  expect(fin.status).toBe(200);
  return fin.body;
}

/** A payment of `party` on `paidOn`, all of it allocated as `allocations` ([document, amount]). */
async function pay(k: Kind, party: string, paidOn: string, allocations: [Json, number][], token: string): Promise<void> {
  const amount = allocations.reduce((s, [, a]) => s + a, 0);
  const res = await post('/erp/payments', { direction: k.direction, [`${k.party}_id`]: party, amount: eur(amount), paid_on: paidOn, allocations: allocations.map(([d, a]) => ({ [k.field]: d.id, amount: eur(a) })) }, token);
  expect(res.status).toBe(201);
}

const ZERO = { current: eur(0), days_0_30: eur(0), days_31_60: eur(0), days_61_90: eur(0), days_over_90: eur(0) };
/** A row or the totals: the buckets given, the others 0, and their total. */
const amounts = (buckets: Partial<Record<keyof typeof ZERO, number>>) => ({
  ...ZERO,
  ...Object.fromEntries(Object.entries(buckets).map(([b, a]) => [b, eur(a!)])),
  total: eur(Object.values(buckets).reduce((s, a) => s + a!, 0)),
});

/** The balance of `code` in the trial balance as of `asOf`: debit − credit (0 when it has no line). */
async function balanceOf(code: string, asOf: string, token: string): Promise<number> {
  const tb = (await get(`/erp/reports/trial-balance?as_of=${asOf}`, token)).body;
  return (tb.accounts as Json[]).find((a) => a.code === code)?.balance.amount ?? 0;
}

describe(`ERP aged receivables on ${testDbKind()}`, () => {
  const k = KINDS.receivables;

  it('buckets what each customer owes by the days past due, as of a day before the payments and after', async () => {
    const t = await h.tenant();
    const alpha = await partyOf(k, t.token, `Alpha ${unique()}`, 14);
    const beta = await partyOf(k, t.token, `Beta ${unique()}`, 30);
    const i1 = await openDocument(k, alpha.id, 10000, '2026-09-01', t.token); // 119.00, due 09-15
    const i2 = await openDocument(k, alpha.id, 20000, '2026-11-20', t.token); // 238.00, due 12-04
    const i3 = await openDocument(k, beta.id, 5000, '2026-10-01', t.token); // 59.50, due 10-31
    await openDocument(k, beta.id, 30000, '2026-12-10', t.token); // 357.00, due 2027-01-09
    const lost = await openDocument(k, beta.id, 2000, '2026-11-01', t.token); // 23.80, due 12-01: uncollectible
    expect((await act(`${k.path}/${lost.id}/mark-uncollectible`, '"2"', undefined, {}, t.token)).status).toBe(200);
    const voided = await openDocument(k, alpha.id, 100000, '2026-11-01', t.token); // void: never counts
    expect((await act(`${k.path}/${voided.id}/void`, '"2"', undefined, {}, t.token)).status).toBe(200);
    await draftOf(k, alpha.id, 70000, t.token); // a draft: never counts
    expect(i1.due_date).toBe('2026-09-15');
    expect(i3.due_date).toBe('2026-10-31');
    await pay(k, alpha.id, '2026-12-05', [[i1, 5000], [i2, 23800]], t.token);
    await pay(k, beta.id, '2026-12-20', [[i3, 5950]], t.token);
    // Another tenant's invoice never shows, nor ours in theirs.
    const u = await h.tenant();
    const gamma = await partyOf(k, u.token, `Gamma ${unique()}`, 30);
    await openDocument(k, gamma.id, 777, '2026-11-01', u.token);

    const report = async (asOf: string, token = t.token) => {
      const res = await get(`${k.report}?as_of=${asOf}`, token);
      expect(res.status).toBe(200);
      return res.body;
    };
    const row = (p: { id: string; name: string }, buckets: Parameters<typeof amounts>[0]) => ({ customer_id: p.id, name: p.name, ...amounts(buckets) });

    // Before any payment: i1 77 days late, i2 not yet due, i3 31 days, the uncollectible one due that day; i4 not yet issued.
    expect(await report('2026-12-01')).toEqual({
      as_of: '2026-12-01',
      currency: 'EUR',
      parties: [row(alpha, { current: 23800, days_61_90: 11900 }), row(beta, { days_0_30: 2380, days_31_60: 5950 })],
      totals: amounts({ current: 23800, days_0_30: 2380, days_31_60: 5950, days_61_90: 11900 }),
    });
    // The day of a payment counts it: i2 settled, i1 69.00 left (81 days late).
    expect((await report('2026-12-05')).parties[0]).toEqual(row(alpha, { days_61_90: 6900 }));
    // After both payments: i1 107 days late; i3 settled; i4 not yet due; the uncollectible one 30 days.
    const december = await report('2026-12-31');
    expect(december).toEqual({
      as_of: '2026-12-31',
      currency: 'EUR',
      parties: [row(alpha, { days_over_90: 6900 }), row(beta, { current: 35700, days_0_30: 2380 })],
      totals: amounts({ current: 35700, days_0_30: 2380, days_over_90: 6900 }),
    });
    // With no payment left unallocated, the total is the receivables account's balance (past today, when the void's reversal is dated).
    const later = await report('2030-12-31');
    expect(later.totals.total).toEqual(eur(44980));
    expect(await balanceOf(k.account, '2030-12-31', t.token)).toBe(44980);
    expect(later.totals).toEqual(amounts({ days_over_90: 44980 }));
    expect(later.parties.map((p: Json) => p.customer_id)).toEqual([alpha.id, beta.id]);

    // Nothing before the first issue; the other tenant sees only its own.
    expect(await report('2026-08-31')).toEqual({ as_of: '2026-08-31', currency: 'EUR', parties: [], totals: amounts({}) });
    expect(await report('2026-12-31', u.token)).toEqual({ as_of: '2026-12-31', currency: 'EUR', parties: [row(gamma, { days_0_30: 925 })], totals: amounts({ days_0_30: 925 }) });
    // Absent as_of: today.
    expect((await get(k.report, t.token)).body.as_of).toBe(new Date().toISOString().slice(0, 10));
  });

  it('takes off what credit notes issued by the day applied; a refund owed is not outstanding', async () => {
    const t = await h.tenant();
    const delta = await partyOf(k, t.token, `Delta ${unique()}`, 14);
    const inv = await openDocument(k, delta.id, 10000, '2026-11-01', t.token); // 119.00, due 11-15
    const note = await post('/erp/credit-notes', { invoice_id: inv.id, lines: [{ invoice_line_id: inv.lines[0].id, quantity: '0.5' }] }, t.token);
    expect(note.status).toBe(201);
    expect((await act(`/erp/credit-notes/${note.body.id}/finalize`, '"1"', { issue_date: '2026-12-10' }, {}, t.token)).status).toBe(200);
    const report = async (asOf: string) => (await get(`${k.report}?as_of=${asOf}`, t.token)).body;
    // Before the credit note: all of it, 24 days late; from its issue date: half of it (59.50 credited).
    expect((await report('2026-12-09')).totals).toEqual(amounts({ days_0_30: 11900 }));
    expect((await report('2026-12-10')).totals).toEqual(amounts({ days_0_30: 5950 }));
    expect(await balanceOf(k.account, '2030-12-31', t.token)).toBe(5950);
  });

  it('refuses a bad as_of (400 naming it), and needs erp:read', async () => {
    const t = await h.tenant();
    for (const report of [KINDS.receivables.report, KINDS.payables.report]) {
      expect(pointersOf(await get(`${report}?as_of=2026-02-30`, t.token))).toEqual(['/query/as_of']);
      expect(pointersOf(await get(`${report}?as_of=tomorrow`, t.token))).toEqual(['/query/as_of']);
      const readOnly = await h.token(t.clientId, t.secret, 'erp:read');
      expect((await get(report, readOnly)).status).toBe(200);
      const crm = await h.token(t.clientId, t.secret, 'crm:read');
      expect((await get(report, crm)).status).toBe(403);
    }
  });
});

describe(`ERP aged payables on ${testDbKind()}`, () => {
  const k = KINDS.payables;

  it('buckets what is owed to each supplier by the days past due, before and after a payment', async () => {
    const t = await h.tenant();
    const s = await partyOf(k, t.token, `Supplier ${unique()}`, 30);
    const b1 = await openDocument(k, s.id, 10000, '2026-10-01', t.token); // 119.00, due 10-31
    await openDocument(k, s.id, 4000, '2026-12-01', t.token); // 47.60, due 12-31
    const voided = await openDocument(k, s.id, 9000, '2026-10-01', t.token);
    expect((await act(`${k.path}/${voided.id}/void`, '"2"', undefined, {}, t.token)).status).toBe(200);
    await draftOf(k, s.id, 9000, t.token);
    await pay(k, s.id, '2026-12-15', [[b1, 5000]], t.token);
    // Invoices are not payables.
    const customer = await partyOf(KINDS.receivables, t.token, `Customer ${unique()}`, 30);
    await openDocument(KINDS.receivables, customer.id, 3000, '2026-10-01', t.token);

    const row = (buckets: Parameters<typeof amounts>[0]) => ({ supplier_id: s.id, name: s.name, ...amounts(buckets) });
    const before = (await get(`${k.report}?as_of=2026-12-10`, t.token)).body;
    expect(before).toEqual({ as_of: '2026-12-10', currency: 'EUR', parties: [row({ current: 4760, days_31_60: 11900 })], totals: amounts({ current: 4760, days_31_60: 11900 }) });
    const after = (await get(`${k.report}?as_of=2026-12-31`, t.token)).body;
    expect(after).toEqual({ as_of: '2026-12-31', currency: 'EUR', parties: [row({ days_0_30: 4760, days_61_90: 6900 })], totals: amounts({ days_0_30: 4760, days_61_90: 6900 }) });
    // The payables account's credit balance is the total (past today, when the void's reversal is dated).
    const later = (await get(`${k.report}?as_of=2030-12-31`, t.token)).body;
    expect(later.totals.total).toEqual(eur(11660));
    expect(-(await balanceOf(k.account, '2030-12-31', t.token))).toBe(11660);
  });
});
