import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp } from '../../src/platform/http/app';
import type { HandlerMap } from '../../src/platform/http/handler';
import { Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(() => h.stop());

/** The real pipeline and contract with one handler replaced. */
async function withHandlers(override: HandlerMap, validateResponses = true) {
  const logs: any[] = [];
  const app = createApp({
    contract: h.stratum.contract,
    handlers: { ...h.stratum.platform.handlers, ...override },
    tokens: h.stratum.kernel.tokens,
    verifyApiKey: h.stratum.platform.verifyApiKey,
    idempotency: h.stratum.kernel.idempotency,
    logger: pino({ level: 'info' }, { write: (l: string) => void logs.push(JSON.parse(l)) }),
    maxBodyBytes: 1024,
    validateResponses,
  });
  const server: Server = createServer(app.callback());
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
