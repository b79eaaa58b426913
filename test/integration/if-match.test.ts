import { Harness, type Admin } from '../support/harness';

/** If-Match is `required` in the contract; a request without it is the documented 428, not a 400 of the header check. */
let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

async function newClient(): Promise<string> {
  const res = await h.request('POST', '/v1/platform/api-clients', { token: admin.token, json: { name: 'versioned', scopes: ['crm:read'] } });
  expect(res.status).toBe(201);
  return res.body.api_client.id;
}

describe('If-Match', () => {
  it.each([
    ['PATCH', '', { name: 'renamed' }],
    ['POST', '/revoke', undefined],
    ['POST', '/rotate-secret', undefined],
  ])('is required on %s …%s: 428 without it, and nothing changes', async (method, action, json) => {
    const id = await newClient();
    const res = await h.request(method, `/v1/platform/api-clients/${id}${action}`, { token: admin.token, json });
    expect(res.status).toBe(428);
    expect(res.body).toMatchObject({ type: '/problems/precondition-required', status: 428 });
    expect(res.headers.get('ratelimit')).toMatch(/^"per-client";/);
    const after = await h.request('GET', `/v1/platform/api-clients/${id}`, { token: admin.token });
    expect(after.body).toMatchObject({ version: 1, status: 'active' });
  });

  it('comes after the contract check: an invalid body without If-Match is a 400 naming the body only', async () => {
    const id = await newClient();
    const res = await h.request('PATCH', `/v1/platform/api-clients/${id}`, { token: admin.token, json: { name: '' } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/name']);
  });
});
