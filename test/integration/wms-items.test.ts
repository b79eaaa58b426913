import { QueryTypes } from 'sequelize';
import { buildListQuery, type ListRequest } from '../../src/platform/db/list-query';
import { ITEM_LIST } from '../../src/modules/wms/infrastructure/item.repository';
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
const pointersOf = (res: { body: { errors?: { pointer: string }[] } }) => (res.body.errors ?? []).map((e) => e.pointer).sort();
const skus = (res: { body: { data: { sku: string }[] } }) => res.body.data.map((i) => i.sku);

/** A balance row as the stock code writes one: the item has had stock at a location. */
async function balance(tenantId: string, itemId: string, onHand = 0): Promise<void> {
  const suffix = itemId.slice(-20);
  await h.stratum.kernel.db.sequelize.query(
    'INSERT INTO wms_balances (id, tenant_id, item_id, location_id, warehouse_id, lot, on_hand, reserved, updated_at) VALUES (:id, :tenantId, :itemId, :locationId, :warehouseId, :lot, :onHand, 0, :now)',
    { replacements: { id: `bal_000000${suffix}`, tenantId, itemId, locationId: `loc_000000${suffix}`, warehouseId: `whs_000000${suffix}`, lot: '', onHand, now: new Date() } },
  );
}

const chair = {
  sku: 'CHAIR-OAK-01',
  name: 'Oak dining chair',
  description: 'Solid oak, oiled; flat-packed.',
  category: 'finished',
  unit: 'ea',
  weight_grams: 6200,
  length_mm: 520,
  width_mm: 480,
  height_mm: 900,
  barcode: '4006381333931',
  supplier_email: 'orders@oakworks.example',
  reorder_point: '20',
  tracking: 'none',
  is_active: true,
};

