import { ApiClientModel } from '../../src/modules/platform/infrastructure/models';
import { Harness, type Admin } from '../support/harness';

let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

const create = (token: string, body: unknown, headers: Record<string, string> = {}) =>
  h.request('POST', '/v1/platform/api-clients', { token, json: body, headers });

describe('API clients', () => {
  it('creates a client, shows its secret once, and serves it with an ETag', async () => {
    const res = await create(admin.token, { name: 'Scanner fleet', description: 'handhelds', scopes: ['wms:read', 'wms:write'] });
    expect(res.status).toBe(201);
    const client = res.body.api_client;
    expect(client).toMatchObject({ name: 'Scanner fleet', description: 'handhelds', scopes: ['wms:read', 'wms:write'], status: 'active', version: 1, tenant_id: admin.tenantId });
    expect(client.id).toMatch(/^cli_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(res.body.client_secret).toMatch(/^cs_/);
    expect(res.headers.get('location')).toBe(`/v1/platform/api-clients/${client.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.headers.get('cache-control')).toBe('no-store');

    const got = await h.request('GET', `/v1/platform/api-clients/${client.id}`, { token: admin.token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(client);
    expect(got.text).not.toContain(res.body.client_secret);
    expect(got.text).not.toContain('secret_hash');
    expect(got.headers.get('etag')).toBe('"1"');

    // the secret works for a token with a subset of the scopes
    const token = await h.request('POST', '/v1/oauth/token', { form: { grant_type: 'client_credentials', client_id: client.id, client_secret: res.body.client_secret, scope: 'wms:read' } });
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'wms:read', expires_in: 900 });
  });

  it('refuses server-owned fields in the body, naming each, and stores nothing', async () => {
    const before = await h.request('GET', '/v1/platform/api-clients?limit=200', { token: admin.token });
    const res = await create(admin.token, { name: 'x', scopes: ['crm:read'], id: 'cli_01JDQ7ZK3M2V8X4B6N9P0RSTWV', tenant_id: 'ten_01JDQ7W2X8E4Q9R3S5T6V7W8XY', version: 7, created_at: '2026-01-01T00:00:00Z', client_secret: 'cs_mine' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.type).toBe('/problems/validation-error');
    const pointers = res.body.errors.map((e: { pointer: string }) => e.pointer).sort();
    expect(pointers).toEqual(['/client_secret', '/created_at', '/id', '/tenant_id', '/version']);
    expect(res.body.errors.find((e: { pointer: string }) => e.pointer === '/id').detail).toContain('set by the server');
    const after = await h.request('GET', '/v1/platform/api-clients?limit=200', { token: admin.token });
    expect(after.body.data.length).toBe(before.body.data.length);
  });

  it('names each invalid field by JSON pointer', async () => {
    const res = await create(admin.token, { name: '', scopes: ['crm:read', 'nope'], description: 5 });
    expect(res.status).toBe(400);
    const pointers = res.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/name', '/scopes/1', '/description']));
  });

  it('does not coerce JSON body types', async () => {
    const res = await create(admin.token, { name: 123, scopes: ['crm:read'] });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].pointer).toBe('/name');
  });

  it('refuses a name sent twice in one JSON object, naming it, and creates nothing', async () => {
    const before = (await h.request('GET', '/v1/platform/api-clients?limit=200', { token: admin.token })).body.data.length;
    const res = await h.request('POST', '/v1/platform/api-clients', {
      token: admin.token,
      headers: { 'content-type': 'application/json' },
      raw: '{"name":"first","scopes":["crm:read"],"name":"second"}',
    });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('/problems/validation-error');
    expect(res.body.errors).toEqual([{ pointer: '/name', detail: 'is sent more than once in its object' }]);
    expect((await h.request('GET', '/v1/platform/api-clients?limit=200', { token: admin.token })).body.data.length).toBe(before);
  });

  it('refuses a body nested too deep with a 400 naming where, not a 500', async () => {
    const res = await h.request('POST', '/v1/platform/api-clients', {
      token: admin.token,
      headers: { 'content-type': 'application/json' },
      raw: `{"name":"x","scopes":["crm:read"],"description":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('/problems/validation-error');
    expect(res.body.errors).toEqual([{ pointer: `/description${'/0'.repeat(63)}`, detail: 'nests more than 64 levels deep' }]);
  });

  it('hides other tenants\' clients: their ids are 404', async () => {
    const other = await h.tenant();
    const mine = (await create(admin.token, { name: 'mine', scopes: ['crm:read'] })).body.api_client;
    const res = await h.request('GET', `/v1/platform/api-clients/${mine.id}`, { token: other.token });
    expect(res.status).toBe(404);
    expect(res.body.type).toBe('/problems/not-found');
    const patch = await h.request('PATCH', `/v1/platform/api-clients/${mine.id}`, { token: other.token, json: { name: 'stolen' }, headers: { 'if-match': '"1"' } });
    expect(patch.status).toBe(404);
    const list = await h.request('GET', '/v1/platform/api-clients?limit=200', { token: other.token });
    expect(list.body.data.map((c: { id: string }) => c.id)).not.toContain(mine.id);
    const tenant = await h.request('GET', `/v1/platform/tenants/${admin.tenantId}`, { token: other.token });
    expect(tenant.status).toBe(404);
    const own = await h.request('GET', `/v1/platform/tenants/${other.tenantId}`, { token: other.token });
    expect(own.status).toBe(200);
    expect(own.body.id).toBe(other.tenantId);
  });

  it('tells any caller who it is: tenant, client, the scopes of this credential and its kind', async () => {
    const created = (await create(admin.token, { name: 'reader', scopes: ['crm:write', 'crm:read'] })).body;
    const id = created.api_client.id;
    const narrow = await h.token(id, created.client_secret, 'crm:read');
    const me = await h.request('GET', '/v1/platform/me', { token: narrow });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      tenant: { id: admin.tenantId, name: expect.any(String), created_at: expect.any(String) },
      api_client_id: id,
      scopes: ['crm:read'],
      credential: 'bearer_token',
    });
    const byKey = await h.request('GET', '/v1/platform/me', { headers: { 'x-api-key': `${id}.${created.client_secret}` } });
    expect(byKey.body).toMatchObject({ api_client_id: id, scopes: ['crm:read', 'crm:write'], credential: 'api_key' });
    expect(byKey.body.tenant.id).toBe(admin.tenantId);
    expect((await h.request('GET', '/v1/platform/me')).status).toBe(401);
  });

  describe('patching', () => {
    let id: string;
    beforeAll(async () => {
      id = (await create(admin.token, { name: 'patch me', description: 'old', scopes: ['crm:read'] })).body.api_client.id;
    });

    it('requires If-Match (428)', async () => {
      const res = await h.request('PATCH', `/v1/platform/api-clients/${id}`, { token: admin.token, json: { name: 'n' } });
      expect(res.status).toBe(428);
      expect(res.body.type).toBe('/problems/precondition-required');
    });

    it('refuses a stale If-Match (412) and changes nothing', async () => {
      const res = await h.request('PATCH', `/v1/platform/api-clients/${id}`, { token: admin.token, json: { name: 'n' }, headers: { 'if-match': '"9"' } });
      expect(res.status).toBe(412);
      const got = await h.request('GET', `/v1/platform/api-clients/${id}`, { token: admin.token });
      expect(got.body.name).toBe('patch me');
    });

    it('compares If-Match strongly: weak tags and tags it never issued are 412, a non-tag is 400', async () => {
      for (const ifMatch of ['W/"1"', '"99999999999"', '"abc", W/"1"']) {
        const res = await h.request('PATCH', `/v1/platform/api-clients/${id}`, { token: admin.token, json: { name: 'n' }, headers: { 'if-match': ifMatch } });
        expect({ ifMatch, status: res.status }).toEqual({ ifMatch, status: 412 });
      }
      const garbage = await h.request('PATCH', `/v1/platform/api-clients/${id}`, { token: admin.token, json: { name: 'n' }, headers: { 'if-match': '1' } });
      expect(garbage.status).toBe(400);
      expect(garbage.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/header/if-match']);
      // A tag may hold a comma; it still matches nothing.
      const comma = await h.request('PATCH', `/v1/platform/api-clients/${id}`, { token: admin.token, json: { name: 'n' }, headers: { 'if-match': '"a,b"' } });
      expect(comma.status).toBe(412);
      expect((await h.request('GET', `/v1/platform/api-clients/${id}`, { token: admin.token })).body.version).toBe(1);
    });

    it('matches a list of tags when any of them is current', async () => {
      const listed = await h.request('PATCH', `/v1/platform/api-clients/${id}`, { token: admin.token, json: { name: 'patch me' }, headers: { 'if-match': 'W/"1", "7", "1"' } });
      expect(listed.status).toBe(200);
      // Same name: no change, still version 1.
      expect(listed.body.version).toBe(1);
    });

    it('applies a merge patch: sent fields change, null clears, version bumps', async () => {
      const res = await h.request('PATCH', `/v1/platform/api-clients/${id}`, {
        token: admin.token,
        raw: JSON.stringify({ description: null, scopes: ['crm:read', 'crm:write'] }),
        headers: { 'content-type': 'application/merge-patch+json', 'if-match': '"1"' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'patch me', description: null, scopes: ['crm:read', 'crm:write'], version: 2 });
      expect(res.headers.get('etag')).toBe('"2"');
    });

    it('lets exactly one of two concurrent patches with the same If-Match win', async () => {
      const current = await h.request('GET', `/v1/platform/api-clients/${id}`, { token: admin.token });
      const etag = current.headers.get('etag')!;
      const results = await Promise.all(
        ['first', 'second', 'third'].map((name) => h.request('PATCH', `/v1/platform/api-clients/${id}`, { token: admin.token, json: { name }, headers: { 'if-match': etag } })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412]);
      const after = await h.request('GET', `/v1/platform/api-clients/${id}`, { token: admin.token });
      expect(after.body.version).toBe(current.body.version + 1);
      expect(after.body.name).toBe(results.find((r) => r.status === 200)!.body.name);
    });

    it('refuses to let the calling client remove its own platform:admin (409), and changes nothing', async () => {
      const res = await h.request('PATCH', `/v1/platform/api-clients/${admin.clientId}`, { token: admin.token, json: { scopes: ['crm:read'] }, headers: { 'if-match': '*' } });
      expect(res.status).toBe(409);
      expect(res.body.detail).toContain('lock it out');
      const got = await h.request('GET', `/v1/platform/api-clients/${admin.clientId}`, { token: admin.token });
      expect(got.body.scopes).toContain('platform:admin');
    });

    it('refuses an empty patch and server-owned fields', async () => {
      const empty = await h.request('PATCH', `/v1/platform/api-clients/${id}`, { token: admin.token, json: {}, headers: { 'if-match': '*' } });
      expect(empty.status).toBe(400);
      const owned = await h.request('PATCH', `/v1/platform/api-clients/${id}`, { token: admin.token, json: { version: 5, status: 'revoked' }, headers: { 'if-match': '*' } });
      expect(owned.status).toBe(400);
      expect(owned.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/status', '/version']);
    });
  });

  describe('revoking and rotating', () => {
    it('revokes: no more tokens, the API key is refused, a second revoke is 409', async () => {
      const created = (await create(admin.token, { name: 'to revoke', scopes: ['platform:admin'] })).body;
      const id = created.api_client.id;
      const key = `${id}.${created.client_secret}`;
      expect((await h.request('GET', '/v1/platform/api-clients', { headers: { 'x-api-key': key } })).status).toBe(200);

      const res = await h.request('POST', `/v1/platform/api-clients/${id}/revoke`, { token: admin.token, headers: { 'if-match': '"1"' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'revoked', version: 2 });
      expect(res.body.revoked_at).not.toBeNull();

      const token = await h.request('POST', '/v1/oauth/token', { form: { grant_type: 'client_credentials', client_id: id, client_secret: created.client_secret } });
      expect(token.status).toBe(401);
      expect(token.body.error).toBe('invalid_client');
      const viaKey = await h.request('GET', '/v1/platform/api-clients', { headers: { 'x-api-key': key } });
      expect(viaKey.status).toBe(401);

      const again = await h.request('POST', `/v1/platform/api-clients/${id}/revoke`, { token: admin.token, headers: { 'if-match': '"2"' } });
      expect(again.status).toBe(409);
      const patch = await h.request('PATCH', `/v1/platform/api-clients/${id}`, { token: admin.token, json: { name: 'x' }, headers: { 'if-match': '"2"' } });
      expect(patch.status).toBe(409);
    });

    it('refuses to revoke the client the request is authenticated as', async () => {
      const res = await h.request('POST', `/v1/platform/api-clients/${admin.clientId}/revoke`, { token: admin.token, headers: { 'if-match': '*' } });
      expect(res.status).toBe(409);
    });

    it('rotates the secret: the old one stops working, the new one works', async () => {
      const created = (await create(admin.token, { name: 'rotate', scopes: ['crm:read'] })).body;
      const id = created.api_client.id;
      const res = await h.request('POST', `/v1/platform/api-clients/${id}/rotate-secret`, { token: admin.token, headers: { 'if-match': '"1"' } });
      expect(res.status).toBe(200);
      expect(res.body.client_secret).not.toBe(created.client_secret);
      expect(res.body.api_client.version).toBe(2);
      expect(res.body.api_client.secret_rotated_at).not.toBeNull();
      const old = await h.request('POST', '/v1/oauth/token', { form: { grant_type: 'client_credentials', client_id: id, client_secret: created.client_secret } });
      expect(old.status).toBe(401);
      expect(await h.token(id, res.body.client_secret)).toBeTruthy();
    });
  });

  describe('listing', () => {
    let tenant: Admin;
    const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf'];
    beforeAll(async () => {
      tenant = await h.tenant();
      for (const name of names) await create(tenant.token, { name: `svc-${name}`, scopes: name === 'delta' ? ['erp:read'] : ['crm:read'] });
    });

    const list = (query: string) => h.request('GET', `/v1/platform/api-clients?${query}`, { token: tenant.token });

    it('pages through every client exactly once, in a stable order', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Awaited<ReturnType<typeof list>> = await list(`limit=3&sort=name${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(3);
        seen.push(...res.body.data.map((c: { name: string }) => c.name));
        cursor = res.body.next_cursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen).toEqual(['admin', ...names.map((n) => `svc-${n}`)]);
      expect(pages).toBe(3);
    });

    it('sorts newest first by default and honours -name', async () => {
      const res = await list('limit=200');
      expect(res.body.data[0].name).toBe('svc-golf');
      const byName = await list('limit=2&sort=-name');
      expect(byName.body.data.map((c: { name: string }) => c.name)).toEqual(['svc-golf', 'svc-foxtrot']);
    });

    it('filters by text, status and creation time', async () => {
      expect((await list('q=ECH')).body.data.map((c: { name: string }) => c.name)).toEqual(['svc-echo']);
      expect((await list('q=%25')).body.data).toEqual([]);
      // Case-insensitive beyond ASCII, the same on both databases (SQLite's LOWER() folds ASCII only).
      await h.request('POST', '/v1/platform/api-clients', { token: admin.token, json: { name: 'ÉCOLE Straße', scopes: ['crm:read'] } });
      for (const q of ['%C3%89COLE', '%C3%A9cole', 'STRA%C3%9FE']) {
        const found = await h.request('GET', `/v1/platform/api-clients?q=${q}`, { token: admin.token });
        expect({ q, names: found.body.data.map((c: { name: string }) => c.name) }).toEqual({ q, names: ['ÉCOLE Straße'] });
      }
      // A row an older process wrote (before name_search existed) is still found by its name.
      const older = await h.request('POST', '/v1/platform/api-clients', { token: admin.token, json: { name: 'Legacy Importer', scopes: ['crm:read'] } });
      await ApiClientModel.update({ name_search: null }, { where: { id: older.body.api_client.id } });
      expect((await h.request('GET', '/v1/platform/api-clients?q=legacy%20IMP', { token: admin.token })).body.data.map((c: { id: string }) => c.id)).toEqual([older.body.api_client.id]);
      expect((await list('status=revoked')).body.data).toEqual([]);
      const all = (await list('sort=created_at&limit=200')).body.data;
      const after = (await list(`sort=created_at&created_after=${encodeURIComponent(all[3].created_at)}`)).body.data;
      expect(after[0].id).toBe(all[3].id);
    });

    it('refuses a tampered cursor, and a cursor used with other filters', async () => {
      const first = await list('limit=2&sort=name');
      const cursor: string = first.body.next_cursor;
      const [payload, sig] = cursor.split('.');
      const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), p: ['a', 'b'] })).toString('base64url');
      for (const bad of [`${tampered}.${sig}`, 'garbage', `${payload}.AAAA`]) {
        const res = await list(`limit=2&sort=name&cursor=${encodeURIComponent(bad)}`);
        expect(res.status).toBe(400);
        expect(res.body.type).toBe('/problems/invalid-cursor');
      }
      const other = await list(`limit=2&sort=-name&cursor=${encodeURIComponent(cursor)}`);
      expect(other.status).toBe(400);
      // Another tenant's cursor is not a position in this tenant's list.
      const foreign = await h.request('GET', `/v1/platform/api-clients?limit=2&sort=name&cursor=${encodeURIComponent(cursor)}`, { token: admin.token });
      expect(foreign.status).toBe(400);
      expect(foreign.body.type).toBe('/problems/invalid-cursor');
    });

    it('bounds the limit and rejects unknown parameters', async () => {
      for (const q of ['limit=0', 'limit=201', 'limit=abc', 'sort=size', 'colour=red', 'created_after=yesterday', 'created_after=2016-12-31T23:59:60Z', 'created_before=9999-12-31T23:59:59-23:59', '__proto__=x']) {
        const res = await list(q);
        expect(res.status).toBe(400);
        expect(res.body.errors[0].pointer).toMatch(/^\/query\//);
      }
    });

    it('takes a limit written in decimal digits only, and names it once when it is not', async () => {
      for (const text of ['0x10', '1e1', '%2010', '10%20', '10.', '10.0', '+10', '010', '']) {
        const res = await list(`limit=${text}`);
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual([{ pointer: '/query/limit', detail: 'must be an integer in decimal digits' }]);
      }
      expect((await list('limit=10')).status).toBe(200);
    });
  });
});
