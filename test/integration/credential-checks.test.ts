import { Harness, type Admin } from '../support/harness';

// One scrypt at a time and one waiting: a handful of bad credentials at once overflows it. The
// limits on failed checks (api-key-limits, token-limits) are raised out of the way: this is
// about shedding scrypt work, which comes first.
let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start({ SECRET_CHECK_CONCURRENCY: '1', SECRET_CHECK_QUEUE: '1', TOKEN_FAILURES_PER_CLIENT_ID: '0', TOKEN_FAILURES_PER_ADDRESS: '0' });
  admin = await h.tenant(); // its secret is verified here, once
});
afterAll(() => h.stop());

const UNKNOWN = 'cli_01M892BP80K3M5N7P9R1S3T5V7';
const badToken = (i: number) => h.request('POST', '/v1/oauth/token', { form: { grant_type: 'client_credentials', client_id: UNKNOWN, client_secret: `cs_wrong_${i}` } });

describe('a flood of bad credentials', () => {
  it('is shed with 503 and Retry-After beyond the queue, while a verified client still gets its token', async () => {
    const flood = Array.from({ length: 20 }, (_, i) => badToken(i));
    // sent while the flood is being checked: its secret is remembered, so it waits for no scrypt
    const token = await h.request('POST', '/v1/oauth/token', { form: { grant_type: 'client_credentials', client_id: admin.clientId, client_secret: admin.secret } });
    expect(token.status).toBe(200);
    const answers = await Promise.all(flood);
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(1);
    const shed = answers.filter((a) => a.status === 503);
    expect(shed.length).toBeGreaterThanOrEqual(1);
    for (const res of shed) {
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.body).toMatchObject({ type: '/problems/service-unavailable', status: 503 });
    }
    expect(h.logs.some((l) => l.msg === 'secret checks busy: request shed')).toBe(true);
    // once the flood has passed, a bad secret is checked (and refused) again
    expect((await badToken(99)).status).toBe(401);
    const authorized = await h.request('GET', '/v1/platform/api-clients?limit=1', { token: token.body.access_token });
    expect(authorized.status).toBe(200);
  });

  it('sheds API-key calls with unknown keys the same way, and serves a known key meanwhile', async () => {
    const key = `${admin.clientId}.${admin.secret}`;
    const flood = Array.from({ length: 20 }, (_, i) => h.request('GET', '/v1/platform/api-clients?limit=1', { headers: { 'x-api-key': `${UNKNOWN}.cs_wrong_${i}` } }));
    const known = await h.request('GET', '/v1/platform/api-clients?limit=1', { headers: { 'x-api-key': key } });
    expect(known.status).toBe(200);
    const statuses = (await Promise.all(flood)).map((a) => a.status);
    expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
    expect(statuses).toContain(401);
    expect(statuses).toContain(503);
  });
});
