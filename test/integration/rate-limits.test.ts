import { Harness, type Admin } from '../support/harness';

const POLICY = /^"per-client";q=(\d+);w=(\d+)$/;
const LEFT = /^"per-client";r=(\d+);t=(\d+)$/;

function left(headers: Headers): { r: number; t: number } {
  const m = LEFT.exec(headers.get('ratelimit') ?? '');
  if (!m) throw new Error(`no RateLimit header: ${headers.get('ratelimit')}`);
  return { r: Number(m[1]), t: Number(m[2]) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until just after a window boundary, so a short test cannot straddle one. */
async function startOfWindow(seconds: number): Promise<void> {
  const ms = seconds * 1000;
  await sleep(ms - (Date.now() % ms) + 30);
}

describe('rate limits per API client', () => {
  let h: Harness;
  let admin: Admin;
  beforeAll(async () => {
    h = await Harness.start({ RATE_LIMIT_REQUESTS: '5', RATE_LIMIT_WINDOW_SECONDS: '60', RATE_LIMIT_SYNC_MS: '50' });
  });
  afterAll(() => h.stop());
  beforeEach(async () => {
    // A 60-second window: never start a test within 3 s of its end, so none straddles a reset.
    const rest = 60_000 - (Date.now() % 60_000);
    if (rest < 3000) await sleep(rest + 50);
    admin = await h.tenant();
  }, 10_000);

  it('counts every authenticated request, says so in RateLimit headers, and answers 429 over the quota', async () => {
    const path = `/v1/platform/tenants/${admin.tenantId}`;
    for (let i = 4; i >= 0; i--) {
      const res = await h.request('GET', path, { token: admin.token });
      expect(res.status).toBe(200);
      expect(POLICY.exec(res.headers.get('ratelimit-policy') ?? '')?.slice(1)).toEqual(['5', '60']);
      const { r, t } = left(res.headers);
      expect(r).toBe(i);
      expect(t).toBeGreaterThanOrEqual(1);
      expect(t).toBeLessThanOrEqual(60);
    }
    const refused = await h.request('GET', path, { token: admin.token });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ type: '/problems/too-many-requests', status: 429 });
    expect(refused.body.detail).toMatch(/5 requests of this 60-second window/);
    expect(left(refused.headers).r).toBe(0);
    expect(refused.headers.get('retry-after')).toBe(String(left(refused.headers).t));
  });

  it('changes nothing when it refuses, and leaves the other clients of the tenant alone', async () => {
    const other = await h.stratum.platform.apiClients.create(admin.tenantId, { name: 'other', scopes: ['platform:admin'] });
    const otherToken = await h.token(other.client.id, other.secret);
    for (let i = 0; i < 5; i++) expect((await h.request('GET', `/v1/platform/api-clients/${admin.clientId}`, { token: admin.token })).status).toBe(200);

    const create = await h.request('POST', '/v1/platform/api-clients', { token: admin.token, json: { name: 'not made', scopes: ['crm:read'] }, headers: { 'idempotency-key': 'rl-1' } });
    expect(create.status).toBe(429);

    const list = await h.request('GET', '/v1/platform/api-clients', { token: otherToken });
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(2);
    expect(list.body.data.some((c: { name: string }) => c.name === 'not made')).toBe(false);
    expect(left(list.headers).r).toBe(4);
  });

  it('does not count the token endpoint, and sends no RateLimit headers without a valid credential', async () => {
    for (let i = 0; i < 7; i++) await h.token(admin.clientId, admin.secret);
    const res = await h.request('GET', `/v1/platform/tenants/${admin.tenantId}`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(left(res.headers).r).toBe(4);
    const anonymous = await h.request('GET', `/v1/platform/tenants/${admin.tenantId}`, { token: 'not-a-token' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('ratelimit')).toBeNull();
  });

  it('counts API-key requests against the same client', async () => {
    const key = `${admin.clientId}.${admin.secret}`;
    await h.request('GET', `/v1/platform/tenants/${admin.tenantId}`, { token: admin.token });
    const res = await h.request('GET', `/v1/platform/tenants/${admin.tenantId}`, { headers: { 'x-api-key': key } });
    expect(res.status).toBe(200);
    expect(left(res.headers).r).toBe(3);
  });

  it('shares one quota between server processes on one database', async () => {
    const second = await Harness.start({ RATE_LIMIT_REQUESTS: '5', RATE_LIMIT_WINDOW_SECONDS: '60', RATE_LIMIT_SYNC_MS: '50' }, h.db);
    try {
      const path = `/v1/platform/tenants/${admin.tenantId}`;
      for (let i = 0; i < 3; i++) expect((await h.request('GET', path, { token: admin.token })).status).toBe(200);
      await h.stratum.kernel.rateLimiter.sync();
      // The second process reads the shared total on the client's first request of the window.
      const a = await second.request('GET', path, { token: admin.token });
      expect(a.status).toBe(200);
      expect(left(a.headers).r).toBe(1);
      expect((await second.request('GET', path, { token: admin.token })).status).toBe(200);
      expect((await second.request('GET', path, { token: admin.token })).status).toBe(429);
      await second.stratum.kernel.rateLimiter.sync();
      const [row] = await h.stratum.kernel.db.select<{ used: number | string }>('SELECT used FROM rate_limit_counters WHERE client_id = :id', { id: admin.clientId });
      expect(Number(row.used)).toBe(5);
    } finally {
      await second.stop();
    }
  });
});

describe('rate limit windows', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ RATE_LIMIT_REQUESTS: '2', RATE_LIMIT_WINDOW_SECONDS: '2', RATE_LIMIT_SYNC_MS: '50' });
  });
  afterAll(() => h.stop());

  it('starts a fresh quota when the window resets', async () => {
    const admin = await h.tenant();
    const path = `/v1/platform/tenants/${admin.tenantId}`;
    await startOfWindow(2);
    expect((await h.request('GET', path, { token: admin.token })).status).toBe(200);
    expect((await h.request('GET', path, { token: admin.token })).status).toBe(200);
    const refused = await h.request('GET', path, { token: admin.token });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(2);
    await startOfWindow(2);
    const again = await h.request('GET', path, { token: admin.token });
    expect(again.status).toBe(200);
    expect(left(again.headers).r).toBe(1);
  }, 15_000);
});

describe('rate limiting off', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ RATE_LIMIT_REQUESTS: '0' });
  });
  afterAll(() => h.stop());

  it('sends no RateLimit headers and refuses nothing with RATE_LIMIT_REQUESTS=0', async () => {
    const admin = await h.tenant();
    for (let i = 0; i < 3; i++) {
      const res = await h.request('GET', `/v1/platform/tenants/${admin.tenantId}`, { token: admin.token });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit')).toBeNull();
      expect(res.headers.get('ratelimit-policy')).toBeNull();
    }
  });
});
