import { IdempotencyKeyModel, keyHash } from '../../src/platform/idempotency/idempotency-store';
import { Harness, type Admin } from '../support/harness';

let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

const post = (key: string, body: unknown) =>
  h.request('POST', '/v1/platform/api-clients', { token: admin.token, json: body, headers: { 'idempotency-key': key } });

const count = async () => (await h.request('GET', '/v1/platform/api-clients?limit=200', { token: admin.token })).body.data.length;

describe('Idempotency-Key', () => {
  it('replays the first response: same status, headers and body, and creates nothing more', async () => {
    const before = await count();
    const first = await post('key-replay', { name: 'once', scopes: ['crm:read'] });
    const second = await post('key-replay', { name: 'once', scopes: ['crm:read'] });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    expect(await count()).toBe(before + 1);
  });

  it('refuses the same key with another body (422)', async () => {
    await post('key-mismatch', { name: 'a', scopes: ['crm:read'] });
    const res = await post('key-mismatch', { name: 'b', scopes: ['crm:read'] });
    expect(res.status).toBe(422);
    expect(res.body.type).toBe('/problems/idempotency-key-reused');
  });

  it('keeps keys apart per tenant', async () => {
    const other = await h.tenant();
    const mine = await post('key-shared', { name: 'a', scopes: ['crm:read'] });
    const theirs = await h.request('POST', '/v1/platform/api-clients', { token: other.token, json: { name: 'a', scopes: ['crm:read'] }, headers: { 'idempotency-key': 'key-shared' } });
    expect(theirs.status).toBe(201);
    expect(theirs.body.api_client.id).not.toBe(mine.body.api_client.id);
  });

  it('never replays one client\'s response to another client of the tenant', async () => {
    const created = (await post('key-own', { name: 'second admin', scopes: ['platform:admin'] })).body;
    const otherToken = await h.token(created.api_client.id, created.client_secret);
    const mine = await post('key-per-client', { name: 'secretive', scopes: ['crm:read'] });
    const theirs = await h.request('POST', '/v1/platform/api-clients', { token: otherToken, json: { name: 'secretive', scopes: ['crm:read'] }, headers: { 'idempotency-key': 'key-per-client' } });
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(422);
    expect(theirs.text).not.toContain(mine.body.client_secret);
  });

  it('does not store a request refused by validation', async () => {
    const bad = await post('key-after-400', { name: '', scopes: ['crm:read'] });
    expect(bad.status).toBe(400);
    const good = await post('key-after-400', { name: 'fixed', scopes: ['crm:read'] });
    expect(good.status).toBe(201);
  });

  it('replays an action (revoke) instead of answering 409 the second time', async () => {
    const id = (await post('key-create-for-revoke', { name: 'r', scopes: ['crm:read'] })).body.api_client.id;
    const revoke = () => h.request('POST', `/v1/platform/api-clients/${id}/revoke`, { token: admin.token, headers: { 'if-match': '"1"', 'idempotency-key': 'key-revoke' } });
    const first = await revoke();
    const second = await revoke();
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
  });

  it('purges keys older than 24 hours, and only those', async () => {
    await post('key-old', { name: 'old', scopes: ['crm:read'] });
    await post('key-young', { name: 'young', scopes: ['crm:read'] });
    await IdempotencyKeyModel.update({ expires_at: new Date(Date.now() - 1000) }, { where: { tenant_id: admin.tenantId, key_hash: keyHash(admin.tenantId, 'key-old') } });
    expect(await h.stratum.kernel.idempotency.purgeExpired()).toBe(1);
    expect(await IdempotencyKeyModel.count({ where: { tenant_id: admin.tenantId, key_hash: ['key-old', 'key-young'].map((k) => keyHash(admin.tenantId, k)) } })).toBe(1);
  });

  it('rejects an empty or overlong key', async () => {
    const long = await post('k'.repeat(256), { name: 'x', scopes: ['crm:read'] });
    expect(long.status).toBe(400);
    expect(long.body.errors[0].pointer).toBe('/header/idempotency-key');
  });

  it('creates exactly one resource for concurrent requests with one key', async () => {
    const before = await count();
    const results = await Promise.all(Array.from({ length: 8 }, () => post('key-concurrent', { name: 'racer', scopes: ['crm:read'] })));
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of results) expect([201, 409]).toContain(r.status);
    expect(new Set(created.map((r) => r.body.api_client.id)).size).toBe(1);
    expect(await count()).toBe(before + 1);
  });
});
