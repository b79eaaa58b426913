import { Harness, type Admin } from '../support/harness';

let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

const post = (path: string, json: unknown, token = admin.token, headers: Record<string, string> = {}) => h.request('POST', `/v1${path}`, { token, json, headers });
const get = (path: string, token = admin.token) => h.request('GET', `/v1${path}`, { token });
const patch = (path: string, json: unknown, ifMatch: string | undefined, token = admin.token) =>
  h.request('PATCH', `/v1${path}`, { token, json, headers: { 'content-type': 'application/merge-patch+json', ...(ifMatch ? { 'if-match': ifMatch } : {}) } });
const pointersOf = (res: { body: { errors?: { pointer: string }[] } }) => [...new Set((res.body.errors ?? []).map((e) => e.pointer))].sort();
const names = (res: { body: { data: { name: string }[] } }) => res.body.data.map((r) => r.name);

async function account(token: string, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await post('/crm/accounts', { name, ...extra }, token);
  expect(res.status).toBe(201);
  return res.body.id;
}
async function taxRate(token: string, name: string, active = true): Promise<string> {
  const res = await post('/erp/tax-rates', { name, rate: '19', is_active: active }, token);
  expect(res.status).toBe(201);
  return res.body.id;
}
async function archive(token: string, accountId: string): Promise<void> {
  expect((await h.request('DELETE', `/v1/crm/accounts/${accountId}`, { token, headers: { 'if-match': '"1"' } })).status).toBe(204);
}

