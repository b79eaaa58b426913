import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp } from '../../src/platform/http/app';
import type { HandlerMap } from '../../src/platform/http/handler';
import { IdempotencyKeyModel, keyHash } from '../../src/platform/idempotency/idempotency-store';
import { Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(() => h.stop());

/** The real pipeline and contract with one handler replaced. */
async function withHandlers(override: HandlerMap, validateResponses = true, closing = false) {
  const logs: any[] = [];
  const app = createApp({
    contract: h.stratum.contract,
    handlers: { ...h.stratum.handlers, ...override },
    tokens: h.stratum.kernel.tokens,
    verifyApiKey: h.stratum.platform.verifyApiKey,
    idempotency: h.stratum.kernel.idempotency,
    logger: pino({ level: 'info' }, { write: (l: string) => void logs.push(JSON.parse(l)) }),
    maxBodyBytes: 1024,
    validateResponses,
  });
  const handle = app.callback();
  // `closing`: as main.ts does while shutting down, a header set before the app runs.
  const server: Server = createServer((req, res) => {
    if (closing) res.setHeader('Connection', 'close');
    handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, logs, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('unexpected failures', () => {
  it('turns an exception into a 500 problem with only the request id, and logs the stack', async () => {
    const s = await withHandlers({
      getLiveness: async () => {
        throw new Error('SELECT * FROM secrets -- driver said no');
      },
    });
    const res = await fetch(`${s.url}/v1/health/live`, { headers: { 'x-request-id': 'boom-1' } });
    const text = await res.text();
    await s.close();
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = JSON.parse(text);
    expect(body).toEqual({ type: '/problems/internal-error', title: 'Internal error', status: 500, detail: expect.any(String), instance: 'boom-1' });
    expect(text).not.toMatch(/SELECT|driver|at .*\.ts/);
    const logged = s.logs.find((l) => l.requestId === 'boom-1' && l.level === 50);
    expect(logged.err.stack).toContain('driver said no');
  });

  it('answers a 500 problem with none of the failed answer’s headers when Node refuses one of them', async () => {
    for (const closing of [false, true]) {
      const s = await withHandlers(
        { getLiveness: async () => ({ status: 200, headers: { Location: '/somewhere', 'X-Broken': 'a\nb' }, body: { status: 'ok' } }) },
        false,
        closing,
      );
      try {
        const res = await fetch(`${s.url}/v1/health/live`);
        expect(res.status).toBe(500);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.headers.get('location')).toBeNull();
        expect(res.headers.get('x-request-id')).toBeTruthy();
        expect(await res.json()).toMatchObject({ type: '/problems/internal-error', status: 500 });
        expect(s.logs.filter((l) => l.msg === 'writing the response failed')).toHaveLength(1);
      } finally {
        await s.close();
      }
    }
  });

  it('turns a response that breaks the contract into a logged 500 when validating responses', async () => {
    const s = await withHandlers({ getLiveness: async () => ({ status: 200, body: { status: 'fine', extra: true } }) as never });
    const res = await fetch(`${s.url}/v1/health/live`);
    await s.close();
    expect(res.status).toBe(500);
    expect(s.logs.find((l) => l.msg === 'response does not match the contract').problems.join(' ')).toMatch(/status|extra/);
  });

  it('turns an undocumented status into a 500 when validating responses', async () => {
    const s = await withHandlers({ getLiveness: async () => ({ status: 202, body: { status: 'ok' } }) as never });
    const res = await fetch(`${s.url}/v1/health/live`);
    await s.close();
    expect(res.status).toBe(500);
  });
});

describe('an idempotent request whose answer is lost after its change committed', () => {
  it('is never run again: the claim commits with the change, and a retry hears 409', async () => {
    const admin = await h.tenant();
    const created: string[] = [];
    // The real use case commits a client, then the handler fails: a 500 that must not free the key.
    const s = await withHandlers({
      createApiClient: async ({ body, principal, claim }) => {
        const { client } = await h.stratum.platform.apiClients.create(principal!.tenantId, body, claim);
        created.push(client.id);
        throw new Error('the answer was lost after the commit');
      },
    });
    const send = () =>
      fetch(`${s.url}/v1/platform/api-clients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json', 'idempotency-key': 'lost-answer' },
        body: JSON.stringify({ name: 'once only', scopes: ['crm:read'] }),
      });
    try {
      expect((await send()).status).toBe(500);
      const row = await IdempotencyKeyModel.findOne({ where: { tenant_id: admin.tenantId, key_hash: keyHash(admin.tenantId, 'lost-answer') }, raw: true });
      expect(row?.state).toBe('committed');
      // Even once the claim's lock has run out, a committed claim is not run again.
      await IdempotencyKeyModel.update({ locked_until: new Date(Date.now() - 1000) }, { where: { tenant_id: admin.tenantId, key_hash: keyHash(admin.tenantId, 'lost-answer') } });
      const retry = await send();
      expect(retry.status).toBe(409);
      expect(((await retry.json()) as { detail: string }).detail).toContain('was carried out');
      expect(created).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it('rolls back a request whose claim a retry took over while it ran', async () => {
    const admin = await h.tenant();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const s = await withHandlers({
      createApiClient: async ({ body, principal, claim }) => {
        await gate; // the claim is taken over meanwhile
        const { client, secret } = await h.stratum.platform.apiClients.create(principal!.tenantId, body, claim);
        return { status: 201, headers: { Location: `/v1/platform/api-clients/${client.id}`, ETag: `"${client.version}"`, 'Cache-Control': 'no-store' }, body: { api_client: { ...client } as never, client_secret: secret } };
      },
    });
    try {
      const slow = fetch(`${s.url}/v1/platform/api-clients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json', 'idempotency-key': 'taken-over' },
        body: JSON.stringify({ name: 'slow', scopes: ['crm:read'] }),
      });
      await new Promise((r) => setTimeout(r, 200));
      // The claim looks abandoned: a retry (here: its row replaced) takes the key over.
      await IdempotencyKeyModel.update({ created_at: new Date(Date.now() - 120_000) }, { where: { tenant_id: admin.tenantId, key_hash: keyHash(admin.tenantId, 'taken-over') } });
      release();
      const res = await slow;
      expect(res.status).toBe(409);
      expect(((await res.json()) as { detail: string }).detail).toContain('taken over by a retry');
      const names = (await h.request('GET', '/v1/platform/api-clients', { token: admin.token })).body.data.map((c: { name: string }) => c.name);
      expect(names).not.toContain('slow');
    } finally {
      await s.close();
    }
  });
});

describe('readiness', () => {
  it('answers 503 with Retry-After once the process is shutting down', async () => {
    expect((await h.request('GET', '/v1/health/ready')).status).toBe(200);
    h.stratum.kernel.beginShutdown();
    const res = await h.request('GET', '/v1/health/ready');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.body.type).toBe('/problems/service-unavailable');
    expect((await h.request('GET', '/v1/health/live')).status).toBe(200);
  });
});
