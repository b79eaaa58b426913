import { testDbKind } from '../support/databases';
import { Harness, type Admin } from '../support/harness';

/**
 * The trial balance: per account, the debits, credits and balance of the lines dated on or
 * before `as_of`, summed by the database, with totals that are always equal.
 */
let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
}, 180_000);
afterAll(() => h.stop(), 60_000);

type Json = Record<string, any>;
const post = (path: string, json: unknown, token = admin.token, headers: Record<string, string> = {}) => h.request('POST', `/v1/erp${path}`, { token, json, headers });
const get = (path: string, token = admin.token) => h.request('GET', `/v1/erp${path}`, { token });
const pointersOf = (res: { body: { errors?: { pointer: string }[] } }) => [...new Set((res.body.errors ?? []).map((e) => e.pointer))].sort();
const eur = (amount: number) => ({ amount, currency: 'EUR' });

async function chart(token: string): Promise<Record<string, Json>> {
  const accounts = (await get('/ledger-accounts?limit=200', token)).body.data as Json[];
  return Object.fromEntries(accounts.map((a) => [a.code, a]));
}
const entry = (date: string, lines: [string, number][]) => ({
  date,
  memo: 'Entry',
  lines: lines.map(([account, cents]) => ({ ledger_account_id: account, ...(cents > 0 ? { debit: eur(cents) } : { credit: eur(-cents) }) })),
});

describe(`ERP trial balance on ${testDbKind()}`, () => {
  it('sums each account up to as_of, in code order, with equal totals', async () => {
    const t = await h.tenant();
    const a = await chart(t.token);
    const id = (code: string) => a[code].id;
    expect((await get('/reports/trial-balance?as_of=2026-12-31', t.token)).body).toEqual({ as_of: '2026-12-31', currency: 'EUR', accounts: [], total_debit: eur(0), total_credit: eur(0) });
    await post('/journal-entries', entry('2026-11-01', [[id('1000'), 500000], [id('1300'), 150000], [id('3000'), -650000]]), t.token);
    await post('/journal-entries', entry('2026-11-15', [[id('6000'), 12000], [id('1000'), -12000]]), t.token);
    const sale = (await post('/journal-entries', entry('2026-12-05', [[id('1200'), 11900], [id('4000'), -10000], [id('2200'), -1900]]), t.token)).body;
    await post(`/journal-entries/${sale.id}/reverse`, { date: '2026-12-20' }, t.token, { 'if-match': '"1"' });
    // Another tenant's lines never count.
    const u = await h.tenant();
    const b = await chart(u.token);
    await post('/journal-entries', entry('2026-11-01', [[b['1000'].id, 999], [b['3000'].id, -999]]), u.token);

    const row = (code: string, debit: number, credit: number) => ({ ledger_account_id: id(code), code, name: a[code].name, type: a[code].type, debit: eur(debit), credit: eur(credit), balance: eur(debit - credit) });
    const november = (await get('/reports/trial-balance?as_of=2026-11-30', t.token)).body;
    expect(november).toEqual({
      as_of: '2026-11-30',
      currency: 'EUR',
      accounts: [row('1000', 500000, 12000), row('1300', 150000, 0), row('3000', 0, 650000), row('6000', 12000, 0)],
      total_debit: eur(662000),
      total_credit: eur(662000),
    });
    // The day of an entry counts (on or before as_of); the day before does not.
    expect((await get('/reports/trial-balance?as_of=2026-11-14', t.token)).body.total_debit).toEqual(eur(650000));
    expect((await get('/reports/trial-balance?as_of=2026-11-15', t.token)).body.total_debit).toEqual(eur(662000));
    const december5 = (await get('/reports/trial-balance?as_of=2026-12-05', t.token)).body;
    expect(december5.accounts.map((r: Json) => r.code)).toEqual(['1000', '1200', '1300', '2200', '3000', '4000', '6000']);
    expect(december5.accounts.find((r: Json) => r.code === '4000').balance).toEqual(eur(-10000));
    // After the reversal the sale's accounts are back to zero balance, their sums both ways kept.
    const year = (await get('/reports/trial-balance?as_of=2026-12-31', t.token)).body;
    expect(year.accounts.find((r: Json) => r.code === '1200')).toEqual(row('1200', 11900, 11900));
    expect(year.total_debit).toEqual(year.total_credit);
    expect(year.total_debit).toEqual(eur(662000 + 11900 * 2));
    expect(year.accounts.reduce((s: number, r: Json) => s + r.balance.amount, 0)).toBe(0);
    // Absent as_of: today.
    const now = (await get('/reports/trial-balance', t.token)).body;
    expect(now.as_of).toBe(new Date().toISOString().slice(0, 10));
    expect(now.total_debit).toEqual(now.total_credit);
    // The other tenant sees its own.
    expect((await get('/reports/trial-balance?as_of=2026-12-31', u.token)).body.total_debit).toEqual(eur(999));
  });

  it('refuses a bad as_of, and needs erp:read', async () => {
    const t = await h.tenant();
    expect(pointersOf(await get('/reports/trial-balance?as_of=2026-02-30', t.token))).toEqual(['/query/as_of']);
    expect(pointersOf(await get('/reports/trial-balance?as_of=tomorrow', t.token))).toEqual(['/query/as_of']);
    expect(pointersOf(await get('/reports/trial-balance?from=2026-01-01', t.token))).toEqual(['/query/from']);
    const readOnly = await h.token(t.clientId, t.secret, 'erp:read');
    expect((await get('/reports/trial-balance', readOnly)).status).toBe(200);
    const crm = await h.token(t.clientId, t.secret, 'crm:read');
    expect((await get('/reports/trial-balance', crm)).status).toBe(403);
  });
});