for (const role of ['customers', 'suppliers'] as const) {
  const one = role === 'customers' ? 'customer' : 'supplier';
  const prefix = role === 'customers' ? 'cus' : 'sup';
  const idParam = `${one}_id`;

  describe(`ERP ${role}`, () => {
    it(`makes a CRM account a ${one}, copying its name and billing address, with the defaults`, async () => {
      const accountId = await account(admin.token, `Northwind ${one}`, { billing_address: { line1: 'Friedrichstraße 68', city: 'Berlin', postal_code: '10117', country: 'DE' } });
      const res = await post(`/erp/${role}`, { account_id: accountId });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`)),
        account_id: accountId,
        name: `Northwind ${one}`,
        billing_address: { line1: 'Friedrichstraße 68', line2: null, city: 'Berlin', region: null, postal_code: '10117', country: 'DE' },
        payment_terms_days: 30,
        tax_rate_id: null,
        currency: 'EUR',
        version: 1,
        created_at: expect.any(String),
        updated_at: res.body.created_at,
      });
      expect(res.headers.get('location')).toBe(`/v1/erp/${role}/${res.body.id}`);
      expect(res.headers.get('etag')).toBe('"1"');
      const got = await get(`/erp/${role}/${res.body.id}`);
      expect(got.headers.get('etag')).toBe('"1"');
      expect(got.body).toEqual(res.body);

      // A copy: a later change of the account does not follow.
      expect((await patch(`/crm/accounts/${accountId}`, { name: 'Renamed' }, '"1"')).status).toBe(200);
      expect((await get(`/erp/${role}/${res.body.id}`)).body.name).toBe(`Northwind ${one}`);

      const rate = await taxRate(admin.token, `Default for ${one}`);
      const full = await post(`/erp/${role}`, { account_id: await account(admin.token, `Full ${one}`), payment_terms_days: 0, tax_rate_id: rate, currency: 'EUR' });
      expect(full.status).toBe(201);
      expect(full.body).toMatchObject({ billing_address: null, payment_terms_days: 0, tax_rate_id: rate, currency: 'EUR' });
    });

    it('refuses bad input naming each field (400), and writes nothing', async () => {
      const t = await h.tenant();
      const res = await post(`/erp/${role}`, { account_id: 'nope', payment_terms_days: 366, tax_rate_id: 'x', currency: 'EURO', name: 'x' }, t.token);
      expect(res.status).toBe(400);
      expect(pointersOf(res)).toEqual(['/account_id', '/currency', '/name', '/payment_terms_days', '/tax_rate_id']);
      const accountId = await account(t.token, 'Valid');
      expect(pointersOf(await post(`/erp/${role}`, { account_id: accountId, payment_terms_days: -1 }, t.token))).toEqual(['/payment_terms_days']);
      expect(pointersOf(await post(`/erp/${role}`, { account_id: accountId, payment_terms_days: 1.5 }, t.token))).toEqual(['/payment_terms_days']);
      expect(pointersOf(await post(`/erp/${role}`, { account_id: accountId, currency: 'XYZ' }, t.token))).toEqual(['/currency']);
      expect(pointersOf(await post(`/erp/${role}`, {}, t.token))).toEqual(['/account_id']);
      expect((await get(`/erp/${role}`, t.token)).body.data).toEqual([]);
    });

    it('answers 400 naming the field for an unknown or archived account or an unknown or inactive tax rate, 422 for another currency; writes nothing', async () => {
      const t = await h.tenant();
      const refused = async (body: unknown, pointer: string, detail: RegExp, status = 400) => {
        const res = await post(`/erp/${role}`, body, t.token);
        expect(res.status).toBe(status);
        expect(res.body).toMatchObject({ type: status === 400 ? '/problems/validation-error' : '/problems/not-supported', status });
        expect(pointersOf(res)).toEqual([pointer]);
        expect(res.body.errors[0].detail).toMatch(detail);
      };
      await refused({ account_id: 'acc_01M8A0B2C4D6E8F0G2H4J6K8M0' }, '/account_id', /not a CRM account/);
      const otherTenantsAccount = await account(admin.token, 'Not yours');
      await refused({ account_id: otherTenantsAccount }, '/account_id', /not a CRM account/);
      const archived = await account(t.token, 'Archived');
      await archive(t.token, archived);
      await refused({ account_id: archived }, '/account_id', /archived/);
      const accountId = await account(t.token, 'Live');
      await refused({ account_id: accountId, tax_rate_id: 'txr_01M8C0A2C4E6G8J0K2M4P6R8T0' }, '/tax_rate_id', /not a tax rate/);
      await refused({ account_id: accountId, tax_rate_id: await taxRate(admin.token, `Other tenant's ${one}`) }, '/tax_rate_id', /not a tax rate/);
      await refused({ account_id: accountId, tax_rate_id: await taxRate(t.token, 'Inactive', false) }, '/tax_rate_id', /deactivated/);
      await refused({ account_id: accountId, currency: 'USD' }, '/currency', /only the base currency for now/, 422);
      expect((await get(`/erp/${role}`, t.token)).body.data).toEqual([]);
      // The account is still free.
      expect((await post(`/erp/${role}`, { account_id: accountId }, t.token)).status).toBe(201);
    });

    it(`is one ${one} per account: a second is a 409 naming the first, also when racing; another tenant is apart`, async () => {
      const t = await h.tenant();
      const accountId = await account(t.token, 'Once only');
      const first = await post(`/erp/${role}`, { account_id: accountId }, t.token);
      const again = await post(`/erp/${role}`, { account_id: accountId, payment_terms_days: 10 }, t.token);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ type: '/problems/conflict', [`existing_${one}_id`]: first.body.id });
      const racing = await account(t.token, 'Racing');
      const races = await Promise.all([0, 1, 2, 3].map(() => post(`/erp/${role}`, { account_id: racing }, t.token)));
      const won = races.filter((r) => r.status === 201);
      expect(won).toHaveLength(1);
      for (const r of races.filter((x) => x.status !== 201)) expect(r.body).toMatchObject({ status: 409, [`existing_${one}_id`]: won[0].body.id });
      // An account may be a customer and a supplier.
      const otherRole = role === 'customers' ? 'suppliers' : 'customers';
      expect((await post(`/erp/${otherRole}`, { account_id: accountId }, t.token)).status).toBe(201);
    });

    it('patches terms, the default tax rate and the currency as a merge patch; If-Match is required and checked', async () => {
      const t = await h.tenant();
      const rate = await taxRate(t.token, 'Standard');
      const created = (await post(`/erp/${role}`, { account_id: await account(t.token, 'Patchable') }, t.token)).body;
      const path = `/erp/${role}/${created.id}`;
      expect((await patch(path, { payment_terms_days: 14 }, undefined, t.token)).status).toBe(428);
      expect((await patch(path, { payment_terms_days: 14 }, '"2"', t.token)).status).toBe(412);
      expect(pointersOf(await patch(path, { payment_terms_days: 400 }, '"1"', t.token))).toEqual(['/payment_terms_days']);
      expect(pointersOf(await patch(path, { account_id: created.account_id }, '"1"', t.token))).toEqual(['/account_id']);
      expect(pointersOf(await patch(path, { name: 'x' }, '"1"', t.token))).toEqual(['/name']);
      const changed = await patch(path, { payment_terms_days: 14, tax_rate_id: rate }, '"1"', t.token);
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).toBe('"2"');
      expect(changed.body).toMatchObject({ payment_terms_days: 14, tax_rate_id: rate, version: 2 });
      expect((await patch(path, { payment_terms_days: 14, currency: 'EUR' }, '"2"', t.token)).body.version).toBe(2);
      const refused = await patch(path, { currency: 'CHF' }, '"2"', t.token);
      expect(refused.status).toBe(422);
      expect(refused.body.type).toBe('/problems/not-supported');
      expect(pointersOf(refused)).toEqual(['/currency']);
      const inactive = await taxRate(t.token, 'Old', false);
      const refusedRate = await patch(path, { tax_rate_id: inactive }, '"2"', t.token);
      expect(refusedRate.status).toBe(400);
      expect(pointersOf(refusedRate)).toEqual(['/tax_rate_id']);
      expect((await get(path, t.token)).body).toEqual(changed.body);
      // Deactivating the tax rate later leaves it the default; clearing it takes null.
      expect((await patch(`/erp/tax-rates/${rate}`, { is_active: false }, '"1"', t.token)).status).toBe(200);
      expect((await get(path, t.token)).body.tax_rate_id).toBe(rate);
      expect((await patch(path, { payment_terms_days: 21 }, '"2"', t.token)).body).toMatchObject({ payment_terms_days: 21, tax_rate_id: rate, version: 3 });
      expect((await patch(path, { tax_rate_id: null }, '"3"', t.token)).body).toMatchObject({ tax_rate_id: null, version: 4 });
    });

    it('lists by name or creation, filters by account and by a name prefix ignoring case, and pages', async () => {
      const t = await h.tenant();
      const ids: Record<string, string> = {};
      for (const name of ['charlie', 'Alpha', 'alpine', 'bravo']) {
        ids[name] = await account(t.token, name);
        await post(`/erp/${role}`, { account_id: ids[name] }, t.token);
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(names(await get(`/erp/${role}`, t.token))).toEqual(['Alpha', 'alpine', 'bravo', 'charlie']);
      expect(names(await get(`/erp/${role}?sort=-name`, t.token))).toEqual(['charlie', 'bravo', 'alpine', 'Alpha']);
      expect(names(await get(`/erp/${role}?sort=created_at`, t.token))).toEqual(['charlie', 'Alpha', 'alpine', 'bravo']);
      expect(names(await get(`/erp/${role}?sort=-created_at`, t.token))).toEqual(['bravo', 'alpine', 'Alpha', 'charlie']);
      expect(names(await get(`/erp/${role}?q=AL`, t.token))).toEqual(['Alpha', 'alpine']);
      expect(names(await get(`/erp/${role}?q=alph`, t.token))).toEqual(['Alpha']);
      expect(names(await get(`/erp/${role}?q=pha`, t.token))).toEqual([]);
      expect(names(await get(`/erp/${role}?account_id=${ids.bravo}`, t.token))).toEqual(['bravo']);
      const first = await get(`/erp/${role}?limit=3`, t.token);
      expect(names(first)).toEqual(['Alpha', 'alpine', 'bravo']);
      const rest = await get(`/erp/${role}?limit=3&cursor=${encodeURIComponent(first.body.next_cursor)}`, t.token);
      expect(names(rest)).toEqual(['charlie']);
      expect(rest.body.next_cursor).toBeNull();
      expect(pointersOf(await get(`/erp/${role}?account_id=x`, t.token))).toEqual(['/query/account_id']);
      expect(pointersOf(await get(`/erp/${role}?sort=terms`, t.token))).toEqual(['/query/sort']);
    });

    it(`answers 404 for another tenant's ${one}, and needs the ERP scopes`, async () => {
      const created = (await post(`/erp/${role}`, { account_id: await account(admin.token, `Mine ${one}`) })).body;
      const other = await h.tenant();
      expect((await get(`/erp/${role}/${created.id}`, other.token)).status).toBe(404);
      expect((await patch(`/erp/${role}/${created.id}`, { payment_terms_days: 1 }, '"1"', other.token)).status).toBe(404);
      expect((await get(`/erp/${role}?account_id=${created.account_id}`, other.token)).body.data).toEqual([]);
      expect((await get(`/erp/${role}/${prefix}_01M8C1B3D5F7H9K1M3P5R7T9V1`)).status).toBe(404);
      expect(pointersOf(await get(`/erp/${role}/not-an-id`))).toEqual([`/path/${idParam}`]);
      const readOnly = await h.token(admin.clientId, admin.secret, 'erp:read crm:write');
      expect((await get(`/erp/${role}/${created.id}`, readOnly)).status).toBe(200);
      expect((await post(`/erp/${role}`, { account_id: created.account_id }, readOnly)).status).toBe(403);
      expect((await patch(`/erp/${role}/${created.id}`, { payment_terms_days: 1 }, '"1"', readOnly)).status).toBe(403);
      expect((await get(`/erp/${role}`, await h.token(admin.clientId, admin.secret, 'crm:read'))).status).toBe(403);
    });
  });
}
