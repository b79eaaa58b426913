import { erpModule, PeriodLockedError } from '../../src/modules/erp';
import { testDbKind } from '../support/databases';
import type { Admin, Harness } from '../support/harness';
import { START_TIMEOUT_MS, startTwoApps, STOP_TIMEOUT_MS, stopTwoApps } from '../support/two-apps';

/**
 * Monthly periods: open until locked; no post dated in a locked period, from any caller (manual
 * entries, reversals, the Journal interface documents post through), a 409 naming the period.
 * A lock racing posts: each post either committed before the lock or is refused (two app
 * instances on PostgreSQL; SQLite's transactions take turns).
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

async function chart(token: string): Promise<Record<string, string>> {
  const accounts = (await get('/ledger-accounts?limit=200', token)).body.data as Json[];
  return Object.fromEntries(accounts.map((a) => [a.code, a.id]));
}
const manual = (a: Record<string, string>, date: string, amount = 100) => ({
  date,
  memo: 'Manual entry',
  lines: [
    { ledger_account_id: a['1000'], debit: eur(amount) },
    { ledger_account_id: a['3000'], credit: eur(amount) },
  ],
});

describe(`ERP periods on ${testDbKind()}`, () => {
  it('is open until locked; a locked period refuses manual posts, reversals into it and document posts, naming it', async () => {
    const t = await h.tenant();
    const a = await chart(t.token);
    const never = await get('/periods/2026-11', t.token);
    expect(never.body).toEqual({ period: '2026-11', status: 'open', locked_at: null, version: 1 });
    expect(never.headers.get('etag')).toBe('"1"');
    expect((await post('/periods/2026-11/lock', undefined, t.token)).status).toBe(428);
    expect((await post('/periods/2026-11/lock', undefined, t.token, { 'if-match': '"2"' })).status).toBe(412);
    expect((await get('/periods', t.token)).body).toEqual({ data: [], next_cursor: null });
    const november = (await post('/journal-entries', manual(a, '2026-11-20'), t.token)).body;
    const december = (await post('/journal-entries', manual(a, '2026-12-02'), t.token)).body;

    const locked = await post('/periods/2026-11/lock', undefined, t.token, { 'if-match': '*' });
    expect(locked.status).toBe(200);
    expect(locked.body).toEqual({ period: '2026-11', status: 'locked', locked_at: expect.any(String), version: 2 });
    expect(locked.headers.get('etag')).toBe('"2"');
    expect((await get('/periods/2026-11', t.token)).body).toEqual(locked.body);
    const again = await post('/periods/2026-11/lock', undefined, t.token, { 'if-match': '*' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ type: '/problems/conflict', period: '2026-11' });

    // A manual post dated in it.
    const refused = await post('/journal-entries', manual(a, '2026-11-30'), t.token);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: '/problems/conflict', period: '2026-11' });
    expect(refused.body.detail).toMatch(/2026-11 is locked/);
    // A reversal dated in it (the entry stays unreversed), while one dated in an open period goes.
    const intoLocked = await post(`/journal-entries/${december.id}/reverse`, { date: '2026-11-30' }, t.token, { 'if-match': '"1"' });
    expect(intoLocked.status).toBe(409);
    expect(intoLocked.body.period).toBe('2026-11');
    expect((await get(`/journal-entries/${december.id}`, t.token)).body.status).toBe('posted');
    // Reversing an entry of the locked month is fine when the reversal is dated in an open one.
    const outOfLocked = await post(`/journal-entries/${november.id}/reverse`, { date: '2026-12-03' }, t.token, { 'if-match': '"1"' });
    expect(outOfLocked.status).toBe(201);
    // A document's post through the Journal interface.
    const { journal } = h.stratum.use(erpModule);
    await expect(
      h.stratum.kernel.runInUnitOfWork(t.tenantId, async (uow) =>
        journal.post(uow, { date: '2026-11-15', memo: 'Invoice', source: { type: 'invoice', id: 'inv_9' }, lines: [
          { ledgerAccountId: await journal.accountId(uow, 'receivables'), debit: 5n, credit: 0n },
          { ledgerAccountId: await journal.accountId(uow, 'revenue'), debit: 0n, credit: 5n },
        ] }),
      ),
    ).rejects.toThrow(PeriodLockedError);
    // Another tenant's November is its own.
    const u = await h.tenant();
    expect((await post('/journal-entries', manual(await chart(u.token), '2026-11-30'), u.token)).status).toBe(201);
    // Nothing landed in November after the lock: the trial balance as of its end is unchanged.
    const tb = (await get('/reports/trial-balance?as_of=2026-11-30', t.token)).body;
    expect(tb.total_debit).toEqual(eur(100));

    // The list: touched months, latest first, filtered by status.
    const list = (await get('/periods', t.token)).body;
    expect(list.data.map((p: Json) => [p.period, p.status])).toEqual([['2026-12', 'open'], ['2026-11', 'locked']]);
    expect((await get('/periods?status=locked', t.token)).body.data.map((p: Json) => p.period)).toEqual(['2026-11']);
    expect((await get('/periods?status=open&sort=period', t.token)).body.data.map((p: Json) => p.period)).toEqual(['2026-12']);
    expect((await get('/periods?limit=1&sort=period', t.token)).body.next_cursor).toEqual(expect.any(String));
    // Locking a month never touched makes its row.
    expect((await post('/periods/2025-01/lock', undefined, t.token, { 'if-match': '*' })).body.status).toBe('locked');
    expect((await get('/periods?sort=period', t.token)).body.data.map((p: Json) => p.period)).toEqual(['2025-01', '2026-11', '2026-12']);
  });

  it('unlocks with platform:admin only, and posts go again', async () => {
    const t = await h.tenant();
    const a = await chart(t.token);
    expect((await post('/periods/2026-10/unlock', undefined, t.token, { 'if-match': '*' })).status).toBe(409);
    await post('/periods/2026-10/lock', undefined, t.token, { 'if-match': '*' });
    const writer = await h.token(t.clientId, t.secret, 'erp:read erp:write');
    expect((await post('/periods/2026-10/unlock', undefined, writer, { 'if-match': '*' })).status).toBe(403);
    expect((await post('/journal-entries', manual(a, '2026-10-01'), writer)).status).toBe(409);
    const opened = await post('/periods/2026-10/unlock', undefined, t.token, { 'if-match': '*' });
    expect(opened.status).toBe(200);
    expect(opened.body).toEqual({ period: '2026-10', status: 'open', locked_at: null, version: 3 });
    expect((await post('/journal-entries', manual(a, '2026-10-01'), writer)).status).toBe(201);
    expect((await post('/periods/2026-10/unlock', undefined, t.token, { 'if-match': '*' })).status).toBe(409);
  });

  it('refuses a bad period, needs the scopes, and honours Idempotency-Key', async () => {
    const t = await h.tenant();
    expect(pointersOf(await get('/periods/2026-13', t.token))).toEqual(['/path/period']);
    expect(pointersOf(await get('/periods/2026-1', t.token))).toEqual(['/path/period']);
    expect(pointersOf(await post('/periods/26-01/lock', undefined, t.token, { 'if-match': '*' }))).toEqual(['/path/period']);
    expect(pointersOf(await get('/periods?status=closed', t.token))).toEqual(['/query/status']);
    const readOnly = await h.token(t.clientId, t.secret, 'erp:read');
    expect((await get('/periods', readOnly)).status).toBe(200);
    expect((await post('/periods/2026-09/lock', undefined, readOnly, { 'if-match': '*' })).status).toBe(403);
    const key = `lock-${Math.random()}`;
    const first = await post('/periods/2026-09/lock', undefined, t.token, { 'idempotency-key': key, 'if-match': '"1"' });
    const replay = await post('/periods/2026-09/lock', undefined, t.token, { 'idempotency-key': key, 'if-match': '"1"' });
    expect(first.status).toBe(200);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
  });

  it('a lock racing posts: every post committed before the lock or was refused, and none lands after', async () => {
    const t = await h.tenant();
    const a = await chart(t.token);
    await post('/journal-entries', manual(a, '2026-08-01'), t.token);
    const august = async () => ((await get('/journal-entries?date_after=2026-08-01&date_before=2026-09-01&limit=200', t.token)).body.data as Json[]).map((e) => e.id).sort();
    const posts = Array.from({ length: 30 }, (_, i) => post('/journal-entries', manual(a, '2026-08-15', i + 1), t.token, {}, i % 2 ? other : h));
    // The lock goes while the posts are in flight; what August holds the moment it answered is final.
    const lock = new Promise((resolve) => setTimeout(resolve, 15)).then(async () => {
      const res = await post('/periods/2026-08/lock', undefined, t.token, { 'if-match': '*' }, other);
      return { res, seen: await august() };
    });
    const results = await Promise.all(posts);
    const { res: locked, seen } = await lock;
    expect(locked.status).toBe(200);
    for (const r of results) expect([201, 409]).toContain(r.status);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.period).toBe('2026-08');
    // No post committed after the lock: August is what it was when the lock answered, and holds exactly the posts answered 201.
    expect(await august()).toEqual(seen);
    expect(seen).toHaveLength(1 + results.filter((r) => r.status === 201).length);
    for (const r of results.filter((x) => x.status === 201)) expect(seen).toContain(r.body.id);
    // And after the lock, nothing more.
    expect((await post('/journal-entries', manual(a, '2026-08-31'), t.token, {}, other)).status).toBe(409);
  });
});
