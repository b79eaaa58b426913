import { Harness, type Admin } from '../support/harness';

let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

const post = (path: string, json: unknown, token = admin.token, headers: Record<string, string> = {}) => h.request('POST', `/v1/crm${path}`, { token, json, headers });
const get = (path: string, token = admin.token) => h.request('GET', `/v1/crm${path}`, { token });
const patch = (path: string, json: unknown, ifMatch: string | undefined, token = admin.token) =>
  h.request('PATCH', `/v1/crm${path}`, { token, json, headers: { 'content-type': 'application/merge-patch+json', ...(ifMatch ? { 'if-match': ifMatch } : {}) } });
const del = (path: string, ifMatch: string | undefined, token = admin.token) => h.request('DELETE', `/v1/crm${path}`, { token, headers: ifMatch ? { 'if-match': ifMatch } : {} });

const northwind = {
  name: 'Northwind Traders',
  domain: 'Northwind.Example',
  industry: 'Wholesale',
  website: 'https://northwind.example',
  phone: '+493012345678',
  billing_address: { line1: 'Friedrichstraße 68', city: 'Berlin', postal_code: '10117', country: 'DE' },
  owner_id: 'user-4711',
  tags: ['key-account', 'wholesale', 'key-account'],
  external_id: 'sf-001',
};

