import { request as httpRequest } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import type Koa from 'koa';
import { Harness, type Admin } from '../support/harness';

/** A raw HTTP exchange: fetch would add Accept-Encoding and decompress, hiding what was sent. */
function raw(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(baseUrl + path, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const APP = 'https://app.example.com';

describe('Koa middleware in front of the API', () => {
  let h: Harness;
  let admin: Admin;
  const seen: { path: string; status: number; type: string | undefined }[] = [];
  // What an operator adds: an audit log that sees the request before and the answer after.
  const audit: Koa.Middleware = async (ctx, next) => {
    ctx.set('X-Audited', 'yes');
    await next();
    seen.push({ path: ctx.path, status: ctx.status, type: ctx.response.get('Content-Type') || undefined });
  };

  // An operator's own answers, in every form Koa takes: each must go out as Koa's respond writes it.
  const ownAnswers: Koa.Middleware = async (ctx, next) => {
    if (ctx.path === '/ops/stream') {
      ctx.type = 'text/plain';
      ctx.body = Readable.from(['streamed ', 'body']);
    } else if (ctx.path === '/ops/object') {
      ctx.body = { ok: true };
    } else if (ctx.path === '/ops/by-hand') {
      ctx.respond = false;
      ctx.res.statusCode = 202;
      ctx.res.end('written by hand');
    } else if (ctx.path === '/ops/buffer') {
      ctx.type = 'application/octet-stream';
      ctx.body = Buffer.from([0, 1, 2, 255]);
    } else if (ctx.path === '/ops/empty') {
      // The status first: the body stays set, and the answer must still go out without it.
      ctx.status = 204;
      ctx.body = 'dropped';
    } else await next();
  };

  beforeAll(async () => {
    h = await Harness.start({ CORS_ORIGINS: `${APP}, http://localhost:5173` }, undefined, { middleware: [audit, ownAnswers] });
    admin = await h.tenant();
  });
  afterAll(() => h.stop());
  beforeEach(() => void (seen.length = 0));

  it('runs on a /v1 success, a /v1 problem and a docs page, and its headers reach each answer', async () => {
    const ok = await h.request('GET', '/v1/platform/me', { token: admin.token });
    const problem = await h.request('GET', '/v1/platform/api-clients/cli_01HZZZZZZZZZZZZZZZZZZZZZZZ', { token: admin.token });
    const unauthenticated = await h.request('GET', '/v1/platform/me');
    const page = await h.request('GET', '/docs');
    expect([ok.status, problem.status, unauthenticated.status, page.status]).toEqual([200, 404, 401, 200]);
    for (const res of [ok, problem, unauthenticated, page]) expect(res.headers.get('x-audited')).toBe('yes');
    expect(seen).toEqual([
      { path: '/v1/platform/me', status: 200, type: 'application/json; charset=utf-8' },
      { path: '/v1/platform/api-clients/cli_01HZZZZZZZZZZZZZZZZZZZZZZZ', status: 404, type: 'application/problem+json; charset=utf-8' },
      { path: '/v1/platform/me', status: 401, type: 'application/problem+json; charset=utf-8' },
      { path: '/docs', status: 200, type: 'text/html; charset=utf-8' },
    ]);
  });

  it('sends what middleware answers itself: a stream, an object, a Buffer, a 204 with a body set, a response written by hand; HEAD gets the length and no body', async () => {
    const stream = await raw(h.baseUrl, 'GET', '/ops/stream');
    expect([stream.status, stream.headers['content-type'], stream.body.toString()]).toEqual([200, 'text/plain; charset=utf-8', 'streamed body']);
    const object = await raw(h.baseUrl, 'GET', '/ops/object');
    expect([object.status, object.headers['content-type'], JSON.parse(object.body.toString())]).toEqual([200, 'application/json; charset=utf-8', { ok: true }]);
    const empty = await raw(h.baseUrl, 'GET', '/ops/empty');
    expect([empty.status, empty.body.length, empty.headers['content-length'], empty.headers['content-type']]).toEqual([204, 0, undefined, undefined]);
    const buffer = await raw(h.baseUrl, 'GET', '/ops/buffer');
    expect([buffer.status, buffer.headers['content-length'], [...buffer.body]]).toEqual([200, '4', [0, 1, 2, 255]]);
    const byHand = await raw(h.baseUrl, 'GET', '/ops/by-hand');
    expect([byHand.status, byHand.body.toString()]).toEqual([202, 'written by hand']);
    const get = await raw(h.baseUrl, 'GET', '/v1/platform/me', { Authorization: `Bearer ${admin.token}` });
    const head = await raw(h.baseUrl, 'HEAD', '/v1/platform/me', { Authorization: `Bearer ${admin.token}` });
    expect([get.status, head.status, head.body.length, head.headers['content-length']]).toEqual([200, 200, 0, String(get.body.length)]);
    // The connection still carries requests after each of them.
    expect((await raw(h.baseUrl, 'GET', '/ops/object')).status).toBe(200);
  });

  it('can be added with use() before the app serves, and not after', async () => {
    expect(() => h.stratum.app.use(async (_ctx, next) => next())).toThrow(/before the app serves/);
  });

  describe('CORS (CORS_ORIGINS)', () => {
    it('answers a preflight from a listed origin with 204 and what the API accepts', async () => {
      const res = await raw(h.baseUrl, 'OPTIONS', '/v1/platform/api-clients', {
        Origin: APP,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key',
      });
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(APP);
      expect(String(res.headers['access-control-allow-headers']).split(',')).toEqual(['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'X-API-Key', 'X-Request-Id']);
      expect(String(res.headers['access-control-allow-methods'])).toContain('PATCH');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers['x-request-id']).toBeTruthy();
    });

    it('lets a listed origin read successes and errors, a 401 included, with the exposed headers', async () => {
      for (const [path, token, status] of [
        ['/v1/platform/me', admin.token, 200],
        ['/v1/platform/me', undefined, 401],
        ['/v1/nowhere', admin.token, 404],
      ] as const) {
        const res = await h.request('GET', path, { token, headers: { Origin: 'http://localhost:5173' } });
        expect(res.status).toBe(status);
        expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
        expect(res.headers.get('access-control-expose-headers')?.split(',')).toEqual(['X-Request-Id', 'ETag', 'Location', 'RateLimit', 'RateLimit-Policy', 'Retry-After']);
        expect(res.headers.get('vary')).toMatch(/Origin/);
      }
    });

    it('gives a request without Origin no CORS header, only Vary: Origin (before Accept-Encoding), as @koa/cors does, and the middleware behind it still runs', async () => {
      const res = await raw(h.baseUrl, 'GET', '/v1/platform/me', { Authorization: `Bearer ${admin.token}` });
      expect(res.status).toBe(200);
      expect(Object.keys(res.headers).filter((n) => n.startsWith('access-control-'))).toEqual([]);
      expect(res.headers.vary).toBe('Origin, Accept-Encoding');
      expect(res.headers['x-audited']).toBe('yes');
      expect(seen).toEqual([{ path: '/v1/platform/me', status: 200, type: 'application/json; charset=utf-8' }]);
      const listed = await raw(h.baseUrl, 'GET', '/v1/platform/me', { Authorization: `Bearer ${admin.token}`, Origin: APP });
      expect(listed.headers.vary).toBe('Origin, Accept-Encoding');
    });

    it('gives an origin not listed no CORS header at all, and answers its preflight as any OPTIONS', async () => {
      const res = await h.request('GET', '/v1/platform/me', { token: admin.token, headers: { Origin: 'https://evil.example' } });
      expect(res.status).toBe(200);
      for (const [name] of res.headers) expect(name).not.toMatch(/^access-control-/);
      const preflight = await raw(h.baseUrl, 'OPTIONS', '/v1/platform/me', { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' });
      expect(preflight.status).toBe(405);
      expect(Object.keys(preflight.headers).filter((n) => n.startsWith('access-control-'))).toEqual([]);
    });
  });

  describe('compression', () => {
    it('compresses a large JSON answer with br or gzip, as the client accepts', async () => {
      // A list page over 1 KB.
      for (let i = 0; i < 6; i++) {
        await h.request('POST', '/v1/platform/api-clients', { token: admin.token, json: { name: `reporting ${i}`, description: 'x'.repeat(200), scopes: ['platform:admin'] } });
      }
      const plain = await raw(h.baseUrl, 'GET', '/v1/platform/api-clients?limit=10', { Authorization: `Bearer ${admin.token}` });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.length).toBeGreaterThan(1024);
      const text = plain.body.toString('utf8');
      const gz = await raw(h.baseUrl, 'GET', '/v1/platform/api-clients?limit=10', { Authorization: `Bearer ${admin.token}`, 'Accept-Encoding': 'gzip' });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.headers.vary).toMatch(/Accept-Encoding/);
      expect(gz.body.length).toBeLessThan(plain.body.length);
      const br = await raw(h.baseUrl, 'GET', '/v1/platform/api-clients?limit=10', { Authorization: `Bearer ${admin.token}`, 'Accept-Encoding': 'gzip, br' });
      expect(br.headers['content-encoding']).toBe('br');
      // Same page, apart from the cursor: each answer signs its own.
      const page = (s: string) => JSON.parse(s).data;
      expect(page(gunzipSync(gz.body).toString('utf8'))).toEqual(page(text));
      expect(page(brotliDecompressSync(br.body).toString('utf8'))).toEqual(page(text));
    });

    it('compresses problem+json too, and leaves small answers alone', async () => {
      // One error per bad scope: well over 1 KB of problem.
      const body = JSON.stringify({ name: 'x', scopes: Array.from({ length: 40 }, (_, i) => `nope:${i}`) });
      const big = await raw(h.baseUrl, 'POST', '/v1/platform/api-clients', { Authorization: `Bearer ${admin.token}`, 'Content-Type': 'application/json', 'Accept-Encoding': 'gzip' }, body);
      expect(big.status).toBe(400);
      expect(JSON.parse(gunzipSync(big.body).toString('utf8')).errors.length).toBeGreaterThan(10);
      expect(big.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(big.headers['content-encoding']).toBe('gzip');
      const small = await raw(h.baseUrl, 'GET', '/v1/platform/me', { Authorization: `Bearer ${admin.token}`, 'Accept-Encoding': 'gzip, br' });
      expect(small.status).toBe(200);
      expect(small.headers['content-encoding']).toBeUndefined();
      expect(Number(small.headers['content-length'])).toBe(small.body.length);
    });
  });

  describe('/openapi.json', () => {
    it('carries a strong ETag and answers 304 to it, with no body', async () => {
      const first = await raw(h.baseUrl, 'GET', '/openapi.json');
      const tag = String(first.headers.etag);
      expect(tag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
      const again = await raw(h.baseUrl, 'GET', '/openapi.json', { 'If-None-Match': tag });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers.etag).toBe(tag);
      const other = await raw(h.baseUrl, 'GET', '/openapi.json', { 'If-None-Match': '"something-else"' });
      expect(other.status).toBe(200);
      expect(JSON.parse(other.body.toString('utf8')).openapi).toMatch(/^3\.1/);
    });
  });
});

describe('without CORS_ORIGINS', () => {
  it('sends no CORS header, even to an Origin', async () => {
    const h = await Harness.start();
    try {
      const res = await h.request('GET', '/v1/health/live', { headers: { Origin: APP } });
      expect(res.status).toBe(200);
      for (const [name] of res.headers) expect(name).not.toMatch(/^access-control-/);
    } finally {
      await h.stop();
    }
  });
});
