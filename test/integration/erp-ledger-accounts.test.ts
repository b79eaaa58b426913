import { Harness, type Admin } from '../support/harness';

let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

const post = (path: string, json: unknown, token = admin.token, headers: Record<string, string> = {}) => h.request('POST', `/v1/erp${path}`, { token, json, headers });
const get = (path: string, token = admin.token) => h.request('GET', `/v1/erp${path}`, { token });
const patch = (path: string, json: unknown, ifMatch: string | undefined, token = admin.token) =>
  h.request('PATCH', `/v1/erp${path}`, { token, json, headers: { 'content-type': 'application/merge-patch+json', ...(ifMatch ? { 'if-match': ifMatch } : {}) } });
const del = (path: string, ifMatch: string | undefined, token = admin.token) => h.request('DELETE', `/v1/erp${path}`, { token, headers: ifMatch ? { 'if-match': ifMatch } : {} });
const pointersOf = (res: { body: { errors?: { pointer: string }[] } }) => [...new Set((res.body.errors ?? []).map((e) => e.pointer))].sort();
const codes = (res: { body: { data: { code: string }[] } }) => res.body.data.map((a) => a.code);

const STANDARD = [
  ['1000', 'Cash', 'asset'],
  ['1200', 'Accounts receivable', 'asset'],
  ['1300', 'Inventory', 'asset'],
  ['1400', 'Tax receivable', 'asset'],
  ['2000', 'Accounts payable', 'liability'],
  ['2100', 'Goods received not invoiced', 'liability'],
  ['2200', 'Tax payable', 'liability'],
  ['3000', 'Owner equity', 'equity'],
  ['4000', 'Revenue', 'revenue'],
  ['5000', 'Cost of goods sold', 'expense'],
  ['6000', 'Expenses', 'expense'],
];