describe('WMS items', () => {
  it('creates an item with every field, and serves it with an ETag', async () => {
    const res = await post('/items', chair);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ ...chair, id: expect.stringMatching(/^itm_[0-9A-HJKMNP-TV-Z]{26}$/), version: 1, created_at: expect.any(String), updated_at: res.body.created_at });
    expect(res.headers.get('location')).toBe(`/v1/wms/items/${res.body.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    const got = await get(`/items/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.body).toEqual(res.body);
  });

  it('fills the defaults: counted in each, untracked, active, reorder point "0", nullable fields null', async () => {
    const res = await post('/items', { sku: 'SCREW-M4', name: 'Screw M4', category: 'component' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      description: null,
      unit: 'ea',
      weight_grams: null,
      length_mm: null,
      width_mm: null,
      height_mm: null,
      barcode: null,
      supplier_email: null,
      reorder_point: '0',
      tracking: 'none',
      is_active: true,
    });
  });

  it('keeps fractional reorder points of weighed and measured items exactly, in the shortest form', async () => {
    const oil = await post('/items', { sku: 'OIL-5L', name: 'Linseed oil', category: 'consumable', unit: 'l', reorder_point: '12.500', tracking: 'lot' });
    expect(oil.status).toBe(201);
    expect(oil.body).toMatchObject({ unit: 'l', reorder_point: '12.5', tracking: 'lot' });
    const big = await post('/items', { sku: 'SAND', name: 'Sand', category: 'raw', unit: 'kg', reorder_point: '999999999999.999' });
    expect(big.body.reorder_point).toBe('999999999999.999');
    expect((await get(`/items/${big.body.id}`)).body.reorder_point).toBe('999999999999.999');
  });

  it('refuses bad input naming each field the contract judges, and writes nothing', async () => {
    const t = await h.tenant();
    const res = await post(
      '/items',
      {
        sku: 'x'.repeat(65),
        name: '',
        description: 'd'.repeat(2001),
        category: 'gadget',
        unit: 'pcs',
        weight_grams: -1,
        length_mm: 1.5,
        width_mm: '10',
        barcode: '123',
        supplier_email: 'not-an-email',
        reorder_point: 12,
        tracking: 'batch',
        is_active: 'yes',
        colour: 'red',
      },
      t.token,
    );
    expect(res.status).toBe(400);
    expect(pointersOf(res)).toEqual(
      expect.arrayContaining(['/sku', '/name', '/description', '/category', '/unit', '/weight_grams', '/length_mm', '/width_mm', '/barcode', '/supplier_email', '/reorder_point', '/tracking', '/is_active', '/colour']),
    );
    for (const body of [{ sku: ' padded', name: 'x', category: 'raw' }, { sku: 'tab\there', name: 'x', category: 'raw' }, { name: 'x', category: 'raw' }]) {
      expect((await post('/items', body, t.token)).status).toBe(400);
    }
    for (const reorder of ['-1', '1.0001', '1e3', '01', '1000000000000']) {
      const bad = await post('/items', { sku: 'Q', name: 'x', category: 'raw', unit: 'kg', reorder_point: reorder }, t.token);
      expect({ reorder, status: bad.status, pointers: pointersOf(bad) }).toEqual({ reorder, status: 400, pointers: ['/reorder_point'] });
    }
    expect((await get('/items', t.token)).body.data).toEqual([]);
  });

  it('refuses what only the domain can judge, naming the field: a wrong GTIN check digit, serials of weighed goods, a fraction of an each', async () => {
    const t = await h.tenant();
    const gtin = await post('/items', { ...chair, barcode: '4006381333932' }, t.token);
    expect(gtin.status).toBe(400);
    expect(gtin.body.type).toBe('/problems/validation-error');
    expect(gtin.body.errors).toEqual([{ pointer: '/barcode', detail: expect.stringContaining('check digit') }]);
    const serial = await post('/items', { sku: 'WIRE', name: 'Wire', category: 'raw', unit: 'm', tracking: 'serial' }, t.token);
    expect(pointersOf(serial)).toEqual(['/tracking']);
    const fraction = await post('/items', { ...chair, reorder_point: '2.5' }, t.token);
    expect(pointersOf(fraction)).toEqual(['/reorder_point']);
    for (const code of ['96385074', '036000291452', '10614141000415']) expect((await post('/items', { sku: `G-${code}`, name: 'g', category: 'raw', barcode: code }, t.token)).status).toBe(201);
    expect((await get('/items', t.token)).body.data).toHaveLength(3);
  });

  it('keeps sku unique per tenant ignoring case, names the item that has it, and lets another tenant use it', async () => {
    const t = await h.tenant();
    const first = await post('/items', { sku: 'Bolt-10', name: 'Bolt', category: 'component' }, t.token);
    const again = await post('/items', { sku: 'BOLT-10', name: 'Other bolt', category: 'component' }, t.token);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ type: '/problems/conflict', existing_item_id: first.body.id });
    expect(again.body.detail).toContain('BOLT-10');
    const other = await h.tenant();
    expect((await post('/items', { sku: 'bolt-10', name: 'Bolt', category: 'component' }, other.token)).status).toBe(201);
    // Taking it by a patch is refused too, and changes nothing.
    const nut = await post('/items', { sku: 'NUT-10', name: 'Nut', category: 'component' }, t.token);
    const taken = await patch(`/items/${nut.body.id}`, { sku: 'bolt-10', name: 'Renamed' }, '"1"', t.token);
    expect(taken.status).toBe(409);
    expect(taken.body.existing_item_id).toBe(first.body.id);
    expect((await get(`/items/${nut.body.id}`, t.token)).body).toMatchObject({ sku: 'NUT-10', name: 'Nut', version: 1 });
    // Changing only the case of its own SKU is allowed.
    const recased = await patch(`/items/${first.body.id}`, { sku: 'BOLT-10' }, '"1"', t.token);
    expect(recased.status).toBe(200);
    expect(recased.body).toMatchObject({ sku: 'BOLT-10', version: 2 });
  });

  it('lets exactly one of racing creates of one SKU win; the others are 409s naming it', async () => {
    const t = await h.tenant();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => post('/items', { sku: i % 2 ? 'RACE-1' : 'race-1', name: `Racer ${i}`, category: 'raw' }, t.token)));
    const created = results.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 201)) expect(r.body).toMatchObject({ status: 409, existing_item_id: created[0].body.id });
  });

  it('replays a create for its Idempotency-Key, and refuses the key with another body', async () => {
    const t = await h.tenant();
    const key = { 'idempotency-key': 'item-create-1' };
    const first = await post('/items', { sku: 'IDEM-1', name: 'Once', category: 'raw' }, t.token, key);
    const replay = await post('/items', { sku: 'IDEM-1', name: 'Once', category: 'raw' }, t.token, key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect((await post('/items', { sku: 'IDEM-2', name: 'Other', category: 'raw' }, t.token, key)).status).toBe(422);
    expect((await get('/items', t.token)).body.data).toHaveLength(1);
  });

  it('patches as JSON Merge Patch: sent fields replace, null clears; If-Match is required and checked; no change keeps the version', async () => {
    const created = (await post('/items', { ...chair, sku: 'PATCH-1' })).body;
    const path = `/items/${created.id}`;
    expect((await patch(path, { name: 'x' }, undefined)).status).toBe(428);
    expect((await patch(path, { name: 'x' }, '"7"')).status).toBe(412);
    expect((await patch(path, { name: 'x' }, 'W/"1"')).status).toBe(412);
    const res = await patch(path, { description: null, barcode: null, weight_grams: 6100, reorder_point: '35', is_active: false }, '"1"');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(res.body).toMatchObject({ description: null, barcode: null, weight_grams: 6100, reorder_point: '35', is_active: false, name: chair.name, supplier_email: chair.supplier_email, version: 2 });
    expect(new Date(res.body.updated_at).getTime()).toBeGreaterThanOrEqual(new Date(created.updated_at).getTime());
    const same = await patch(path, { reorder_point: '35.000', is_active: false }, '"2"');
    expect(same.body.version).toBe(2);
    expect((await patch(path, { name: 'y' }, '*')).body.version).toBe(3);
    // Bad values are refused and change nothing.
    expect(pointersOf(await patch(path, { barcode: '4006381333932' }, '"3"'))).toEqual(['/barcode']);
    expect(pointersOf(await patch(path, { unit: 'kg', tracking: 'serial' }, '"3"'))).toEqual(['/tracking']);
    expect(pointersOf(await patch(path, { reorder_point: '1.5' }, '"3"'))).toEqual(['/reorder_point']);
    expect(pointersOf(await patch(path, { id: 'itm_01M8B2D4F6H8K0M2P4R6T8V0X2', version: 9 }, '"3"'))).toEqual(['/id', '/version']);
    expect(pointersOf(await patch(path, { sku: null }, '"3"'))).toEqual(['/sku']);
    expect((await get(path)).body).toMatchObject({ version: 3, unit: 'ea', tracking: 'none', reorder_point: '35' });
  });

  it('changes unit and tracking until the item has had stock, then refuses (409) while other fields still change', async () => {
    const t = await h.tenant();
    const item = (await post('/items', { sku: 'FLOUR', name: 'Flour', category: 'raw', unit: 'kg', reorder_point: '2.5' }, t.token)).body;
    const path = `/items/${item.id}`;
    // A fraction of an each: the unit cannot become ea while the reorder point is 2.5.
    expect(pointersOf(await patch(path, { unit: 'ea' }, '"1"', t.token))).toEqual(['/unit']);
    expect((await patch(path, { tracking: 'lot', unit: 'l' }, '"1"', t.token)).body).toMatchObject({ tracking: 'lot', unit: 'l', version: 2 });
    await balance(t.tenantId, item.id, 0);
    const unit = await patch(path, { unit: 'kg' }, '"2"', t.token);
    expect(unit.status).toBe(409);
    expect(unit.body.detail).toMatch(/has had stock/);
    expect((await patch(path, { tracking: 'none' }, '"2"', t.token)).status).toBe(409);
    const other = await patch(path, { name: 'Rye flour', unit: 'l', tracking: 'lot', reorder_point: '3' }, '"2"', t.token);
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({ name: 'Rye flour', unit: 'l', tracking: 'lot', reorder_point: '3', version: 3 });
  });

  it('lists with every filter and sort, pages with a cursor bound to its filters, and refuses bad parameters', async () => {
    const t = await h.tenant();
    const make = (sku: string, extra: Record<string, unknown> = {}) => post('/items', { sku, name: `Name of ${sku}`, category: 'raw', ...extra }, t.token);
    const made: Record<string, { id: string; created_at: string }> = {};
    for (const [sku, extra] of [
      ['delta', { name: 'Anvil', category: 'finished', tracking: 'serial' }],
      ['Alpha', { name: 'delta widget', category: 'component', barcode: '4006381333931' }],
      ['charlie', { name: 'Crate', category: 'packaging', unit: 'kg', tracking: 'lot', is_active: false }],
      ['Bravo', { name: 'bolt', category: 'component', barcode: '96385074' }],
    ] as const) {
      made[sku] = (await make(sku, extra)).body;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(skus(await get('/items', t.token))).toEqual(['Alpha', 'Bravo', 'charlie', 'delta']);
    expect(skus(await get('/items?sort=-sku', t.token))).toEqual(['delta', 'charlie', 'Bravo', 'Alpha']);
    expect(skus(await get('/items?sort=name', t.token))).toEqual(['delta', 'Bravo', 'charlie', 'Alpha']);
    expect(skus(await get('/items?sort=-name', t.token))).toEqual(['Alpha', 'charlie', 'Bravo', 'delta']);
    expect(skus(await get('/items?sort=created_at', t.token))).toEqual(['delta', 'Alpha', 'charlie', 'Bravo']);
    expect(skus(await get('/items?sort=-created_at', t.token))).toEqual(['Bravo', 'charlie', 'Alpha', 'delta']);
    await patch(`/items/${made.Alpha.id}`, { name: 'delta widget' }, '"1"', t.token);
    await patch(`/items/${made.charlie.id}`, { description: 'touched' }, '"1"', t.token);
    expect(skus(await get('/items?sort=-updated_at', t.token))).toEqual(['charlie', 'Bravo', 'Alpha', 'delta']);
    expect(skus(await get('/items?sort=updated_at', t.token))).toEqual(['delta', 'Alpha', 'Bravo', 'charlie']);

    expect(skus(await get('/items?category=component', t.token))).toEqual(['Alpha', 'Bravo']);
    expect(skus(await get('/items?tracking=lot', t.token))).toEqual(['charlie']);
    expect(skus(await get('/items?is_active=false', t.token))).toEqual(['charlie']);
    expect(skus(await get('/items?is_active=true&category=component&sort=-sku', t.token))).toEqual(['Bravo', 'Alpha']);
    expect(skus(await get('/items?sku=ALPHA', t.token))).toEqual(['Alpha']);
    expect(skus(await get('/items?sku=alph', t.token))).toEqual([]);
    expect(skus(await get('/items?q=DELTA', t.token))).toEqual(['Alpha', 'delta']);
    expect(skus(await get('/items?q=rat', t.token))).toEqual(['charlie']);
    expect(skus(await get('/items?q=100%25', t.token))).toEqual([]);
    expect(skus(await get('/items?barcode=96385074', t.token))).toEqual(['Bravo']);
    const after = encodeURIComponent(made.Alpha.created_at);
    const before = encodeURIComponent(made.Bravo.created_at);
    expect(skus(await get(`/items?created_after=${after}&created_before=${before}`, t.token))).toEqual(['Alpha', 'charlie']);

    const first = await get('/items?limit=3&sort=-name', t.token);
    expect(skus(first)).toEqual(['Alpha', 'charlie', 'Bravo']);
    const cursor = encodeURIComponent(first.body.next_cursor);
    const rest = await get(`/items?limit=3&sort=-name&cursor=${cursor}`, t.token);
    expect(skus(rest)).toEqual(['delta']);
    expect(rest.body.next_cursor).toBeNull();
    expect((await get(`/items?limit=3&sort=name&cursor=${cursor}`, t.token)).body.type).toBe('/problems/invalid-cursor');
    expect((await get(`/items?limit=3&sort=-name&category=raw&cursor=${cursor}`, t.token)).status).toBe(400);
    expect((await get(`/items?limit=3&sort=-name&cursor=${cursor}`)).status).toBe(400);

    for (const [query, pointer] of [
      ['sort=weight', '/query/sort'],
      ['category=gadget', '/query/category'],
      ['tracking=batch', '/query/tracking'],
      ['is_active=maybe', '/query/is_active'],
      ['barcode=12ab5678', '/query/barcode'],
      ['created_after=yesterday', '/query/created_after'],
      ['limit=201', '/query/limit'],
      ['colour=red', '/query/colour'],
    ]) {
      const res = await get(`/items?${query}`, t.token);
      expect({ query, status: res.status, pointers: pointersOf(res) }).toEqual({ query, status: 400, pointers: [pointer] });
    }
  });

  it("answers 404 for another tenant's item and for one that does not exist, and needs the WMS scopes", async () => {
    const created = await post('/items', { sku: 'MINE', name: 'Mine', category: 'raw' });
    const other = await h.tenant();
    expect((await get(`/items/${created.body.id}`, other.token)).status).toBe(404);
    expect((await patch(`/items/${created.body.id}`, { name: 'x' }, '"1"', other.token)).status).toBe(404);
    expect((await get('/items/itm_01M8B2D4F6H8K0M2P4R6T8V0X2')).status).toBe(404);
    expect(pointersOf(await get('/items/acc_01M8B2D4F6H8K0M2P4R6T8V0X2'))).toEqual(['/path/item_id']);
    expect((await get('/items?sku=MINE', other.token)).body.data).toEqual([]);
    const readOnly = await h.token(admin.clientId, admin.secret, 'wms:read');
    expect((await get(`/items/${created.body.id}`, readOnly)).status).toBe(200);
    expect((await post('/items', { sku: 'x', name: 'x', category: 'raw' }, readOnly)).status).toBe(403);
    expect((await patch(`/items/${created.body.id}`, { name: 'x' }, '"1"', readOnly)).status).toBe(403);
    const crmOnly = await h.token(admin.clientId, admin.secret, 'crm:read');
    expect((await get('/items', crmOnly)).status).toBe(403);
  });
});

