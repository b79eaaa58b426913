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
const pointersOf = (res: { body: { errors?: { pointer: string }[] } }) => [...new Set((res.body.errors ?? []).map((e) => e.pointer))].sort();
const names = (res: { body: { data: { name: string }[] } }) => res.body.data.map((r) => r.name);

describe('ERP tax rates', () => {
  it('creates a tax rate, answers its rate with three decimals, and serves it with an ETag', async () => {
    const res = await post('/tax-rates', { name: 'Standard 19 %', rate: '19' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^txr_[0-9A-HJKMNP-TV-Z]{26}$/),
      name: 'Standard 19 %',
      rate: '19.000',
      inclusive: false,
      is_active: true,
      version: 1,
      created_at: expect.any(String),
      updated_at: res.body.created_at,
    });
    expect(res.headers.get('location')).toBe(`/v1/erp/tax-rates/${res.body.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    const got = await get(`/tax-rates/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.body).toEqual(res.body);
    const inclusive = await post('/tax-rates', { name: 'Gross 7.125', rate: '7.125', inclusive: true, is_active: false });
    expect(inclusive.body).toMatchObject({ rate: '7.125', inclusive: true, is_active: false });
    expect((await post('/tax-rates', { name: 'Max', rate: '999.999' })).body.rate).toBe('999.999');
    expect((await post('/tax-rates', { name: 'Zero', rate: '0' })).body.rate).toBe('0.000');
  });

  it('refuses bad input naming each field, and writes nothing', async () => {
    const t = await h.tenant();
    const res = await post('/tax-rates', { name: '', rate: 19, inclusive: 'yes', colour: 'red' }, t.token);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(pointersOf(res)).toEqual(['/colour', '/inclusive', '/name', '/rate']);
    for (const rate of ['1000', '19.0001', '-1', '1e2', '019', '']) expect(pointersOf(await post('/tax-rates', { name: 'x', rate }, t.token))).toEqual(['/rate']);
    expect(pointersOf(await post('/tax-rates', { name: 'x'.repeat(101), rate: '1' }, t.token))).toEqual(['/name']);
    expect(pointersOf(await post('/tax-rates', { name: ' lead', rate: '1' }, t.token))).toEqual(['/name']);
    expect(pointersOf(await post('/tax-rates', { rate: '1' }, t.token))).toEqual(['/name']);
    expect((await get('/tax-rates', t.token)).body.data).toEqual([]);
  });

  it('keeps name unique per tenant ignoring case, names the tax rate that has it, and lets another tenant use it', async () => {
    const t = await h.tenant();
    const first = await post('/tax-rates', { name: 'VAT Standard', rate: '19' }, t.token);
    const again = await post('/tax-rates', { name: 'vat standard', rate: '20' }, t.token);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ type: '/problems/conflict', existing_tax_rate_id: first.body.id });
    const other = await h.tenant();
    expect((await post('/tax-rates', { name: 'VAT STANDARD', rate: '19' }, other.token)).status).toBe(201);
    const second = await post('/tax-rates', { name: 'Reduced', rate: '7' }, t.token);
    const taken = await patch(`/tax-rates/${second.body.id}`, { name: 'Vat Standard' }, '"1"', t.token);
    expect(taken.status).toBe(409);
    expect(taken.body.existing_tax_rate_id).toBe(first.body.id);
    expect((await get(`/tax-rates/${second.body.id}`, t.token)).body).toMatchObject({ name: 'Reduced', version: 1 });
    const races = await Promise.all([0, 1, 2, 3].map((i) => post('/tax-rates', { name: i % 2 ? 'RACE' : 'race', rate: '1' }, t.token)));
    const won = races.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    for (const r of races.filter((x) => x.status !== 201)) expect(r.body).toMatchObject({ status: 409, existing_tax_rate_id: won[0].body.id });
  });

  it('patches as a merge patch; deactivates instead of deleting; If-Match is required and checked', async () => {
    const created = (await post('/tax-rates', { name: 'Patchable', rate: '16' })).body;
    const path = `/tax-rates/${created.id}`;
    expect((await patch(path, { rate: '19' }, undefined)).status).toBe(428);
    const stale = await patch(path, { rate: '19' }, '"2"');
    expect(stale.status).toBe(412);
    expect(stale.body.type).toBe('/problems/precondition-failed');
    expect(pointersOf(await patch(path, { rate: '19.5555' }, '"1"'))).toEqual(['/rate']);
    expect(pointersOf(await patch(path, { id: 'x' }, '"1"'))).toEqual(['/id']);
    const changed = await patch(path, { rate: '19.5', inclusive: true }, '"1"');
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('"2"');
    expect(changed.body).toMatchObject({ name: 'Patchable', rate: '19.500', inclusive: true, is_active: true, version: 2 });
    // The same again changes nothing: the version stays.
    expect((await patch(path, { rate: '19.500' }, '"2"')).body.version).toBe(2);
    const off = await patch(path, { is_active: false }, '"2"');
    expect(off.body).toMatchObject({ is_active: false, version: 3 });
    expect((await get(path)).body).toEqual(off.body);
    expect((await h.request('DELETE', `/v1/erp${path}`, { token: admin.token, headers: { 'if-match': '"3"' } })).status).toBe(405);
  });

  it('lists by name or creation, filters active ones, and pages to the end', async () => {
    const t = await h.tenant();
    for (const [name, active] of [
      ['charlie', true],
      ['Alpha', false],
      ['bravo', true],
    ] as const) {
      await post('/tax-rates', { name, rate: '1', is_active: active }, t.token);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(names(await get('/tax-rates', t.token))).toEqual(['Alpha', 'bravo', 'charlie']);
    expect(names(await get('/tax-rates?sort=-name', t.token))).toEqual(['charlie', 'bravo', 'Alpha']);
    expect(names(await get('/tax-rates?sort=created_at', t.token))).toEqual(['charlie', 'Alpha', 'bravo']);
    expect(names(await get('/tax-rates?sort=-created_at', t.token))).toEqual(['bravo', 'Alpha', 'charlie']);
    expect(names(await get('/tax-rates?is_active=true', t.token))).toEqual(['bravo', 'charlie']);
    expect(names(await get('/tax-rates?is_active=false', t.token))).toEqual(['Alpha']);
    const first = await get('/tax-rates?limit=2', t.token);
    expect(names(first)).toEqual(['Alpha', 'bravo']);
    const rest = await get(`/tax-rates?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`, t.token);
    expect(names(rest)).toEqual(['charlie']);
    expect(rest.body.next_cursor).toBeNull();
    // A cursor is for its own filters and sort.
    expect((await get(`/tax-rates?limit=2&sort=-name&cursor=${encodeURIComponent(first.body.next_cursor)}`, t.token)).body.type).toBe('/problems/invalid-cursor');
    expect(pointersOf(await get('/tax-rates?sort=rate', t.token))).toEqual(['/query/sort']);
    expect(pointersOf(await get('/tax-rates?name=x', t.token))).toEqual(['/query/name']);
    expect(pointersOf(await get('/tax-rates?is_active=maybe', t.token))).toEqual(['/query/is_active']);
  });

  it('replays a create sent again with the same Idempotency-Key', async () => {
    const t = await h.tenant();
    const key = 'tax-rate-create-1';
    const first = await post('/tax-rates', { name: 'Once', rate: '5' }, t.token, { 'idempotency-key': key });
    const again = await post('/tax-rates', { name: 'Once', rate: '5' }, t.token, { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await post('/tax-rates', { name: 'Other', rate: '5' }, t.token, { 'idempotency-key': key })).status).toBe(422);
    expect(names(await get('/tax-rates', t.token))).toEqual(['Once']);
  });

  it("answers 404 for another tenant's tax rate, and needs the ERP scopes", async () => {
    const created = await post('/tax-rates', { name: 'Mine', rate: '3' });
    const other = await h.tenant();
    expect((await get(`/tax-rates/${created.body.id}`, other.token)).status).toBe(404);
    expect((await patch(`/tax-rates/${created.body.id}`, { name: 'x' }, '"1"', other.token)).status).toBe(404);
    expect(names(await get('/tax-rates', other.token))).toEqual([]);
    expect((await get('/tax-rates/txr_01M8C0A2C4E6G8J0K2M4P6R8T0')).status).toBe(404);
    expect(pointersOf(await get('/tax-rates/not-an-id'))).toEqual(['/path/tax_rate_id']);
    const readOnly = await h.token(admin.clientId, admin.secret, 'erp:read');
    expect((await get(`/tax-rates/${created.body.id}`, readOnly)).status).toBe(200);
    expect((await get('/tax-rates', readOnly)).status).toBe(200);
    expect((await post('/tax-rates', { name: 'x', rate: '1' }, readOnly)).status).toBe(403);
    expect((await patch(`/tax-rates/${created.body.id}`, { name: 'x' }, '"1"', readOnly)).status).toBe(403);
    const wmsOnly = await h.token(admin.clientId, admin.secret, 'wms:write');
    expect((await get('/tax-rates', wmsOnly)).status).toBe(403);
    expect((await h.request('GET', '/v1/erp/tax-rates')).status).toBe(401);
  });
});
