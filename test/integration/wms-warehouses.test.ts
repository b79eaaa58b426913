import { Harness, type Admin } from '../support/harness';

let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

const post = (path: string, json: unknown, token = admin.token, headers: Record<string, string> = {}) => h.request('POST', `/v1/wms${path}`, { token, json, headers });
const get = (path: string, token = admin.token) => h.request('GET', `/v1/wms${path}`, { token });
const patch = (path: string, json: unknown, ifMatch: string | undefined, token = admin.token) =>
  h.request('PATCH', `/v1/wms${path}`, { token, json, headers: { 'content-type': 'application/merge-patch+json', ...(ifMatch ? { 'if-match': ifMatch } : {}) } });
const del = (path: string, ifMatch: string | undefined, token = admin.token) => h.request('DELETE', `/v1/wms${path}`, { token, headers: ifMatch ? { 'if-match': ifMatch } : {} });
const pointersOf = (res: { body: { errors?: { pointer: string }[] } }) => [...new Set((res.body.errors ?? []).map((e) => e.pointer))].sort();
const codes = (res: { body: { data: { code: string }[] } }) => res.body.data.map((w) => w.code);

const berlin = {
  code: 'BER-1',
  name: 'Berlin central',
  address: { line1: 'Am Borsigturm 100', city: 'Berlin', postal_code: '13507', country: 'DE' },
};

