import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDbKind } from '../support/databases';
import { erpModule } from '../../src/modules/erp';
import type { Admin, Harness } from '../support/harness';
import { START_TIMEOUT_MS, startTwoApps, STOP_TIMEOUT_MS, stopTwoApps } from '../support/two-apps';

/**
 * The journal over HTTP: manual entries posted at once and numbered without gaps, read and listed
 * with every filter, reversed once (never on the original date by default), immutable, and
 * refused with the field named when they do not balance. Concurrency: 30 racing posts get
 * 1..30, and a post that fails gives its number back (two app instances on PostgreSQL).
 */
let h: Harness;
let other: Harness;
let admin: Admin;

beforeAll(async () => {
  ({ h, other } = await startTwoApps());
  admin = await h.tenant();
}, START_TIMEOUT_MS);
afterAll(() => stopTwoApps(h, other), STOP_TIMEOUT_MS);

type Json = Record<string, any>;
const post = (path: string, json: unknown, token = admin.token, headers: Record<string, string> = {}, app = h) => app.request('POST', `/v1/erp${path}`, { token, json, headers });
const get = (path: string, token = admin.token) => h.request('GET', `/v1/erp${path}`, { token });
const pointersOf = (res: { body: { errors?: { pointer: string }[] } }) => [...new Set((res.body.errors ?? []).map((e) => e.pointer))].sort();
const eur = (amount: number) => ({ amount, currency: 'EUR' });
const today = () => new Date().toISOString().slice(0, 10);

async function chart(token: string): Promise<Record<string, string>> {
  const accounts = (await get('/ledger-accounts?limit=200', token)).body.data as Json[];
  return Object.fromEntries(accounts.map((a) => [a.code, a.id]));
}

const manual = (debitAccount: string, creditAccount: string, amount: number, date = '2026-12-01', memo = 'Manual entry') => ({
  date,
  memo,
  lines: [
    { ledger_account_id: debitAccount, debit: eur(amount) },
    { ledger_account_id: creditAccount, credit: eur(amount) },
  ],
});