describe('CRM accounts', () => {
  it('creates an account, normalises what it may, and serves it with an ETag', async () => {
    const res = await post('/accounts', northwind);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Northwind Traders',
      domain: 'northwind.example',
      tags: ['key-account', 'wholesale'],
      billing_address: { line1: 'Friedrichstraße 68', line2: null, city: 'Berlin', region: null, postal_code: '10117', country: 'DE' },
      shipping_address: null,
      custom_fields: {},
      archived_at: null,
      version: 1,
    });
    expect(res.body.id).toMatch(/^acc_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(res.headers.get('location')).toBe(`/v1/crm/accounts/${res.body.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    const got = await get(`/accounts/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('refuses bad input naming each field, and writes nothing', async () => {
    const before = await get('/accounts?limit=200');
    const res = await post('/accounts', {
      name: 'x'.repeat(201),
      domain: 'not a domain',
      website: 'ftp://x.example',
      phone: '030 1234',
      billing_address: { line1: 'a', country: 'XX' },
      tags: ['a,b'],
      colour: 'red',
    });
    expect(res.status).toBe(400);
    const pointers = res.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/name', '/domain', '/website', '/phone', '/billing_address/country', '/tags/0', '/colour']));
    const after = await get('/accounts?limit=200');
    expect(after.body.data.length).toBe(before.body.data.length);
  });

  it('keeps external_id unique per tenant and names the account that has it', async () => {
    const first = await post('/accounts', { name: 'A', external_id: 'ext-unique' });
    const second = await post('/accounts', { name: 'B', external_id: 'ext-unique' });
    expect(second.status).toBe(409);
    expect(second.body.existing_account_id).toBe(first.body.id);
    // Another tenant may use the same external id.
    const other = await h.tenant();
    expect((await post('/accounts', { name: 'C', external_id: 'ext-unique' }, other.token)).status).toBe(201);
    // Taking it by a patch is refused too.
    const b = await post('/accounts', { name: 'B' });
    const taken = await patch(`/accounts/${b.body.id}`, { external_id: 'ext-unique' }, '"1"');
    expect(taken.status).toBe(409);
    expect(taken.body.existing_account_id).toBe(first.body.id);
  });

  it('patches as JSON Merge Patch: addresses merge, null clears, tags replace; If-Match is required and checked', async () => {
    const created = (await post('/accounts', northwind.external_id ? { ...northwind, external_id: 'sf-002' } : northwind)).body;
    const path = `/accounts/${created.id}`;
    expect((await patch(path, { industry: null }, undefined)).status).toBe(428);
    expect((await patch(path, { industry: null }, '"7"')).status).toBe(412);
    const res = await patch(path, { industry: null, billing_address: { city: 'Potsdam', postal_code: null }, tags: ['vip'] }, '"1"');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(res.body).toMatchObject({ industry: null, tags: ['vip'], billing_address: { line1: 'Friedrichstraße 68', city: 'Potsdam', postal_code: null, country: 'DE' }, version: 2 });
    // An address that does not exist yet must be whole.
    const partial = await patch(path, { shipping_address: { city: 'Hamburg' } }, '"2"');
    expect(partial.status).toBe(400);
    expect(partial.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/shipping_address/country', '/shipping_address/line1']);
    // A patch that changes nothing keeps the version.
    const same = await patch(path, { tags: ['vip'] }, '"2"');
    expect(same.body.version).toBe(2);
  });

  it('validates custom fields against the definitions, and filters lists on them', async () => {
    const t = await h.tenant();
    const tier = await post('/custom-fields', { object: 'account', key: 'tier', label: 'Tier', type: 'enum', options: ['bronze', 'silver', 'gold'] }, t.token);
    expect(tier.status).toBe(201);
    expect((await post('/custom-fields', { object: 'account', key: 'seats', label: 'Seats', type: 'number' }, t.token)).status).toBe(201);
    expect((await post('/custom-fields', { object: 'account', key: 'tier', label: 'Again', type: 'string' }, t.token)).status).toBe(409);
    const bad = await post('/accounts', { name: 'X', custom_fields: { tier: 'platinum', seats: 'ten', colour: 'red' } }, t.token);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/custom_fields/colour', '/custom_fields/seats', '/custom_fields/tier']);
    const gold = await post('/accounts', { name: 'Gold Co', custom_fields: { tier: 'gold', seats: 25 } }, t.token);
    expect(gold.status).toBe(201);
    expect(gold.body.custom_fields).toEqual({ tier: 'gold', seats: 25 });
    await post('/accounts', { name: 'Silver Co', custom_fields: { tier: 'silver', seats: 10 } }, t.token);
    const golds = await get('/accounts?custom_fields.tier=gold', t.token);
    expect(golds.status).toBe(200);
    expect(golds.body.data.map((a: { name: string }) => a.name)).toEqual(['Gold Co']);
    const ten = await get('/accounts?custom_fields.seats=10', t.token);
    expect(ten.body.data.map((a: { name: string }) => a.name)).toEqual(['Silver Co']);
    const unknown = await get('/accounts?custom_fields.colour=red', t.token);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].pointer).toBe('/query/custom_fields.colour');
    const wrongType = await get('/accounts?custom_fields.seats=many', t.token);
    expect(wrongType.status).toBe(400);
    // Removing one value by merge patch, then deleting the definition removes it everywhere.
    const cleared = await patch(`/accounts/${gold.body.id}`, { custom_fields: { seats: null } }, '"1"', t.token);
    expect(cleared.body.custom_fields).toEqual({ tier: 'gold' });
    expect((await del(`/custom-fields/${tier.body.id}`, '"1"', t.token)).status).toBe(204);
    const after = await get(`/accounts/${gold.body.id}`, t.token);
    expect(after.body.custom_fields).toEqual({});
    expect(after.body.version).toBe(3);
  });

  it('lists with filters and every sort, and archives: hidden unless archived=true', async () => {
    const t = await h.tenant();
    const names = ['delta', 'Alpha', 'charlie', 'Bravo'];
    const ids: Record<string, string> = {};
    for (const [i, name] of names.entries()) {
      const res = await post('/accounts', { name, owner_id: i % 2 ? 'u1' : 'u2', tags: i < 2 ? ['vip'] : [], industry: 'Retail', domain: `${name.toLowerCase()}.example` }, t.token);
      ids[name] = res.body.id;
    }
    const byName = await get('/accounts?sort=name', t.token);
    expect(byName.body.data.map((a: { name: string }) => a.name)).toEqual(['Alpha', 'Bravo', 'charlie', 'delta']);
    const u1 = await get('/accounts?owner_id=u1&sort=-name', t.token);
    expect(u1.body.data.map((a: { name: string }) => a.name)).toEqual(['Bravo', 'Alpha']);
    const vip = await get('/accounts?tag=vip&sort=name', t.token);
    expect(vip.body.data.map((a: { name: string }) => a.name)).toEqual(['Alpha', 'delta']);
    const q = await get('/accounts?q=RAVO', t.token);
    expect(q.body.data.map((a: { name: string }) => a.name)).toEqual(['Bravo']);
    const byDomain = await get('/accounts?q=charlie.exa', t.token);
    expect(byDomain.body.data.map((a: { name: string }) => a.name)).toEqual(['charlie']);
    const paged = await get('/accounts?sort=name&limit=3', t.token);
    const rest = await get(`/accounts?sort=name&limit=3&cursor=${encodeURIComponent(paged.body.next_cursor)}`, t.token);
    expect(rest.body.data.map((a: { name: string }) => a.name)).toEqual(['delta']);
    expect(rest.body.next_cursor).toBeNull();

    expect((await del(`/accounts/${ids.Alpha}`, undefined, t.token)).status).toBe(428);
    expect((await del(`/accounts/${ids.Alpha}`, '"1"', t.token)).status).toBe(204);
    const live = await get('/accounts?sort=name', t.token);
    expect(live.body.data.map((a: { name: string }) => a.name)).toEqual(['Bravo', 'charlie', 'delta']);
    const archived = await get('/accounts?archived=true', t.token);
    expect(archived.body.data.map((a: { name: string }) => a.name)).toEqual(['Alpha']);
    const one = await get(`/accounts/${ids.Alpha}`, t.token);
    expect(one.body.archived_at).not.toBeNull();
    expect((await patch(`/accounts/${ids.Alpha}`, { name: 'x' }, '"2"', t.token)).status).toBe(409);
    expect((await del(`/accounts/${ids.Alpha}`, '"2"', t.token)).status).toBe(409);
  });

  it("answers 404 for another tenant's account, and needs the CRM scopes", async () => {
    const created = await post('/accounts', { name: 'Mine' });
    const other = await h.tenant();
    expect((await get(`/accounts/${created.body.id}`, other.token)).status).toBe(404);
    expect((await patch(`/accounts/${created.body.id}`, { name: 'x' }, '"1"', other.token)).status).toBe(404);
    const readOnly = await h.token(admin.clientId, admin.secret, 'crm:read');
    expect((await get(`/accounts/${created.body.id}`, readOnly)).status).toBe(200);
    expect((await post('/accounts', { name: 'x' }, readOnly)).status).toBe(403);
  });
});