describe('WMS warehouses', () => {
  it('creates a warehouse with its address, and serves it with an ETag', async () => {
    const res = await post('/warehouses', berlin);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^whs_[0-9A-HJKMNP-TV-Z]{26}$/),
      code: 'BER-1',
      name: 'Berlin central',
      address: { line1: 'Am Borsigturm 100', line2: null, city: 'Berlin', region: null, postal_code: '13507', country: 'DE' },
      version: 1,
      created_at: expect.any(String),
      updated_at: res.body.created_at,
    });
    expect(res.headers.get('location')).toBe(`/v1/wms/warehouses/${res.body.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    const got = await get(`/warehouses/${res.body.id}`);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.body).toEqual(res.body);
    expect((await post('/warehouses', { code: 'NOADDR', name: 'No address' })).body.address).toBeNull();
  });

  it('refuses bad input naming each field, and writes nothing', async () => {
    const t = await h.tenant();
    const res = await post('/warehouses', { code: 'x'.repeat(33), name: '', address: { line1: '', country: 'XX', floor: 3 }, colour: 'red' }, t.token);
    expect(res.status).toBe(400);
    expect(pointersOf(res)).toEqual(expect.arrayContaining(['/code', '/name', '/colour']));
    expect(pointersOf(res).some((p) => p.startsWith('/address'))).toBe(true);
    expect((await post('/warehouses', { code: ' lead', name: 'x' }, t.token)).status).toBe(400);
    expect(pointersOf(await post('/warehouses', { code: 'A', name: 'x', address: { city: 'Berlin' } }, t.token))).toEqual(['/address/country', '/address/line1']);
    expect((await get('/warehouses', t.token)).body.data).toEqual([]);
  });

  it('keeps code unique per tenant ignoring case, names the warehouse that has it, and lets another tenant use it', async () => {
    const t = await h.tenant();
    const first = await post('/warehouses', { code: 'Ham-1', name: 'Hamburg' }, t.token);
    const again = await post('/warehouses', { code: 'HAM-1', name: 'Hamburg 2' }, t.token);
    expect(again.status).toBe(409);
    expect(again.body.existing_warehouse_id).toBe(first.body.id);
    const other = await h.tenant();
    expect((await post('/warehouses', { code: 'ham-1', name: 'Hamburg' }, other.token)).status).toBe(201);
    const second = await post('/warehouses', { code: 'MUC-1', name: 'Munich' }, t.token);
    const taken = await patch(`/warehouses/${second.body.id}`, { code: 'ham-1' }, '"1"', t.token);
    expect(taken.status).toBe(409);
    expect(taken.body.existing_warehouse_id).toBe(first.body.id);
    const races = await Promise.all([0, 1, 2, 3].map((i) => post('/warehouses', { code: i % 2 ? 'RACE' : 'race', name: `Racer ${i}` }, t.token)));
    const won = races.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    for (const r of races.filter((x) => x.status !== 201)) expect(r.body).toMatchObject({ status: 409, existing_warehouse_id: won[0].body.id });
  });

  it('patches as a merge patch with the address replaced whole; If-Match is required and checked', async () => {
    const created = (await post('/warehouses', { ...berlin, code: 'PATCH-W' })).body;
    const path = `/warehouses/${created.id}`;
    expect((await patch(path, { name: 'x' }, undefined)).status).toBe(428);
    expect((await patch(path, { name: 'x' }, '"2"')).status).toBe(412);
    // Replaced whole: lines not sent are gone, and a partial address is refused.
    expect(pointersOf(await patch(path, { address: { city: 'Potsdam' } }, '"1"'))).toEqual(['/address/country', '/address/line1']);
    const moved = await patch(path, { name: 'Berlin Tegel', address: { line1: 'Flughafen Tegel', country: 'DE' } }, '"1"');
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).toBe('"2"');
    expect(moved.body).toMatchObject({ code: 'PATCH-W', name: 'Berlin Tegel', address: { line1: 'Flughafen Tegel', line2: null, city: null, region: null, postal_code: null, country: 'DE' }, version: 2 });
    expect((await patch(path, { name: 'Berlin Tegel' }, '"2"')).body.version).toBe(2);
    const cleared = await patch(path, { address: null }, '"2"');
    expect(cleared.body).toMatchObject({ address: null, version: 3 });
    expect((await get(path)).body).toEqual(cleared.body);
  });

  it('lists by code, name or creation, filters by code ignoring case, and pages', async () => {
    const t = await h.tenant();
    for (const [code, name] of [
      ['c-3', 'alpha'],
      ['A-1', 'Charlie'],
      ['b-2', 'Bravo'],
    ]) {
      await post('/warehouses', { code, name }, t.token);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(codes(await get('/warehouses', t.token))).toEqual(['A-1', 'b-2', 'c-3']);
    expect(codes(await get('/warehouses?sort=-code', t.token))).toEqual(['c-3', 'b-2', 'A-1']);
    expect(codes(await get('/warehouses?sort=name', t.token))).toEqual(['c-3', 'b-2', 'A-1']);
    expect(codes(await get('/warehouses?sort=-name', t.token))).toEqual(['A-1', 'b-2', 'c-3']);
    expect(codes(await get('/warehouses?sort=created_at', t.token))).toEqual(['c-3', 'A-1', 'b-2']);
    expect(codes(await get('/warehouses?sort=-created_at', t.token))).toEqual(['b-2', 'A-1', 'c-3']);
    expect(codes(await get('/warehouses?code=B-2', t.token))).toEqual(['b-2']);
    const first = await get('/warehouses?limit=2', t.token);
    expect(codes(first)).toEqual(['A-1', 'b-2']);
    const rest = await get(`/warehouses?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`, t.token);
    expect(codes(rest)).toEqual(['c-3']);
    expect(rest.body.next_cursor).toBeNull();
    expect(pointersOf(await get('/warehouses?sort=city', t.token))).toEqual(['/query/sort']);
    expect(pointersOf(await get('/warehouses?name=x', t.token))).toEqual(['/query/name']);
  });

  it('deletes a warehouse without locations only; If-Match is required and checked', async () => {
    const t = await h.tenant();
    const empty = (await post('/warehouses', { code: 'EMPTY', name: 'Empty' }, t.token)).body;
    expect((await del(`/warehouses/${empty.id}`, undefined, t.token)).status).toBe(428);
    expect((await del(`/warehouses/${empty.id}`, '"2"', t.token)).status).toBe(412);
    expect((await del(`/warehouses/${empty.id}`, '"1"', t.token)).status).toBe(204);
    expect((await get(`/warehouses/${empty.id}`, t.token)).status).toBe(404);
    expect((await del(`/warehouses/${empty.id}`, '"1"', t.token)).status).toBe(404);
    // Its code is free again.
    expect((await post('/warehouses', { code: 'empty', name: 'Empty again' }, t.token)).status).toBe(201);

    const used = (await post('/warehouses', { code: 'USED', name: 'Used' }, t.token)).body;
    const dock = (await post('/locations', { warehouse_id: used.id, code: 'DOCK', type: 'receiving' }, t.token)).body;
    const refused = await del(`/warehouses/${used.id}`, '"1"', t.token);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/has locations/);
    expect((await get(`/warehouses/${used.id}`, t.token)).status).toBe(200);
    expect((await h.request('DELETE', `/v1/wms/locations/${dock.id}`, { token: t.token, headers: { 'if-match': '"1"' } })).status).toBe(204);
    expect((await del(`/warehouses/${used.id}`, '"1"', t.token)).status).toBe(204);
  });

  it("answers 404 for another tenant's warehouse, and needs the WMS scopes", async () => {
    const created = await post('/warehouses', { code: 'MINE', name: 'Mine' });
    const other = await h.tenant();
    expect((await get(`/warehouses/${created.body.id}`, other.token)).status).toBe(404);
    expect((await patch(`/warehouses/${created.body.id}`, { name: 'x' }, '"1"', other.token)).status).toBe(404);
    expect((await del(`/warehouses/${created.body.id}`, '"1"', other.token)).status).toBe(404);
    expect(pointersOf(await get('/warehouses/not-an-id'))).toEqual(['/path/warehouse_id']);
    const readOnly = await h.token(admin.clientId, admin.secret, 'wms:read');
    expect((await get(`/warehouses/${created.body.id}`, readOnly)).status).toBe(200);
    expect((await post('/warehouses', { code: 'x', name: 'x' }, readOnly)).status).toBe(403);
    expect((await del(`/warehouses/${created.body.id}`, '"1"', readOnly)).status).toBe(403);
  });
});