describe(`ERP journal entries on ${testDbKind()}`, () => {
  it('posts a manual entry at once, numbered, with its event, and reads it back', async () => {
    const t = await h.tenant();
    const a = await chart(t.token);
    const res = await post('/journal-entries', { date: '2026-12-01', memo: 'Opening balance', lines: [
      { ledger_account_id: a['1000'], debit: eur(500000), memo: 'Bank' },
      { ledger_account_id: a['1300'], debit: eur(100000) },
      { ledger_account_id: a['3000'], credit: eur(600000) },
    ] }, t.token);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^jen_[0-9A-HJKMNP-TV-Z]{26}$/),
      number: 'JE-2026-000001',
      date: '2026-12-01',
      memo: 'Opening balance',
      source: null,
      status: 'posted',
      currency: 'EUR',
      lines: [
        { ledger_account_id: a['1000'], debit: eur(500000), credit: eur(0), memo: 'Bank' },
        { ledger_account_id: a['1300'], debit: eur(100000), credit: eur(0), memo: null },
        { ledger_account_id: a['3000'], debit: eur(0), credit: eur(600000), memo: null },
      ],
      total_debit: eur(600000),
      total_credit: eur(600000),
      reverses_entry_id: null,
      reversed_by_entry_id: null,
      posted_at: expect.any(String),
      version: 1,
    });
    expect(res.headers.get('location')).toBe(`/v1/erp/journal-entries/${res.body.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    const got = await get(`/journal-entries/${res.body.id}`, t.token);
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.body).toEqual(res.body);
    // The next one takes the next number; another year starts at 1; another tenant has its own series.
    expect((await post('/journal-entries', manual(a['6000'], a['1000'], 1200), t.token)).body.number).toBe('JE-2026-000002');
    expect((await post('/journal-entries', manual(a['6000'], a['1000'], 1200, '2027-01-02'), t.token)).body.number).toBe('JE-2027-000001');
    const u = await h.tenant();
    const b = await chart(u.token);
    expect((await post('/journal-entries', manual(b['1000'], b['3000'], 10), u.token)).body.number).toBe('JE-2026-000001');
    // The events, through the outbox, each matching its documented schema.
    const document = JSON.parse(readFileSync(join(__dirname, '../../generated/openapi.json'), 'utf8'));
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'contract', components: document.components, webhooks: document.webhooks });
    const validate = ajv.compile({ $ref: 'contract#/webhooks/erp.journal_entry.posted/post/requestBody/content/application~1json/schema' });
    const rows = await h.stratum.kernel.db.select<Json>("SELECT id, type, tenant_id, aggregate_type, aggregate_id, occurred_at, payload FROM outbox_events WHERE tenant_id = :tenantId AND type LIKE 'erp.%' ORDER BY id", {
      tenantId: t.tenantId,
    });
    expect(rows.map((r) => [r.type, r.aggregate_type])).toEqual(Array(3).fill(['erp.journal_entry.posted', 'journal_entry']));
    expect(rows[0].aggregate_id).toBe(res.body.id);
    const data = (r: Json) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload);
    expect(data(rows[0])).toEqual(res.body);
    for (const r of rows) {
      const event = { id: r.id, type: r.type, tenant_id: r.tenant_id, aggregate: { type: r.aggregate_type, id: r.aggregate_id }, occurred_at: new Date(r.occurred_at).toISOString(), data: data(r) };
      expect(validate(event) ? null : validate.errors).toBeNull();
    }
  });

  it('refuses an entry that does not balance or is malformed, naming the field, and posts nothing (no number taken)', async () => {
    const t = await h.tenant();
    const a = await chart(t.token);
    const unbalanced = await post('/journal-entries', { date: '2026-12-01', memo: 'Off', lines: [
      { ledger_account_id: a['1000'], debit: eur(100) },
      { ledger_account_id: a['3000'], credit: eur(99) },
    ] }, t.token);
    expect(unbalanced.status).toBe(400);
    expect(pointersOf(unbalanced)).toEqual(['/lines']);
    expect(unbalanced.body.detail).toMatch(/debits total 100, credits total 99/);
    expect(pointersOf(await post('/journal-entries', { date: '2026-12-01', memo: 'One', lines: [{ ledger_account_id: a['1000'], debit: eur(1) }] }, t.token))).toEqual(['/lines']);
    expect(pointersOf(await post('/journal-entries', { date: '2026-12-01', memo: 'None', lines: [] }, t.token))).toEqual(['/lines']);
    expect(pointersOf(await post('/journal-entries', { date: '2026-12-01', memo: 'Both', lines: [
      { ledger_account_id: a['1000'], debit: eur(1), credit: eur(1) },
      { ledger_account_id: a['3000'] },
    ] }, t.token))).toEqual(['/lines/0', '/lines/1']);
    expect(pointersOf(await post('/journal-entries', manual(a['1000'], a['3000'], 0), t.token))).toEqual(['/lines/0/debit/amount', '/lines/1/credit/amount']);
    expect(pointersOf(await post('/journal-entries', manual(a['1000'], a['3000'], -5), t.token))).toEqual(['/lines/0/debit/amount', '/lines/1/credit/amount']);
    expect(pointersOf(await post('/journal-entries', manual(a['1000'], a['3000'], 1.5), t.token))).toEqual(['/lines/0/debit/amount', '/lines/1/credit/amount']);
    // An account of another tenant, or none at all: 400 naming the line's account.
    const u = await h.tenant();
    const theirs = await chart(u.token);
    const foreign = await post('/journal-entries', manual(a['1000'], theirs['3000'], 5), t.token);
    expect(foreign.status).toBe(400);
    expect(pointersOf(foreign)).toEqual(['/lines/1/ledger_account_id']);
    expect(pointersOf(await post('/journal-entries', manual('lac_01M8C3E5G7J9K1M3P5R7T9V1X3', a['3000'], 5), t.token))).toEqual(['/lines/0/ledger_account_id']);
    expect(pointersOf(await post('/journal-entries', manual('not-an-id', a['3000'], 5), t.token))).toEqual(['/lines/0/ledger_account_id']);
    // Bad dates, memos, unknown fields.
    expect(pointersOf(await post('/journal-entries', manual(a['1000'], a['3000'], 5, '2026-02-30'), t.token))).toEqual(['/date']);
    expect(pointersOf(await post('/journal-entries', manual(a['1000'], a['3000'], 5, '01.12.2026'), t.token))).toEqual(['/date']);
    expect(pointersOf(await post('/journal-entries', { ...manual(a['1000'], a['3000'], 5), memo: '' }, t.token))).toEqual(['/memo']);
    expect(pointersOf(await post('/journal-entries', { ...manual(a['1000'], a['3000'], 5), number: 'JE-2026-000009' }, t.token))).toEqual(['/number']);
    expect(pointersOf(await post('/journal-entries', { memo: 'x', lines: [] }, t.token))).toEqual(['/date', '/lines']);
    // Another currency: 422 not-supported naming it.
    const usd = await post('/journal-entries', { date: '2026-12-01', memo: 'Dollars', lines: [
      { ledger_account_id: a['1000'], debit: { amount: 5, currency: 'USD' } },
      { ledger_account_id: a['3000'], credit: eur(5) },
    ] }, t.token);
    expect(usd.status).toBe(422);
    expect(usd.body.type).toBe('/problems/not-supported');
    expect(pointersOf(usd)).toEqual(['/lines/0/debit/currency']);
    // Nothing was posted, and no number was used.
    expect((await get('/journal-entries', t.token)).body.data).toEqual([]);
    expect((await post('/journal-entries', manual(a['1000'], a['3000'], 5), t.token)).body.number).toBe('JE-2026-000001');
  });

  it('reverses an entry once, dated today or as asked, linking both ways; entries are immutable', async () => {
    const t = await h.tenant();
    const a = await chart(t.token);
    const original = (await post('/journal-entries', manual(a['6000'], a['1000'], 4500, '2026-11-15', 'Rent'), t.token)).body;
    const path = `/journal-entries/${original.id}`;
    expect((await post(`${path}/reverse`, {}, t.token)).status).toBe(428);
    expect((await post(`${path}/reverse`, {}, t.token, { 'if-match': '"2"' })).status).toBe(412);
    const reversal = await post(`${path}/reverse`, undefined, t.token, { 'if-match': '"1"' });
    expect(reversal.status).toBe(201);
    expect(reversal.body).toMatchObject({
      number: today().startsWith('2026') ? 'JE-2026-000002' : `JE-${today().slice(0, 4)}-000001`,
      date: today(),
      memo: `Reversal of ${original.number}`,
      source: null,
      status: 'posted',
      reverses_entry_id: original.id,
      reversed_by_entry_id: null,
      lines: [
        { ledger_account_id: a['6000'], debit: eur(0), credit: eur(4500), memo: null },
        { ledger_account_id: a['1000'], debit: eur(4500), credit: eur(0), memo: null },
      ],
      version: 1,
    });
    expect(reversal.body.date).not.toBe(original.date);
    const after = await get(path, t.token);
    expect(after.headers.get('etag')).toBe('"2"');
    expect(after.body).toEqual({ ...original, status: 'reversed', reversed_by_entry_id: reversal.body.id, version: 2 });
    // Once only, whatever If-Match says.
    const again = await post(`${path}/reverse`, {}, t.token, { 'if-match': '*' });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/reversed already/);
    expect((await post(`${path}/reverse`, {}, t.token, { 'if-match': '"2"' })).status).toBe(409);
    // A reversal is an entry like any other: it can itself be reversed, on a date given.
    const back = await post(`/journal-entries/${reversal.body.id}/reverse`, { date: '2026-12-20', memo: 'Undo the undo' }, t.token, { 'if-match': '"1"' });
    expect(back.status).toBe(201);
    expect(back.body).toMatchObject({ date: '2026-12-20', memo: 'Undo the undo', reverses_entry_id: reversal.body.id, lines: original.lines });
    expect(pointersOf(await post(`/journal-entries/${back.body.id}/reverse`, { date: '2026-13-01' }, t.token, { 'if-match': '"1"' }))).toEqual(['/date']);
    expect(pointersOf(await post(`/journal-entries/${back.body.id}/reverse`, { lines: [] }, t.token, { 'if-match': '"1"' }))).toEqual(['/lines']);
    // No PATCH, no DELETE.
    expect((await h.request('PATCH', `/v1/erp${path}`, { token: t.token, json: { memo: 'x' }, headers: { 'if-match': '"2"' } })).status).toBe(405);
    expect((await h.request('DELETE', `/v1/erp${path}`, { token: t.token, headers: { 'if-match': '"2"' } })).status).toBe(405);
    // A ledger account with lines is never deleted.
    const own = (await post('/ledger-accounts', { code: '6100', name: 'Rent', type: 'expense' }, t.token)).body;
    await post('/journal-entries', manual(own.id, a['1000'], 10), t.token);
    const refused = await h.request('DELETE', `/v1/erp/ledger-accounts/${own.id}`, { token: t.token, headers: { 'if-match': '"1"' } });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/has journal lines/);
  });

  it('lists with every filter, sorts by date or posting, and pages to the end', async () => {
    const t = await h.tenant();
    const a = await chart(t.token);
    const e1 = (await post('/journal-entries', manual(a['1000'], a['3000'], 100, '2026-10-05'), t.token)).body;
    const e2 = (await post('/journal-entries', manual(a['6000'], a['1000'], 20, '2026-11-10'), t.token)).body;
    const e3 = (await post('/journal-entries', manual(a['1300'], a['2000'], 30, '2026-12-01'), t.token)).body;
    const r2 = (await post(`/journal-entries/${e2.id}/reverse`, { date: '2026-12-02' }, t.token, { 'if-match': '"1"' })).body;
    const ids = (res: { body: { data: Json[] } }) => res.body.data.map((e) => e.id);
    expect(ids(await get('/journal-entries', t.token))).toEqual([r2.id, e3.id, e2.id, e1.id]);
    expect(ids(await get('/journal-entries?sort=date', t.token))).toEqual([e1.id, e2.id, e3.id, r2.id]);
    expect(ids(await get('/journal-entries?sort=posted_at', t.token))).toEqual([e1.id, e2.id, e3.id, r2.id]);
    expect(ids(await get(`/journal-entries?ledger_account_id=${a['1000']}&sort=date`, t.token))).toEqual([e1.id, e2.id, r2.id]);
    expect(ids(await get(`/journal-entries?ledger_account_id=${a['2000']}`, t.token))).toEqual([e3.id]);
    expect(ids(await get('/journal-entries?status=reversed', t.token))).toEqual([e2.id]);
    expect(ids(await get('/journal-entries?status=posted&sort=date', t.token))).toEqual([e1.id, e3.id, r2.id]);
    expect(ids(await get('/journal-entries?date_after=2026-11-01&date_before=2026-12-02&sort=date', t.token))).toEqual([e2.id, e3.id]);
    expect(ids(await get('/journal-entries?source_type=sales_order', t.token))).toEqual([]);
    // Entries from documents, posted through the Journal interface, filter by their source.
    const { journal } = h.stratum.use(erpModule);
    const doc = await h.stratum.kernel.runInUnitOfWork(t.tenantId, async (uow) =>
      journal.post(uow, { date: '2026-12-05', memo: 'Invoice INV-1', source: { type: 'invoice', id: 'inv_1' }, lines: [
        { ledgerAccountId: await journal.accountId(uow, 'receivables'), debit: 119n, credit: 0n },
        { ledgerAccountId: await journal.accountId(uow, 'revenue'), debit: 0n, credit: 100n },
        { ledgerAccountId: await journal.accountId(uow, 'tax_payable'), debit: 0n, credit: 19n },
      ] }),
    );
    expect(doc).toMatchObject({ number: 'JE-2026-000005', source: { type: 'invoice', id: 'inv_1' }, totalDebit: 119n });
    expect(ids(await get('/journal-entries?source_type=invoice', t.token))).toEqual([doc.id]);
    expect(ids(await get('/journal-entries?source_type=invoice&source_id=inv_1', t.token))).toEqual([doc.id]);
    expect(ids(await get('/journal-entries?source_id=inv_2', t.token))).toEqual([]);
    expect((await get(`/journal-entries/${doc.id}`, t.token)).body).toMatchObject({ source: { type: 'invoice', id: 'inv_1' }, lines: [{ ledger_account_id: a['1200'] }, { ledger_account_id: a['4000'] }, { ledger_account_id: a['2200'] }] });
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: Json[]; next_cursor: string | null } } = await get(`/journal-entries?limit=1&sort=date${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, t.token);
      all.push(...ids(page));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(all).toEqual([e1.id, e2.id, e3.id, r2.id, doc.id]);
    expect(pointersOf(await get('/journal-entries?status=draft', t.token))).toEqual(['/query/status']);
    expect(pointersOf(await get('/journal-entries?sort=number', t.token))).toEqual(['/query/sort']);
    expect(pointersOf(await get('/journal-entries?date_after=yesterday', t.token))).toEqual(['/query/date_after']);
    expect(pointersOf(await get('/journal-entries?ledger_account_id=x', t.token))).toEqual(['/query/ledger_account_id']);
  });

  it("answers 404 for another tenant's entry, honours Idempotency-Key, and needs the ERP scopes", async () => {
    const t = await h.tenant();
    const a = await chart(t.token);
    const key = `je-${Math.random()}`;
    const first = await post('/journal-entries', manual(a['1000'], a['3000'], 77), t.token, { 'idempotency-key': key });
    const again = await post('/journal-entries', manual(a['1000'], a['3000'], 77), t.token, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await post('/journal-entries', manual(a['1000'], a['3000'], 78), t.token, { 'idempotency-key': key })).status).toBe(422);
    expect((await get('/journal-entries', t.token)).body.data).toHaveLength(1);
    const rkey = `rev-${Math.random()}`;
    const rev = await post(`/journal-entries/${first.body.id}/reverse`, {}, t.token, { 'if-match': '"1"', 'idempotency-key': rkey });
    const revAgain = await post(`/journal-entries/${first.body.id}/reverse`, {}, t.token, { 'if-match': '"1"', 'idempotency-key': rkey });
    expect(revAgain.status).toBe(201);
    expect(revAgain.body).toEqual(rev.body);

    const u = await h.tenant();
    expect((await get(`/journal-entries/${first.body.id}`, u.token)).status).toBe(404);
    expect((await post(`/journal-entries/${first.body.id}/reverse`, {}, u.token, { 'if-match': '*' })).status).toBe(404);
    expect((await get('/journal-entries', u.token)).body.data).toEqual([]);
    expect(pointersOf(await get('/journal-entries/not-an-id', t.token))).toEqual(['/path/journal_entry_id']);
    const readOnly = await h.token(t.clientId, t.secret, 'erp:read');
    expect((await get(`/journal-entries/${first.body.id}`, readOnly)).status).toBe(200);
    expect((await post('/journal-entries', manual(a['1000'], a['3000'], 1), readOnly)).status).toBe(403);
    expect((await post(`/journal-entries/${rev.body.id}/reverse`, {}, readOnly, { 'if-match': '"1"' })).status).toBe(403);
    const wms = await h.token(t.clientId, t.secret, 'wms:read');
    expect((await get('/journal-entries', wms)).status).toBe(403);
  });

  it('reverses an entry once when ten reversals race', async () => {
    const t = await h.tenant();
    const a = await chart(t.token);
    const original = (await post('/journal-entries', manual(a['6000'], a['1000'], 300), t.token)).body;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => post(`/journal-entries/${original.id}/reverse`, { date: '2026-12-02' }, t.token, { 'if-match': '*' }, i % 2 ? other : h)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
    const winner = results.find((r) => r.status === 201)!.body;
    expect((await get(`/journal-entries/${original.id}`, t.token)).body.reversed_by_entry_id).toBe(winner.id);
    expect((await get('/journal-entries', t.token)).body.data).toHaveLength(2);
    // The failed reversals took no number.
    expect((await post('/journal-entries', manual(a['6000'], a['1000'], 1), t.token)).body.number).toBe('JE-2026-000003');
  });

  it('numbers 30 concurrent posts 1..30 with no gap or duplicate; a post whose transaction fails after numbering gives its number back', async () => {
    const t = await h.tenant();
    const a = await chart(t.token);
    const { journal } = h.stratum.use(erpModule);
    // Ten documents whose transaction fails after their entry was posted and numbered, racing 30 good posts.
    const failing = Array.from({ length: 10 }, (_, i) =>
      h.stratum.kernel
        .runInUnitOfWork(t.tenantId, async (uow) => {
          await journal.post(uow, { date: '2026-12-03', memo: `Doomed ${i}`, source: { type: 'invoice', id: `doomed-${i}` }, lines: [
            { ledgerAccountId: a['1200'], debit: 10n, credit: 0n },
            { ledgerAccountId: a['4000'], debit: 0n, credit: 10n },
          ] });
          throw new Error('the document failed after posting');
        })
        .then(() => 'committed', (err: Error) => err.message),
    );
    const results = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => post('/journal-entries', manual(a['1000'], a['3000'], i + 1, '2026-12-03'), t.token, {}, i % 2 ? other : h)),
    ]);
    expect(await Promise.all(failing)).toEqual(Array(10).fill('the document failed after posting'));
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(201));
    const numbers = results.map((r) => r.body.number).sort();
    expect(numbers).toEqual(Array.from({ length: 30 }, (_, i) => `JE-2026-${String(i + 1).padStart(6, '0')}`));
    expect((await get('/journal-entries?source_type=invoice', t.token)).body.data).toEqual([]);
    expect((await post('/journal-entries', manual(a['1000'], a['3000'], 5, '2026-12-04'), t.token)).body.number).toBe('JE-2026-000031');
  });
});
