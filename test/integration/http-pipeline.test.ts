import { connect } from 'node:net';
import { SignJWT } from 'jose';
import { Harness, type Admin } from '../support/harness';

let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start({ MAX_BODY_BYTES: '2048' });
  admin = await h.tenant();
});
afterAll(() => h.stop());

const problem = (res: { headers: Headers; body: any }, status: number, type: string) => {
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, type: `/problems/${type}` });
  expect(typeof res.body.title).toBe('string');
  expect(typeof res.body.detail).toBe('string');
  expect(res.body.instance).toBe(res.headers.get('x-request-id'));
};

describe('the HTTP pipeline', () => {
  it('answers malformed JSON with its own 400 problem', async () => {
    const res = await h.request('POST', '/v1/platform/api-clients', { token: admin.token, raw: '{"name": ', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    problem(res, 400, 'malformed-request');
  });

  it('answers a wrong content type with 415', async () => {
    const res = await h.request('POST', '/v1/platform/api-clients', { token: admin.token, raw: 'name=x', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    problem(res, 415, 'unsupported-media-type');
  });

  it('answers an oversized body with 413, whether or not Content-Length says so', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(5000), scopes: ['crm:read'] });
    const res = await h.request('POST', '/v1/platform/api-clients', { token: admin.token, raw: big, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    problem(res, 413, 'payload-too-large');
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const chunked = await fetch(`${h.baseUrl}/v1/platform/api-clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('refuses U+0000 and unpaired surrogates in bodies and query strings, naming each, and stores nothing', async () => {
    const before = (await h.request('GET', '/v1/platform/api-clients?limit=200', { token: admin.token })).body.data.length;
    const res = await h.request('POST', '/v1/platform/api-clients', {
      token: admin.token,
      raw: '{"name":"a\\u0000b","description":"\\ud800 lone","scopes":["crm:read"]}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    problem(res, 400, 'validation-error');
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/description', '/name']);
    const query = await h.request('GET', '/v1/platform/api-clients?q=%00', { token: admin.token });
    expect(query.status).toBe(400);
    expect(query.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/query/q']);
    expect((await h.request('GET', '/v1/platform/api-clients?limit=200', { token: admin.token })).body.data.length).toBe(before);
  });

  it('answers a body sent to an action that takes none with 415, and does nothing', async () => {
    const { api_client } = (await h.request('POST', '/v1/platform/api-clients', { token: admin.token, json: { name: 'keep me', scopes: ['crm:read'] } })).body;
    const res = await h.request('POST', `/v1/platform/api-clients/${api_client.id}/revoke`, { token: admin.token, json: { reason: 'x' }, headers: { 'if-match': '*' } });
    expect(res.status).toBe(415);
    problem(res, 415, 'unsupported-media-type');
    expect((await h.request('GET', `/v1/platform/api-clients/${api_client.id}`, { token: admin.token })).body.status).toBe('active');
    // A chunked body that turns out empty is no body.
    const empty = new ReadableStream({ start: (c) => c.close() });
    const chunked = await fetch(`${h.baseUrl}/v1/platform/api-clients/${api_client.id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'if-match': '*' },
      body: empty,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(200);
  });

  it('answers what the HTTP parser refuses with a problem and a request id, not a bare status', async () => {
    const { port } = new URL(h.baseUrl);
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.end(text));
        let out = '';
        socket.on('data', (d) => (out += d.toString()));
        socket.on('end', () => resolve(out));
        socket.on('error', reject);
      });
    const badLine = await raw('FOO BAR\r\n\r\n');
    expect(badLine).toMatch(/^HTTP\/1\.1 400 /);
    expect(badLine).toMatch(/content-type: application\/problem\+json/i);
    expect(badLine).toMatch(/x-request-id: [0-9a-f-]{36}/i);
    expect(badLine).toMatch(/\r\ncache-control: no-store\r\n/i);
    expect(JSON.parse(badLine.slice(badLine.indexOf('\r\n\r\n') + 4))).toMatchObject({ type: '/problems/malformed-request', status: 400 });
    const huge = await raw(`GET /v1/health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(huge).toMatch(/\r\ncache-control: no-store\r\n/i);
    expect(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4))).toMatchObject({ type: '/problems/headers-too-large', status: 431 });
  });

  it('serves an API request target in any form HTTP allows the same way (absolute form, a query, percent-encoding)', async () => {
    const { port } = new URL(h.baseUrl);
    const raw = (target: string, id: string) =>
      new Promise<{ status: number; headers: string; body: any }>((resolve, reject) => {
        // Not `end`: Node's server drops a request whose client half-closes before the answer.
        const socket = connect(Number(port), '127.0.0.1', () =>
          socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin.token}\r\nX-Request-Id: ${id}\r\nConnection: close\r\n\r\n`),
        );
        let out = '';
        socket.on('data', (d) => (out += d.toString()));
        socket.on('end', () => {
          const split = out.indexOf('\r\n\r\n');
          resolve({ status: Number(out.slice(9, 12)), headers: out.slice(0, split), body: JSON.parse(out.slice(split + 4)) });
        });
        socket.on('error', reject);
      });
    const path = `/v1/platform/api-clients/${admin.clientId}`;
    const direct = await raw(path, 'target-origin');
    expect(direct.status).toBe(200);
    const absolute = await raw(`http://x${path}`, 'target-absolute');
    expect(absolute).toMatchObject({ status: 200, body: direct.body });
    expect(absolute.headers).toMatch(/x-request-id: target-absolute/i);
    expect(absolute.headers).toMatch(/etag: "\d+"/i);
    const listed = await raw('/v1/platform/api-clients?limit=1', 'target-query');
    expect(listed).toMatchObject({ status: 200, body: { data: [expect.any(Object)] } });
    const refused = await raw('/v1/platform/api-clients?limit=abc', 'target-bad-query');
    expect(refused).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ pointer: '/query/limit' })] } });
    // A percent-encoded id is the same id (RFC 3986 §2.1); the log keeps the target as sent.
    const encoded = await raw(`/v1/platform/api-clients/%63${admin.clientId.slice(1)}`, 'target-encoded');
    expect(encoded).toMatchObject({ status: 200, body: direct.body });
    const logged = h.logs.filter((l) => typeof l.requestId === 'string' && (l.requestId as string).startsWith('target-'));
    expect(logged.map((l) => [l.requestId, l.route, l.status, l.path])).toEqual([
      ['target-origin', 'getApiClient', 200, path],
      ['target-absolute', 'getApiClient', 200, path],
      ['target-query', 'listApiClients', 200, '/v1/platform/api-clients'],
      ['target-bad-query', 'listApiClients', 400, '/v1/platform/api-clients'],
      ['target-encoded', 'getApiClient', 200, `/v1/platform/api-clients/%63${admin.clientId.slice(1)}`],
    ]);
  });

  it('logs a client that hangs up mid-body as a client error, not an unexpected one', async () => {
    const { port } = new URL(h.baseUrl);
    const from = h.logs.length;
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`POST /v1/platform/api-clients HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":`);
        setTimeout(() => socket.destroy(), 100);
      });
      socket.on('close', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 200));
    const logs = h.logs.slice(from);
    expect(logs.filter((l) => l.msg === 'request' && l.route === 'createApiClient')).toEqual([expect.objectContaining({ status: 400 })]);
    expect(logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });

  it('reads bodies as UTF-8 only: another charset is a 415, invalid UTF-8 a 400', async () => {
    const utf16 = await h.request('POST', '/v1/platform/api-clients', { token: admin.token, raw: '{"name":"x","scopes":["crm:read"]}', headers: { 'content-type': 'application/json; charset=utf-16' } });
    expect(utf16.status).toBe(415);
    problem(utf16, 415, 'unsupported-media-type');
    const utf8 = await h.request('POST', '/v1/platform/api-clients', { token: admin.token, raw: '{"name":"ok","scopes":["crm:read"]}', headers: { 'content-type': 'application/json; charset=UTF-8' } });
    expect(utf8.status).toBe(201);
    // OAuth clients that label an ASCII form ISO-8859-1 are served; non-ASCII under that label is not read.
    const form = `grant_type=client_credentials&client_id=${admin.clientId}&client_secret=${admin.secret}`;
    const labelled = await h.request('POST', '/v1/oauth/token', { raw: form, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=ISO-8859-1' } });
    expect(labelled.status).toBe(200);
    const latin1Bytes = Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('","scopes":["crm:read"]}')]);
    const nonAscii = await h.request('POST', '/v1/platform/api-clients', { token: admin.token, raw: latin1Bytes, headers: { 'content-type': 'application/json; charset=iso-8859-1' } });
    expect(nonAscii.status).toBe(415);
    const broken = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","scopes":["crm:read"]}')]);
    const invalid = await h.request('POST', '/v1/platform/api-clients', { token: admin.token, raw: broken, headers: { 'content-type': 'application/json' } });
    expect(invalid.status).toBe(400);
    problem(invalid, 400, 'malformed-request');
  });

  it('answers a missing body where one is required with 400', async () => {
    const res = await h.request('POST', '/v1/platform/api-clients', { token: admin.token });
    expect(res.status).toBe(400);
    problem(res, 400, 'validation-error');
  });

  it('answers an unknown route with 404 and a wrong method with 405 and Allow', async () => {
    const unknown = await h.request('GET', '/v1/nothing-here', { token: admin.token });
    expect(unknown.status).toBe(404);
    problem(unknown, 404, 'not-found');
    const outside = await h.request('GET', '/elsewhere');
    expect(outside.status).toBe(404);
    problem(outside, 404, 'not-found');
    const wrong = await h.request('DELETE', '/v1/platform/api-clients', { token: admin.token });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, POST');
    problem(wrong, 405, 'method-not-allowed');
  });

  it('tells every cache to keep no API answer: Cache-Control no-store on successes, problems and the token endpoint', async () => {
    const answers = [
      await h.request('GET', `/v1/platform/api-clients/${admin.clientId}`, { token: admin.token }),
      await h.request('GET', `/v1/platform/api-clients/${admin.clientId}`, { headers: { 'x-api-key': `${admin.clientId}.${admin.secret}` } }),
      await h.request('GET', '/v1/platform/api-clients?limit=1', { token: admin.token }),
      await h.request('GET', '/v1/platform/api-clients?limit=1'),
      await h.request('GET', '/v1/platform/nothing-here', { token: admin.token }),
      await h.request('DELETE', '/v1/platform/api-clients', { token: admin.token }),
      await h.request('GET', '/v1/health/live'),
      await h.request('POST', '/v1/oauth/token', { form: { grant_type: 'client_credentials', client_id: admin.clientId, client_secret: 'wrong' } }),
      // not an API target (no `/v1/` prefix): Koa answers it, with the same problem
      await h.request('GET', '/v1'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 401, 404, 405, 200, 401, 404]);
    for (const a of answers) expect(a.headers.get('cache-control')).toBe('no-store');
  });

  it('echoes a well-formed X-Request-Id and replaces a bad one', async () => {
    const good = await h.request('GET', '/v1/health/live', { headers: { 'x-request-id': 'abc-123.x_y' } });
    expect(good.headers.get('x-request-id')).toBe('abc-123.x_y');
    const bad = await h.request('GET', '/v1/health/live', { headers: { 'x-request-id': 'no spaces allowed' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const none = await h.request('GET', '/v1/health/live');
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('logs one JSON line per request with route, status, duration, tenant and request id', async () => {
    await h.request('GET', `/v1/platform/tenants/${admin.tenantId}`, { token: admin.token, headers: { 'x-request-id': 'log-check-1' } });
    const line = h.logs.find((l) => l.requestId === 'log-check-1');
    expect(line).toMatchObject({ msg: 'request', method: 'GET', route: 'getTenant', status: 200, tenant: admin.tenantId });
    expect(typeof line!.ms).toBe('number');
  });

  it('logs the status actually sent, for problems and for pages outside the API too', async () => {
    await h.request('GET', '/v1/platform/api-clients/cli_00000000000000000000000000', { token: admin.token, headers: { 'x-request-id': 'log-check-404' } });
    expect(h.logs.find((l) => l.requestId === 'log-check-404')).toMatchObject({ route: 'getApiClient', status: 404 });
    await h.request('GET', '/problems/not-found', { headers: { 'x-request-id': 'log-check-page' } });
    expect(h.logs.find((l) => l.requestId === 'log-check-page')).toMatchObject({ path: '/problems/not-found', status: 200 });
  });

  it('answers HEAD on a GET operation with the headers of the GET and no body', async () => {
    const path = `/v1/platform/api-clients/${admin.clientId}`;
    const get = await h.request('GET', path, { token: admin.token });
    const head = await fetch(h.baseUrl + path, { method: 'HEAD', headers: { authorization: `Bearer ${admin.token}` } });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    for (const name of ['etag', 'content-type', 'content-length']) expect(head.headers.get(name)).toBe(get.headers.get(name));
    expect(head.headers.get('x-request-id')).toBeTruthy();
  });

  it('resolves every problem type to a page that explains it', async () => {
    const doc: any = await (await fetch(`${h.baseUrl}/openapi.json`)).json();
    const types: string[] = doc.components.schemas.Problem.properties.type.enum;
    expect(types.length).toBeGreaterThan(10);
    for (const type of types) {
      const res = await fetch(h.baseUrl + type);
      expect({ type, status: res.status }).toEqual({ type, status: 200 });
      expect(res.headers.get('content-type')).toContain('text/html');
    }
    const index = await fetch(`${h.baseUrl}/problems`);
    expect(index.status).toBe(200);
    const html = await index.text();
    for (const type of types) expect(html).toContain(`href="${type}"`);
  });

  it('serves liveness and readiness', async () => {
    expect((await h.request('GET', '/v1/health/live')).body).toEqual({ status: 'ok' });
    expect((await h.request('GET', '/v1/health/ready')).body).toEqual({ status: 'ok', checks: { database: 'ok' } });
  });

  describe('authentication', () => {
    it('answers no credential with 401 and WWW-Authenticate', async () => {
      const res = await h.request('GET', '/v1/platform/api-clients');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      problem(res, 401, 'unauthorized');
    });

    it('refuses forged, unsigned, wrongly signed and expired tokens', async () => {
      const [header, payload] = admin.token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
      const forgedClaims = Buffer.from(JSON.stringify({ ...claims, scope: 'platform:admin erp:write', tid: 'ten_01JDQ7W2X8E4Q9R3S5T6V7W8XY' })).toString('base64url');
      const otherKey = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('another key that is long enough!!'));
      const expired = await new SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(32)));
      for (const token of [none, `${header}.${forgedClaims}.${admin.token.split('.')[2]}`, otherKey, expired, 'not-a-jwt']) {
        const res = await h.request('GET', '/v1/platform/api-clients', { token });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toContain('invalid_token');
      }
    });

    it('checks the credential before it reads or validates the body', async () => {
      const res = await h.request('POST', '/v1/platform/api-clients', { raw: '{"name": ', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(401);
      const bad = await h.request('POST', '/v1/platform/api-clients', { json: { nope: true } });
      expect(bad.status).toBe(401);
      expect(bad.body.errors).toBeUndefined();
    });

    it('answers a token without the scope with 403', async () => {
      const limited = (await h.request('POST', '/v1/platform/api-clients', { token: admin.token, json: { name: 'crm only', scopes: ['crm:read'] } })).body;
      const token = await h.token(limited.api_client.id, limited.client_secret);
      const res = await h.request('GET', '/v1/platform/api-clients', { token });
      expect(res.status).toBe(403);
      problem(res, 403, 'forbidden');
      expect(res.body.detail).toContain('platform:admin');
      // RFC 6750 §3.1: the challenge names the scope; the refused request still counts.
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="stratum", error="insufficient_scope", scope="platform:admin"');
      expect(res.headers.get('ratelimit')).toMatch(/^"per-client";r=\d+;t=\d+$/);
      const viaKey = await h.request('GET', '/v1/platform/api-clients', { headers: { 'x-api-key': `${limited.api_client.id}.${limited.client_secret}` } });
      expect(viaKey.status).toBe(403);
      expect(viaKey.headers.get('www-authenticate')).toBeNull();
      // any credential may read its own tenant
      expect((await h.request('GET', `/v1/platform/tenants/${admin.tenantId}`, { token })).status).toBe(200);
    });

    it('narrows a token to the scopes asked for', async () => {
      const token = await h.token(admin.clientId, admin.secret, 'crm:read');
      expect((await h.request('GET', '/v1/platform/api-clients', { token })).status).toBe(403);
    });

    it('accepts API keys and refuses bad ones', async () => {
      const ok = await h.request('GET', '/v1/platform/api-clients', { headers: { 'x-api-key': `${admin.clientId}.${admin.secret}` } });
      expect(ok.status).toBe(200);
      // An empty Authorization header is no credential of its own.
      const withEmpty = await h.request('GET', '/v1/platform/api-clients', { headers: { authorization: '', 'x-api-key': `${admin.clientId}.${admin.secret}` } });
      expect(withEmpty.status).toBe(200);
      for (const key of [`${admin.clientId}.wrong`, 'nodot', `cli_01JDQ7ZK3M2V8X4B6N9P0RSTWV.${admin.secret}`]) {
        const res = await h.request('GET', '/v1/platform/api-clients', { headers: { 'x-api-key': key } });
        expect(res.status).toBe(401);
      }
    });
  });

  describe('the token endpoint (RFC 6749 errors)', () => {
    const token = (form: Record<string, string>, headers: Record<string, string> = {}) => h.request('POST', '/v1/oauth/token', { form, headers });

    it('issues a token with HTTP Basic client authentication', async () => {
      const basic = Buffer.from(`${admin.clientId}:${admin.secret}`).toString('base64');
      const res = await token({ grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body.scope.split(' ')).toContain('platform:admin');
    });

    it('answers each kind of bad request in the RFC format', async () => {
      const cases: [Record<string, string>, number, string][] = [
        [{ grant_type: 'password', client_id: admin.clientId, client_secret: admin.secret }, 400, 'unsupported_grant_type'],
        [{ grant_type: 'client_credentials', client_id: admin.clientId, client_secret: 'wrong' }, 401, 'invalid_client'],
        [{ grant_type: 'client_credentials', client_id: 'cli_nope', client_secret: 'x' }, 401, 'invalid_client'],
        [{ grant_type: 'client_credentials' }, 401, 'invalid_client'],
        [{ grant_type: 'client_credentials', client_id: admin.clientId, client_secret: admin.secret, scope: 'crm:read bogus:scope' }, 400, 'invalid_scope'],
        [{ client_id: admin.clientId, client_secret: admin.secret }, 400, 'invalid_request'],
      ];
      for (const [form, status, error] of cases) {
        const res = await token(form);
        expect({ form, status: res.status, error: res.body.error }).toEqual({ form, status, error });
        expect(typeof res.body.error_description).toBe('string');
      }
    });

    it('follows RFC 6749 §3.2: unknown parameters are ignored, empty ones count as absent, repeated ones are refused', async () => {
      const creds = { grant_type: 'client_credentials', client_id: admin.clientId, client_secret: admin.secret };
      const extra = await token({ ...creds, resource: 'https://erp.example', audience: 'x' });
      expect(extra.status).toBe(200);
      const empty = await token({ ...creds, scope: '' });
      expect(empty.status).toBe(200);
      expect(empty.body.scope.split(' ')).toContain('platform:admin');
      const twice = await h.request('POST', '/v1/oauth/token', {
        raw: `grant_type=client_credentials&client_id=${admin.clientId}&client_secret=${admin.secret}&scope=crm:read&scope=crm:write`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(twice.status).toBe(400);
      expect(twice.body.error).toBe('invalid_request');
      expect(twice.body.error_description).toContain('scope');
    });

    it('challenges HTTP Basic on every 401 (RFC 6749 §5.2), and sends no-cache headers', async () => {
      const basic = Buffer.from(`${admin.clientId}:wrong`).toString('base64');
      const viaBasic = await token({ grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` });
      expect(viaBasic.status).toBe(401);
      expect(viaBasic.body.error).toBe('invalid_client');
      expect(viaBasic.headers.get('www-authenticate')).toBe('Basic realm="stratum"');
      expect(viaBasic.headers.get('cache-control')).toBe('no-store');
      const ok = await token({ grant_type: 'client_credentials', client_id: admin.clientId, client_secret: admin.secret });
      expect(ok.headers.get('pragma')).toBe('no-cache');
    });

    it('refuses a JSON body with invalid_request, not a problem', async () => {
      const res = await h.request('POST', '/v1/oauth/token', { json: { grant_type: 'client_credentials' } });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });
  });
});
