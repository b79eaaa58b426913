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
const codes = (res: { body: { data: { code: string }[] } }) => res.body.data.map((l) => l.code);

/** A balance row of the location as the stock code writes one (`onHand` 0: history, but no stock). */
async function balance(tenantId: string, location: { id: string; warehouse_id: string }, onHand: number, reserved = 0): Promise<void> {
  await h.stratum.kernel.db.sequelize.query(
    'INSERT INTO wms_balances (id, tenant_id, item_id, location_id, warehouse_id, lot, on_hand, reserved, updated_at) VALUES (:id, :tenantId, :itemId, :locationId, :warehouseId, :lot, :onHand, :reserved, :now)',
    {
      replacements: { id: `bal_${location.id.slice(4)}`, tenantId, itemId: 'itm_01M8B2D4F6H8K0M2P4R6T8V0X2', locationId: location.id, warehouseId: location.warehouse_id, lot: '', onHand, reserved, now: new Date() },
    },
  );
}
async function setBalance(tenantId: string, locationId: string, onHand: number, reserved = 0): Promise<void> {
  await h.stratum.kernel.db.sequelize.query('UPDATE wms_balances SET on_hand = :onHand, reserved = :reserved WHERE tenant_id = :tenantId AND location_id = :locationId', {
    replacements: { tenantId, locationId, onHand, reserved },
  });
}

interface LocationBody {
  id: string;
  warehouse_id: string;
  parent_id: string | null;
}

interface Tree {
  token: string;
  tenantId: string;
  warehouse: string;
  other: string;
  zone: LocationBody;
  aisle: LocationBody;
  bin: LocationBody;
}

/** A tenant with two warehouses; in the first, zone ─ aisle ─ bin. */
async function tree(): Promise<Tree> {
  const t = await h.tenant();
  const warehouse = (await post('/warehouses', { code: 'W1', name: 'One' }, t.token)).body.id;
  const other = (await post('/warehouses', { code: 'W2', name: 'Two' }, t.token)).body.id;
  const zone = (await post('/locations', { warehouse_id: warehouse, code: 'Z', type: 'storage' }, t.token)).body;
  const aisle = (await post('/locations', { warehouse_id: warehouse, parent_id: zone.id, code: 'Z-A', type: 'storage' }, t.token)).body;
  const bin = (await post('/locations', { warehouse_id: warehouse, parent_id: aisle.id, code: 'Z-A-01', type: 'picking' }, t.token)).body;
  return { token: t.token, tenantId: t.tenantId, warehouse, other, zone, aisle, bin };
}

