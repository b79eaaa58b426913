import { Harness, type Admin, type Reply } from '../support/harness';

/**
 * The token endpoint's limits on failed client authentications, with the defaults: 10 per client
 * id and 50 per address (every request here comes from 127.0.0.1) per 60-second window.
 */
let h: Harness;
let admin: Admin;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A test needs `seconds` of one window: never start one that close to a reset. */
// A test may first wait up to `seconds` for a new window, then needs its own time after it.
jest.setTimeout(100_000);

async function roomInWindow(seconds: number): Promise<void> {
  const rest = 60_000 - (Date.now() % 60_000);
  if (rest < seconds * 1000) await sleep(rest + 50);
}

const token = (form: Record<string, string>) => h.request('POST', '/v1/oauth/token', { form });
const attempt = (clientId: string, secret: string) => token({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret });

/** `RateLimit` of a token answer: what is left of each failure limit. */
function left(res: Reply): Record<string, number> {
  const value = res.headers.get('ratelimit') ?? '';
  return Object.fromEntries([...value.matchAll(/"(failures-per-[a-z-]+)";r=(\d+);t=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

/** A well-formed client id that no client has. */
const unknownId = (i: number) => `cli_01M892BP80K3M5N7P9R1S3${String(i).padStart(4, '0')}`;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant(); // its secret is verified here, once
});
afterAll(() => h.stop());

describe('grant types', () => {
  it('answers another grant type with unsupported_grant_type, in RFC 6749 format', async () => {
    const res = await token({ grant_type: 'password', client_id: admin.clientId, client_secret: admin.secret });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: 'unsupported_grant_type', error_description: 'grant_type must be one of: client_credentials' });
  });

  it('answers a missing or empty grant type with invalid_request', async () => {
    const forms: Record<string, string>[] = [{ client_id: admin.clientId, client_secret: admin.secret }, { grant_type: '', client_id: admin.clientId, client_secret: admin.secret }];
    for (const form of forms) {
      const res = await token(form);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    }
  });
});

describe('failed client authentications', () => {
  it('refuses a client id after 10 failures with a 429, Retry-After and an RFC 6749 body, even with the right secret', async () => {
    const created = await h.request('POST', '/v1/platform/api-clients', { token: admin.token, json: { name: 'guessed', scopes: ['crm:read'] } });
    expect(created.status).toBe(201);
    const { api_client: client, client_secret: secret } = created.body;
    await roomInWindow(20);

    for (let i = 9; i >= 0; i--) {
      const res = await attempt(client.id, `cs_wrong_${i}`);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
      expect(res.headers.get('ratelimit-policy')).toBe('"failures-per-client-id";q=10;w=60, "failures-per-address";q=50;w=60');
      expect(left(res)['failures-per-client-id']).toBe(i);
    }
    const refused = await attempt(client.id, 'cs_wrong_again');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(refused.body).toEqual({ error: 'invalid_request', error_description: expect.stringMatching(/^Too many failed client authentications for this client id; retry in \d+ seconds\.$/) });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(left(refused)['failures-per-client-id']).toBe(0);

    // The right secret is not checked either: the guesser cannot tell it from a wrong one.
    const right = await attempt(client.id, secret);
    expect(right.status).toBe(429);
    // Other clients are not affected.
    expect((await attempt(admin.clientId, admin.secret)).status).toBe(200);
  });

  it('still issues tokens for a secret this process has verified, so knowing a client id is not enough to lock it out', async () => {
    await roomInWindow(20);
    for (let i = 0; i < 10; i++) expect((await attempt(admin.clientId, `cs_wrong_${i}`)).status).toBe(401);
    expect((await attempt(admin.clientId, 'cs_wrong_again')).status).toBe(429);
    const res = await attempt(admin.clientId, admin.secret);
    expect(res.status).toBe(200);
    expect(left(res)['failures-per-client-id']).toBe(0);
  });

  it('refuses an address after 50 failures, whatever client id it names; successes count nothing', async () => {
    await roomInWindow(30);
    const first = await attempt(unknownId(0), 'cs_wrong');
    expect(first.status).toBe(401);
    let remaining = left(first)['failures-per-address'];
    expect(remaining).toBeLessThan(50);
    // A success in between changes nothing.
    const ok = await attempt(admin.clientId, admin.secret);
    expect(ok.status).toBe(200);
    expect(left(ok)['failures-per-address']).toBe(remaining);
    for (let i = 1; remaining > 0; i++) {
      const res = await attempt(unknownId(i), 'cs_wrong');
      expect(res.status).toBe(401);
      expect(left(res)['failures-per-address']).toBe(remaining - 1);
      remaining--;
    }
    const refused = await attempt(unknownId(999), 'cs_wrong');
    expect(refused.status).toBe(429);
    expect(refused.body.error_description).toMatch(/from this address/);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    // A malformed client id counts against the address too, and is refused with it.
    expect((await attempt('not-a-client-id', 'cs_wrong')).status).toBe(429);
    // A verified secret still gets its token.
    expect((await attempt(admin.clientId, admin.secret)).status).toBe(200);
  }, 90_000);
});