describe('ERP ledger accounts', () => {
  it("gives every tenant the standard chart the first time its chart is used, once, even when requests race", async () => {
    const t = await h.tenant();
    const lists = await Promise.all([0, 1, 2, 3].map(() => get('/ledger-accounts', t.token)));
    for (const res of lists) {
      expect(res.status).toBe(200);
      expect(res.body.data.map((a: { code: string; name: string; type: string }) => [a.code, a.name, a.type])).toEqual(STANDARD);
      expect(res.body.data.every((a: { system: boolean; version: number }) => a.system && a.version === 1)).toBe(true);
      expect(res.body.next_cursor).toBeNull();
    }
    expect(lists[0].body.data[0]).toEqual({
      id: expect.stringMatching(/^lac_[0-9A-HJKMNP-TV-Z]{26}$/),
      code: '1000',
      name: 'Cash',
      type: 'asset',
      system: true,
      version: 1,
      created_at: expect.any(String),
      updated_at: lists[0].body.data[0].created_at,
    });
    expect(new Set(lists.map((l) => l.body.data[0].id)).size).toBe(1);
    // Another tenant's chart is its own.
    const other = await h.tenant();
    const theirs = await get('/ledger-accounts', other.token);
    expect(codes(theirs)).toEqual(STANDARD.map((s) => s[0]));
    expect(theirs.body.data[0].id).not.toBe(lists[0].body.data[0].id);
  });

  it("adds the tenant's own accounts: code unique ignoring case (the standard ones' too), 409 naming the holder", async () => {
    const t = await h.tenant();
    const res = await post('/ledger-accounts', { code: '6100', name: 'Rent', type: 'expense' }, t.token);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.stringMatching(/^lac_/), code: '6100', name: 'Rent', type: 'expense', system: false, version: 1, created_at: expect.any(String), updated_at: res.body.created_at });
    expect(res.headers.get('location')).toBe(`/v1/erp/ledger-accounts/${res.body.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    expect((await get(`/ledger-accounts/${res.body.id}`, t.token)).body).toEqual(res.body);
    const cash = (await get('/ledger-accounts?system=true', t.token)).body.data[0];
    const taken = await post('/ledger-accounts', { code: '1000', name: 'Petty cash', type: 'asset' }, t.token);
    expect(taken.status).toBe(409);
    expect(taken.body.existing_ledger_account_id).toBe(cash.id);
    const letters = await post('/ledger-accounts', { code: 'EQ-1', name: 'Owner equity', type: 'equity' }, t.token);
    expect(letters.status).toBe(201);
    const folded = await post('/ledger-accounts', { code: 'eq-1', name: 'Again', type: 'equity' }, t.token);
    expect(folded.status).toBe(409);
    expect(folded.body.existing_ledger_account_id).toBe(letters.body.id);
    const other = await h.tenant();
    expect((await post('/ledger-accounts', { code: '6100', name: 'Rent', type: 'expense' }, other.token)).status).toBe(201);
    const races = await Promise.all([0, 1, 2, 3].map((i) => post('/ledger-accounts', { code: i % 2 ? 'RACE' : 'race', name: `Racer ${i}`, type: 'asset' }, t.token)));
    const won = races.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    for (const r of races.filter((x) => x.status !== 201)) expect(r.body).toMatchObject({ status: 409, existing_ledger_account_id: won[0].body.id });
  });

  it('refuses bad input naming each field, and writes nothing', async () => {
    const t = await h.tenant();
    const res = await post('/ledger-accounts', { code: '-1', name: '', type: 'income', system: true }, t.token);
    expect(res.status).toBe(400);
    expect(pointersOf(res)).toEqual(['/code', '/name', '/system', '/type']);
    expect(pointersOf(await post('/ledger-accounts', { code: 'x'.repeat(21), name: 'x', type: 'asset' }, t.token))).toEqual(['/code']);
    expect(pointersOf(await post('/ledger-accounts', { code: '1 0', name: 'x', type: 'asset' }, t.token))).toEqual(['/code']);
    expect(pointersOf(await post('/ledger-accounts', { code: '7000', name: 'x' }, t.token))).toEqual(['/type']);
    expect(codes(await get('/ledger-accounts?system=false', t.token))).toEqual([]);
  });

  it('lets a standard account be renamed only: another code or type is a 409, and it is never deleted', async () => {
    const t = await h.tenant();
    const revenue = (await get('/ledger-accounts?type=revenue', t.token)).body.data[0];
    const path = `/ledger-accounts/${revenue.id}`;
    expect((await patch(path, { name: 'Sales' }, undefined, t.token)).status).toBe(428);
    expect((await patch(path, { name: 'Sales' }, '"2"', t.token)).status).toBe(412);
    const retyped = await patch(path, { type: 'expense' }, '"1"', t.token);
    expect(retyped.status).toBe(409);
    expect(retyped.body.detail).toMatch(/standard account: its type never changes/);
    expect((await patch(path, { code: '4001' }, '"1"', t.token)).status).toBe(409);
    const renamed = await patch(path, { name: 'Sales', type: 'revenue', code: '4000' }, '"1"', t.token);
    expect(renamed.status).toBe(200);
    expect(renamed.headers.get('etag')).toBe('"2"');
    expect(renamed.body).toMatchObject({ code: '4000', name: 'Sales', type: 'revenue', system: true, version: 2 });
    const refused = await del(path, '"2"', t.token);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/never deleted/);
    expect((await get(path, t.token)).body).toEqual(renamed.body);
  });

  it("changes and deletes the tenant's own accounts; If-Match is required and checked", async () => {
    const t = await h.tenant();
    const own = (await post('/ledger-accounts', { code: '6100', name: 'Rent', type: 'expense' }, t.token)).body;
    const path = `/ledger-accounts/${own.id}`;
    expect(pointersOf(await patch(path, { system: true }, '"1"', t.token))).toEqual(['/system']);
    expect((await patch(path, { code: '1000' }, '"1"', t.token)).body.existing_ledger_account_id).toEqual(expect.stringMatching(/^lac_/));
    const changed = await patch(path, { code: '1500', name: 'Prepaid rent', type: 'asset' }, '"1"', t.token);
    expect(changed.body).toMatchObject({ code: '1500', name: 'Prepaid rent', type: 'asset', system: false, version: 2 });
    expect((await patch(path, { name: 'Prepaid rent' }, '"2"', t.token)).body.version).toBe(2);
    expect((await del(path, undefined, t.token)).status).toBe(428);
    expect((await del(path, '"1"', t.token)).status).toBe(412);
    expect((await del(path, '"2"', t.token)).status).toBe(204);
    expect((await get(path, t.token)).status).toBe(404);
    expect((await del(path, '"2"', t.token)).status).toBe(404);
    // Its code is free again.
    expect((await post('/ledger-accounts', { code: '1500', name: 'Prepaid', type: 'asset' }, t.token)).status).toBe(201);
  });

  it('lists by code, name or creation, filters by type and by standard or own, and pages to the end', async () => {
    const t = await h.tenant();
    await post('/ledger-accounts', { code: '6100', name: 'Rent', type: 'expense' }, t.token);
    await post('/ledger-accounts', { code: '3100', name: 'Capital', type: 'equity' }, t.token);
    expect(codes(await get('/ledger-accounts?type=expense', t.token))).toEqual(['5000', '6000', '6100']);
    expect(codes(await get('/ledger-accounts?type=equity', t.token))).toEqual(['3000', '3100']);
    expect(codes(await get('/ledger-accounts?system=false', t.token))).toEqual(['3100', '6100']);
    expect(codes(await get('/ledger-accounts?system=false&sort=-code', t.token))).toEqual(['6100', '3100']);
    expect(codes(await get('/ledger-accounts?system=false&sort=name', t.token))).toEqual(['3100', '6100']);
    expect(codes(await get('/ledger-accounts?system=false&sort=-created_at', t.token))).toEqual(['3100', '6100']);
    expect(codes(await get('/ledger-accounts?type=asset&sort=-name', t.token))).toEqual(['1400', '1300', '1000', '1200']);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { code: string }[]; next_cursor: string | null } } = await get(`/ledger-accounts?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, t.token);
      all.push(...codes(page));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(all).toEqual(['1000', '1200', '1300', '1400', '2000', '2100', '2200', '3000', '3100', '4000', '5000', '6000', '6100']);
    expect(pointersOf(await get('/ledger-accounts?type=income', t.token))).toEqual(['/query/type']);
    expect(pointersOf(await get('/ledger-accounts?sort=type', t.token))).toEqual(['/query/sort']);
  });

  it("answers 404 for another tenant's account, and needs the ERP scopes", async () => {
    const own = (await post('/ledger-accounts', { code: '6200', name: 'Travel', type: 'expense' })).body;
    const other = await h.tenant();
    expect((await get(`/ledger-accounts/${own.id}`, other.token)).status).toBe(404);
    expect((await patch(`/ledger-accounts/${own.id}`, { name: 'x' }, '"1"', other.token)).status).toBe(404);
    expect((await del(`/ledger-accounts/${own.id}`, '"1"', other.token)).status).toBe(404);
    expect(pointersOf(await get('/ledger-accounts/not-an-id'))).toEqual(['/path/ledger_account_id']);
    const readOnly = await h.token(admin.clientId, admin.secret, 'erp:read');
    expect((await get(`/ledger-accounts/${own.id}`, readOnly)).status).toBe(200);
    expect((await get('/ledger-accounts', readOnly)).status).toBe(200);
    expect((await post('/ledger-accounts', { code: '6300', name: 'x', type: 'expense' }, readOnly)).status).toBe(403);
    expect((await patch(`/ledger-accounts/${own.id}`, { name: 'x' }, '"1"', readOnly)).status).toBe(403);
    expect((await del(`/ledger-accounts/${own.id}`, '"1"', readOnly)).status).toBe(403);
    expect((await get(`/ledger-accounts/${own.id}`)).status).toBe(200);
  });
});