/**
 * On PostgreSQL, with 50,000 items of one tenant (and 5,000 of another) made in SQL, each
 * documented item filter and sort reads through an index: the planner's own plans.
 */
const onPostgres = process.env.STRATUM_TEST_DB === 'postgres';

(onPostgres ? describe : describe.skip)('item lists on PostgreSQL', () => {
  let tenantId: string;

  beforeAll(async () => {
    tenantId = (await h.tenant()).tenantId;
    const other = (await h.tenant()).tenantId;
    const fill = (tenant: string, count: number, prefix: string) =>
      h.stratum.kernel.db.sequelize.query(
        `INSERT INTO wms_items (id, tenant_id, sku, sku_key, name, name_key, description, category, unit, barcode, reorder_point, tracking, is_active, search, version, created_at, updated_at)
         SELECT 'itm_' || :prefix || lpad(g::text, 24, '0'), :tenant, 'SKU-' || lpad(g::text, 6, '0'), 'sku-' || lpad(g::text, 6, '0'),
                'Item ' || md5(g::text), 'item ' || md5(g::text), NULL,
                (ARRAY['raw','component','finished','packaging','consumable'])[1 + g % 5], 'ea',
                CASE WHEN g % 100 = 0 THEN lpad(g::text, 13, '0') END, 0,
                (ARRAY['none','lot','serial'])[1 + g % 3], g % 20 <> 0,
                'sku-' || lpad(g::text, 6, '0') || E'\\n' || 'item ' || md5(g::text), 1,
                timestamp '2026-01-01' + g * interval '1 minute', timestamp '2026-01-01' + g * interval '1 minute'
         FROM generate_series(1, :count) g`,
        { replacements: { tenant, count, prefix } },
      );
    await fill(other, 5_000, '01');
    await fill(tenantId, 50_000, '02');
    await h.stratum.kernel.db.sequelize.query('ANALYZE wms_items');
  }, 120_000);

  async function plan(request: Partial<ListRequest>): Promise<string[]> {
    const { sql, replacements } = buildListQuery(ITEM_LIST, 'postgres', tenantId, { filters: {}, sort: 'sku', limit: 50, ...request });
    const rows = await h.stratum.kernel.db.sequelize.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${sql}`, { replacements, type: QueryTypes.SELECT });
    return rows.map((r) => r['QUERY PLAN'].trim());
  }

  const read = (lines: string[]) => ({
    seqScan: lines.some((l) => /Seq Scan on wms_items/.test(l)),
    sort: lines.some((l) => /^(->\s+)?(Incremental )?Sort$/.test(l)),
    indexes: [...new Set(lines.flatMap((l) => [...l.matchAll(/(?:Index|Index Only|Bitmap Index) Scan(?: Backward)? (?:using|on) (\w+)/g)].map((m) => m[1])))],
  });

  const cases: [string, Partial<ListRequest>, RegExp][] = [
    ['sort sku (the default)', {}, /wms_items_tenant_sku$/],
    ['sort -sku', { sort: '-sku' }, /wms_items_tenant_sku$/],
    ['sort sku, after a cursor', { after: { value: 'sku-020000', id: 'itm_0' } }, /wms_items_tenant_sku$/],
    ['sort name', { sort: 'name' }, /wms_items_tenant_name/],
    ['sort -name', { sort: '-name' }, /wms_items_tenant_name/],
    ['sort created_at', { sort: 'created_at' }, /wms_items_tenant_created/],
    ['sort -created_at', { sort: '-created_at' }, /wms_items_tenant_created/],
    ['sort -updated_at', { sort: '-updated_at' }, /wms_items_tenant_updated/],
    ['category', { filters: { category: 'packaging' } }, /wms_items_tenant_(category_sku|sku)$/],
    ['tracking', { filters: { tracking: 'serial' } }, /wms_items_tenant_(tracking_sku|sku)$/],
    ['is_active=false', { filters: { is_active: false } }, /wms_items_tenant_active_sku/],
    ['sku', { filters: { sku: 'sku-004242' } }, /wms_items_tenant_sku(_key)?$/],
    ['q (a rare word)', { filters: { q: 'zzyzx-not-there' } }, /wms_items_search/],
    ['barcode', { filters: { barcode: '0000000004200' } }, /wms_items_tenant_barcode/],
    ['created range', { filters: { created_after: new Date('2026-01-10T00:00:00Z'), created_before: new Date('2026-01-11T00:00:00Z') }, sort: 'created_at' }, /wms_items_tenant_created/],
  ];

  it.each(cases)('%s reads through an index, no table scan', async (_name, request, index) => {
    const lines = await plan(request);
    const { seqScan, indexes } = read(lines);
    expect({ seqScan, plan: lines }).toEqual({ seqScan: false, plan: lines });
    expect({ indexes, plan: lines }).toEqual({ indexes: expect.arrayContaining([expect.stringMatching(index)]), plan: lines });
  });

  it('pages by sku in the index order, without sorting', async () => {
    for (const sort of ['sku', '-sku']) {
      const lines = await plan({ sort });
      expect({ sort: read(lines).sort, plan: lines }).toEqual({ sort: false, plan: lines });
    }
  });
});
