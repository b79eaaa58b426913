import { Harness, type Admin } from '../support/harness';

/**
 * An API key is a client secret: failed checks count against the client id and the address like
 * failed token requests, or X-API-Key would be the way to guess a secret at full speed.
 */
let h: Harness;
let admin: Admin;
const WINDOW_S = 60;

/** A test needs `seconds` of one window: never start one that close to a reset. */
// A test may first wait up to `seconds` for a new window, then needs its own time after it.
jest.setTimeout(100_000);

async function roomInWindow(seconds: number): Promise<void> {
  const rest = WINDOW_S * 1000 - (Date.now() % (WINDOW_S * 1000));
  if (rest < seconds * 1000) await new Promise((r) => setTimeout(r, rest + 50));
}

beforeAll(async () => {
  h = await Harness.start({ TOKEN_FAILURES_PER_CLIENT_ID: '3', TOKEN_FAILURES_PER_ADDRESS: '1000', TOKEN_FAILURE_WINDOW_SECONDS: String(WINDOW_S) });
  admin = await h.tenant();
});
afterAll(() => h.stop());

const me = (key: string) => h.request('GET', '/v1/platform/me', { headers: { 'X-API-Key': key } });

async function newClient(name: string): Promise<{ id: string; secret: string }> {
  const res = await h.request('POST', '/v1/platform/api-clients', { token: admin.token, json: { name, scopes: ['platform:admin'] } });
  expect(res.status).toBe(201);
  return { id: res.body.api_client.id, secret: res.body.client_secret };
}

describe('failed API key checks', () => {
  it('refuses a client id with 429 and Retry-After once its failures are used up, and checks no key then', async () => {
    const client = await newClient('guessed by key');
    await roomInWindow(15);
    for (let i = 0; i < 3; i++) expect((await me(`${client.id}.wrong-${i}`)).status).toBe(401);
    const refused = await me(`${client.id}.wrong-3`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(refused.body.type).toBe('/problems/too-many-requests');
    expect(refused.body.detail).toMatch(/for this client id/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(WINDOW_S);
    // The right key, never verified by this process, is refused too: it could be the next guess.
    expect((await me(`${client.id}.${client.secret}`)).status).toBe(429);
  });

  it('keeps answering a key this process has verified before: knowing a client id does not lock its owner out', async () => {
    const client = await newClient('in use');
    await roomInWindow(15);
    expect((await me(`${client.id}.${client.secret}`)).status).toBe(200);
    for (let i = 0; i < 4; i++) await me(`${client.id}.wrong-${i}`);
    expect((await me(`${client.id}.wrong-again`)).status).toBe(429);
    const owner = await me(`${client.id}.${client.secret}`);
    expect(owner.status).toBe(200);
    expect(owner.body.api_client_id).toBe(client.id);
  });

  it('counts failures of one client id through both doors: the token endpoint and X-API-Key', async () => {
    const client = await newClient('two doors');
    await roomInWindow(15);
    for (let i = 0; i < 3; i++) {
      const res = await h.request('POST', '/v1/oauth/token', { form: { grant_type: 'client_credentials', client_id: client.id, client_secret: `wrong-${i}` } });
      expect(res.status).toBe(401);
    }
    expect((await me(`${client.id}.wrong`)).status).toBe(429);
  });
});