describe('WMS locations', () => {
  it('creates locations in a tree of a warehouse, and serves them with an ETag', async () => {
    const warehouse = (await post('/warehouses', { code: 'BER-1', name: 'Berlin' })).body;
    const aisle = await post('/locations', { warehouse_id: warehouse.id, code: 'A', type: 'storage' });
    expect(aisle.status).toBe(201);
    expect(aisle.body).toEqual({
      id: expect.stringMatching(/^loc_[0-9A-HJKMNP-TV-Z]{26}$/),
      warehouse_id: warehouse.id,
      parent_id: null,
      code: 'A',
      type: 'storage',
      is_active: true,
      version: 1,
      created_at: expect.any(String),
      updated_at: aisle.body.created_at,
    });
    expect(aisle.headers.get('location')).toBe(`/v1/wms/locations/${aisle.body.id}`);
    expect(aisle.headers.get('etag')).toBe('"1"');
    const bin = await post('/locations', { warehouse_id: warehouse.id, parent_id: aisle.body.id, code: 'A-01-03', type: 'picking', is_active: false });
    expect(bin.body).toMatchObject({ parent_id: aisle.body.id, code: 'A-01-03', type: 'picking', is_active: false });
    const got = await get(`/locations/${bin.body.id}`);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.body).toEqual(bin.body);
  });

  it('refuses bad input, an unknown or foreign warehouse, and a parent of another warehouse or tenant, naming the field', async () => {
    const t = await tree();
    const bad = await post('/locations', { warehouse_id: 'whs_x', code: '', type: 'attic', parent_id: 'nope', is_active: 1, colour: 'red' }, t.token);
    expect(bad.status).toBe(400);
    expect(pointersOf(bad)).toEqual(['/code', '/colour', '/is_active', '/parent_id', '/type', '/warehouse_id']);
    expect(pointersOf(await post('/locations', { code: 'X', type: 'storage' }, t.token))).toEqual(['/warehouse_id']);

    const unknown = await post('/locations', { warehouse_id: 'whs_01M8B0A2C4E6G8J0K2M4P6R8T0', code: 'X', type: 'storage' }, t.token);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ pointer: '/warehouse_id', detail: expect.stringContaining('is not a warehouse of this tenant') }]);
    const stranger = await tree();
    expect(pointersOf(await post('/locations', { warehouse_id: stranger.warehouse, code: 'X', type: 'storage' }, t.token))).toEqual(['/warehouse_id']);
    const otherWarehouse = await post('/locations', { warehouse_id: t.other, parent_id: t.zone.id, code: 'X', type: 'storage' }, t.token);
    expect(otherWarehouse.body.errors).toEqual([{ pointer: '/parent_id', detail: expect.stringContaining(`is a location of warehouse ${t.warehouse}`) }]);
    expect(pointersOf(await post('/locations', { warehouse_id: stranger.warehouse, parent_id: stranger.zone.id, code: 'X', type: 'storage' }, t.token))).toEqual(['/warehouse_id']);
    expect(pointersOf(await post('/locations', { warehouse_id: t.warehouse, parent_id: stranger.zone.id, code: 'X', type: 'storage' }, t.token))).toEqual(['/parent_id']);
    expect(codes(await get('/locations?sort=code', t.token))).toEqual(['Z', 'Z-A', 'Z-A-01']);
  });

  it('keeps code unique within a warehouse ignoring case, naming the location that has it; another warehouse may reuse it', async () => {
    const t = await tree();
    const again = await post('/locations', { warehouse_id: t.warehouse, code: 'z-a', type: 'shipping' }, t.token);
    expect(again.status).toBe(409);
    expect(again.body.existing_location_id).toBe(t.aisle.id);
    const elsewhere = await post('/locations', { warehouse_id: t.other, code: 'Z-A', type: 'storage' }, t.token);
    expect(elsewhere.status).toBe(201);
    const renamed = await patch(`/locations/${t.bin.id}`, { code: 'Z-a' }, '"1"', t.token);
    expect(renamed.status).toBe(409);
    expect(renamed.body.existing_location_id).toBe(t.aisle.id);
    const races = await Promise.all([0, 1, 2, 3].map((i) => post('/locations', { warehouse_id: t.warehouse, code: i % 2 ? 'RACE' : 'race', type: 'storage' }, t.token)));
    const won = races.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    for (const r of races.filter((x) => x.status !== 201)) expect(r.body).toMatchObject({ status: 409, existing_location_id: won[0].body.id });
  });

  it('moves a location in its tree: never to another warehouse, never under itself or below itself', async () => {
    const t = await tree();
    const dock = (await post('/locations', { warehouse_id: t.warehouse, code: 'DOCK', type: 'receiving' }, t.token)).body;
    const path = `/locations/${t.aisle.id}`;
    expect((await patch(path, { parent_id: dock.id }, undefined, t.token)).status).toBe(428);
    expect((await patch(path, { parent_id: dock.id }, '"9"', t.token)).status).toBe(412);
    expect(pointersOf(await patch(path, { warehouse_id: t.other }, '"1"', t.token))).toEqual(['/warehouse_id']);
    const self = await patch(path, { parent_id: t.aisle.id }, '"1"', t.token);
    expect(self.body.errors).toEqual([{ pointer: '/parent_id', detail: expect.stringContaining('its own parent') }]);
    const child = await patch(path, { parent_id: t.bin.id }, '"1"', t.token);
    expect(child.body.errors).toEqual([{ pointer: '/parent_id', detail: expect.stringContaining('cycle') }]);
    const grandchild = await patch(`/locations/${t.zone.id}`, { parent_id: t.bin.id }, '"1"', t.token);
    expect(pointersOf(grandchild)).toEqual(['/parent_id']);
    const foreign = (await post('/locations', { warehouse_id: t.other, code: 'F', type: 'storage' }, t.token)).body;
    expect(pointersOf(await patch(path, { parent_id: foreign.id }, '"1"', t.token))).toEqual(['/parent_id']);
    expect(pointersOf(await patch(path, { parent_id: 'loc_01M8B1B3D5F7H9K1M3P5R7T9V1' }, '"1"', t.token))).toEqual(['/parent_id']);
    expect((await get(path, t.token)).body).toMatchObject({ parent_id: t.zone.id, version: 1 });

    const moved = await patch(path, { parent_id: dock.id, type: 'picking' }, '"1"', t.token);
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).toBe('"2"');
    expect(moved.body).toMatchObject({ parent_id: dock.id, type: 'picking', warehouse_id: t.warehouse, version: 2 });
    // The old parent may now go under its former grandchild.
    expect((await patch(`/locations/${t.zone.id}`, { parent_id: t.bin.id }, '"1"', t.token)).status).toBe(200);
    const top = await patch(path, { parent_id: null }, '"2"', t.token);
    expect(top.body).toMatchObject({ parent_id: null, version: 3 });
    expect((await patch(path, { parent_id: null, code: 'Z-A' }, '"3"', t.token)).body.version).toBe(3);
  });

  it('lets two opposite moves in one tree race without making a cycle', async () => {
    const t = await tree();
    const left = (await post('/locations', { warehouse_id: t.warehouse, code: 'L', type: 'storage' }, t.token)).body;
    const right = (await post('/locations', { warehouse_id: t.warehouse, code: 'R', type: 'storage' }, t.token)).body;
    const [a, b] = await Promise.all([patch(`/locations/${left.id}`, { parent_id: right.id }, '"1"', t.token), patch(`/locations/${right.id}`, { parent_id: left.id }, '"1"', t.token)]);
    expect([a.status, b.status].sort()).toEqual([200, 400]);
    const [l, r] = [(await get(`/locations/${left.id}`, t.token)).body, (await get(`/locations/${right.id}`, t.token)).body];
    expect(l.parent_id === right.id && r.parent_id === left.id).toBe(false);
  });

  it('deactivates a location unless it holds stock, and reactivates it', async () => {
    const t = await tree();
    await balance(t.tenantId, t.bin, 5000, 2000);
    const path = `/locations/${t.bin.id}`;
    const refused = await patch(path, { is_active: false }, '"1"', t.token);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/holds stock/);
    await setBalance(t.tenantId, t.bin.id, 2000, 2000);
    expect((await patch(path, { is_active: false }, '"1"', t.token)).status).toBe(409);
    // Other changes of a location holding stock are fine.
    expect((await patch(path, { type: 'storage' }, '"1"', t.token)).body).toMatchObject({ type: 'storage', version: 2 });
    await setBalance(t.tenantId, t.bin.id, 0, 0);
    const off = await patch(path, { is_active: false }, '"2"', t.token);
    expect(off.body).toMatchObject({ is_active: false, version: 3 });
    expect((await patch(path, { is_active: false }, '"3"', t.token)).body.version).toBe(3);
    expect((await patch(path, { is_active: true }, '"3"', t.token)).body).toMatchObject({ is_active: true, version: 4 });
  });

  it('deletes a leaf without stock history only: children and history are 409s; If-Match is required and checked', async () => {
    const t = await tree();
    expect((await del(`/locations/${t.bin.id}`, undefined, t.token)).status).toBe(428);
    expect((await del(`/locations/${t.bin.id}`, '"2"', t.token)).status).toBe(412);
    const parent = await del(`/locations/${t.aisle.id}`, '"1"', t.token);
    expect(parent.status).toBe(409);
    expect(parent.body.detail).toMatch(/child locations/);
    await balance(t.tenantId, t.bin, 0);
    const history = await del(`/locations/${t.bin.id}`, '"1"', t.token);
    expect(history.status).toBe(409);
    expect(history.body.detail).toMatch(/deactivate it instead/);
    expect((await get(`/locations/${t.bin.id}`, t.token)).status).toBe(200);
    // A leaf without history goes; then its parent is a leaf.
    const spare = (await post('/locations', { warehouse_id: t.warehouse, parent_id: t.zone.id, code: 'SPARE', type: 'storage' }, t.token)).body;
    expect((await del(`/locations/${spare.id}`, '"1"', t.token)).status).toBe(204);
    expect((await get(`/locations/${spare.id}`, t.token)).status).toBe(404);
    expect((await del(`/locations/${spare.id}`, '"1"', t.token)).status).toBe(404);
    expect((await patch(`/locations/${t.bin.id}`, { parent_id: t.zone.id }, '"1"', t.token)).status).toBe(200);
    expect((await del(`/locations/${t.aisle.id}`, '"1"', t.token)).status).toBe(204);
  });

  it('lists with every filter and sort, and pages', async () => {
    const t = await tree();
    await new Promise((r) => setTimeout(r, 5));
    const ship = (await post('/locations', { warehouse_id: t.other, code: 'ship', type: 'shipping', is_active: false }, t.token)).body;
    expect(codes(await get('/locations', t.token))).toEqual(['ship', 'Z', 'Z-A', 'Z-A-01']);
    expect(codes(await get('/locations?sort=-code', t.token))).toEqual(['Z-A-01', 'Z-A', 'Z', 'ship']);
    expect(codes(await get('/locations?sort=created_at', t.token))).toEqual(['Z', 'Z-A', 'Z-A-01', 'ship']);
    expect(codes(await get('/locations?sort=-created_at', t.token))).toEqual(['ship', 'Z-A-01', 'Z-A', 'Z']);
    expect(codes(await get(`/locations?warehouse_id=${t.warehouse}`, t.token))).toEqual(['Z', 'Z-A', 'Z-A-01']);
    expect(codes(await get(`/locations?parent_id=${t.zone.id}`, t.token))).toEqual(['Z-A']);
    expect(codes(await get('/locations?type=picking', t.token))).toEqual(['Z-A-01']);
    expect(codes(await get('/locations?is_active=false', t.token))).toEqual(['ship']);
    expect(codes(await get('/locations?is_active=true&type=storage&sort=-code', t.token))).toEqual(['Z-A', 'Z']);
    expect(codes(await get('/locations?code=z-a', t.token))).toEqual(['Z-A']);
    expect(codes(await get(`/locations?code=SHIP&warehouse_id=${ship.warehouse_id}`, t.token))).toEqual(['ship']);
    const first = await get(`/locations?warehouse_id=${t.warehouse}&limit=2`, t.token);
    expect(codes(first)).toEqual(['Z', 'Z-A']);
    const rest = await get(`/locations?warehouse_id=${t.warehouse}&limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`, t.token);
    expect(codes(rest)).toEqual(['Z-A-01']);
    expect(rest.body.next_cursor).toBeNull();
    expect((await get(`/locations?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`, t.token)).body.type).toBe('/problems/invalid-cursor');
    for (const [query, pointer] of [
      ['type=attic', '/query/type'],
      ['warehouse_id=W1', '/query/warehouse_id'],
      ['parent_id=x', '/query/parent_id'],
      ['sort=type', '/query/sort'],
    ]) {
      expect(pointersOf(await get(`/locations?${query}`, t.token))).toEqual([pointer]);
    }
  });

  it("answers 404 for another tenant's location, and needs the WMS scopes", async () => {
    const t = await tree();
    expect((await get(`/locations/${t.bin.id}`)).status).toBe(404);
    expect((await patch(`/locations/${t.bin.id}`, { code: 'x' }, '"1"')).status).toBe(404);
    expect((await del(`/locations/${t.bin.id}`, '"1"')).status).toBe(404);
    expect((await get(`/locations?warehouse_id=${t.warehouse}`)).body.data).toEqual([]);
    const readOnly = await h.token(admin.clientId, admin.secret, 'wms:read');
    expect((await get('/locations', readOnly)).status).toBe(200);
    expect((await post('/locations', { warehouse_id: t.warehouse, code: 'x', type: 'storage' }, readOnly)).status).toBe(403);
  });
});
