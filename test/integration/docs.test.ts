/**
 * Offline documentation pages: GET /openapi.json, /docs (Redoc), /docs/try (Swagger UI), and the
 * static reference built by scripts/docs.ts. Everything must be served by us; nothing may be
 * loaded from another host.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { createDocsRouter } from '../../src/platform/http/docs';
import { buildReferenceDocs } from '../../scripts/docs';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..', '..');

const fixtureContract = {
  openapi: '3.1.0',
  info: { title: 'Fixture API', version: '1.0.0', description: 'Fixture for the **docs** pages.' },
  servers: [{ url: '/v1' }],
  security: [{ oauth2: ['widgets:read'] }, { apiKey: [] }],
  paths: {
    '/widgets': {
      get: {
        operationId: 'listWidgets',
        summary: 'List widgets',
        tags: ['Widgets'],
        responses: {
          '200': {
            description: 'OK',
            content: {
              'application/json': {
                schema: { type: 'array', items: { $ref: '#/components/schemas/Widget' } },
              },
            },
          },
        },
      },
    },
  },
  components: {
    schemas: {
      Widget: {
        type: 'object',
        required: ['id'],
        properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' } },
      },
    },
    securitySchemes: {
      oauth2: {
        type: 'oauth2',
        flows: { clientCredentials: { tokenUrl: '/v1/oauth/token', scopes: { 'widgets:read': 'Read widgets' } } },
      },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    },
  },
};

// ---------------------------------------------------------------------------------------------
// The "loads nothing from outside" check.
//
// Vendor bundles are full of harmless URLs (licence comments, error-message links, XML
// namespaces, JSON Schema $ids), so a bare "no http(s)://" rule is useless. Instead a URL on
// another host is reported when it appears in a context where a browser would load it, and
// known CDN / font / validator hosts are reported wherever they appear.

const KNOWN_EXTERNAL_HOSTS = [
  'fonts.googleapis.com',
  'fonts.gstatic.com',
  'cdn.jsdelivr.net',
  'unpkg.com',
  'cdnjs.cloudflare.com',
  'validator.swagger.io',
  'petstore.swagger.io',
  'cdn.redoc.ly',
  'cdn.redocly.com',
  'use.typekit.net',
  'fonts.bunny.net',
];

/** An absolute (http/https) or protocol-relative URL with a dotted host name. */
const EXT = String.raw`(?:https?:)?//[a-z0-9-]+(?:\.[a-z0-9-]+)+`;
/** Opening quote of a JS/HTML string (incl. template literals). */
const Q = '["\'`]';

const LOADING_CONTEXTS: ReadonlyArray<readonly [string, RegExp]> = [
  [
    'HTML attribute',
    new RegExp(String.raw`\b(?:src|href|srcset|poster|data|action|formaction|background|xlink:href|spec-url)\s*=\s*\\?["']?\s*${EXT}`, 'gi'),
  ],
  ['JS src property', new RegExp(String.raw`\b(?:src|srcset)\s*:\s*${Q}\s*${EXT}`, 'gi')],
  ['JS .src assignment', new RegExp(String.raw`\.(?:src|srcset)\s*=\s*${Q}\s*${EXT}`, 'gi')],
  ['setAttribute', new RegExp(String.raw`setAttribute\(\s*${Q}(?:src|href|srcset)${Q}\s*,\s*${Q}\s*${EXT}`, 'gi')],
  ['CSS url()', new RegExp(String.raw`url\(\s*\\?["']?\s*${EXT}`, 'gi')],
  ['CSS @import', new RegExp(String.raw`@import\s+(?:url\(\s*)?["']?\s*${EXT}`, 'gi')],
  ['fetch()', new RegExp(String.raw`\bfetch\(\s*${Q}\s*${EXT}`, 'gi')],
  ['XHR open()', new RegExp(String.raw`\.open\(\s*${Q}[a-z]+${Q}\s*,\s*${Q}\s*${EXT}`, 'gi')],
  ['worker / importScripts', new RegExp(String.raw`(?:importScripts|new\s+(?:Shared)?Worker|new\s+EventSource)\(\s*${Q}\s*${EXT}`, 'gi')],
  ['WebSocket', new RegExp(String.raw`new\s+WebSocket\(\s*${Q}\s*wss?://`, 'gi')],
  ['ES import', new RegExp(String.raw`(?:\bimport\s*\(\s*|\bfrom\s*)${Q}\s*${EXT}`, 'gi')],
  [
    'spec/validator/base URL option',
    new RegExp(String.raw`(?:\b(?:specUrl|configUrl|validatorUrl|oauth2RedirectUrl|baseUrl|baseURL)\s*[:=]|(?<![.\w])url\s*:)\s*${Q}\s*${EXT}`, 'gi'),
  ],
  ['Redoc.init()', new RegExp(String.raw`Redoc\.init\(\s*${Q}\s*${EXT}`, 'gi')],
];

interface Finding {
  readonly where: string;
  readonly rule: string;
  readonly text: string;
}

function findExternalLoads(where: string, text: string): Finding[] {
  const findings: Finding[] = [];
  for (const [rule, pattern] of LOADING_CONTEXTS) {
    for (const m of text.matchAll(pattern)) findings.push({ where, rule, text: m[0] });
  }
  const lower = text.toLowerCase();
  for (const host of KNOWN_EXTERNAL_HOSTS) {
    const i = lower.indexOf(host);
    if (i >= 0) findings.push({ where, rule: `known host ${host}`, text: text.slice(Math.max(0, i - 60), i + 60) });
  }
  return findings;
}

/** <script src>, <link href>, <img src> … in an HTML page's markup (not inside inline scripts). */
function referencedUrls(html: string): string[] {
  const refs: string[] = [];
  const markup = html.replace(/(<script\b[^>]*>)[\s\S]*?(<\/script>)/gi, '$1$2');
  for (const m of markup.matchAll(/<(?:script|link|img|iframe|source|audio|video|embed)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)) {
    refs.push(m[1]);
  }
  return refs;
}

interface Fetched {
  readonly url: string;
  readonly status: number;
  readonly type: string;
  readonly headers: Headers;
  readonly text: string;
}

async function get(url: string): Promise<Fetched> {
  const res = await fetch(url, { redirect: 'manual' });
  const buf = Buffer.from(await res.arrayBuffer());
  return { url, status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, text: buf.toString('utf8') };
}

/**
 * Fetches an HTML page and every same-origin script/stylesheet/image it references (one level,
 * which is all these pages have) and reports external loads in any of them. A reference to another
 * origin is itself a finding and is never fetched.
 */
async function crawl(pageUrl: string): Promise<{ page: Fetched; assets: Fetched[]; findings: Finding[] }> {
  const page = await get(pageUrl);
  const origin = new URL(pageUrl).origin;
  const findings = findExternalLoads(pageUrl, page.text);
  const assets: Fetched[] = [];
  for (const ref of referencedUrls(page.text)) {
    const url = new URL(ref, pageUrl);
    if (url.protocol === 'data:') continue;
    if (url.origin !== origin) {
      findings.push({ where: pageUrl, rule: 'cross-origin reference', text: ref });
      continue;
    }
    const asset = await get(url.href);
    assets.push(asset);
    if (!asset.type.startsWith('image/')) findings.push(...findExternalLoads(url.pathname, asset.text));
  }
  return { page, assets, findings };
}

/** Parses a CSP header and lists every source that is not 'self'/'none'/a keyword/data:/blob:/a hash. */
function nonLocalCspSources(csp: string): string[] {
  const allowed = /^(?:'self'|'none'|'unsafe-inline'|'sha256-[A-Za-z0-9+/=]+'|data:|blob:)$/;
  return csp
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .filter((parts) => parts[0] !== '')
    .flatMap((parts) => parts.slice(1))
    .filter((source) => !allowed.test(source));
}

function cspDirective(csp: string, name: string): string[] | undefined {
  for (const d of csp.split(';')) {
    const parts = d.trim().split(/\s+/);
    if (parts[0] === name) return parts.slice(1);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

async function listen(app: Koa): Promise<{ server: Server; base: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}` };
}

async function close(server: Server): Promise<void> {
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

function docsApp(contract: object): Koa {
  const app = new Koa();
  const router = createDocsRouter(contract);
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}

describe('external-load checker', () => {
  it('flags a CDN script, a web font stylesheet and other loading contexts', () => {
    const bad = [
      '<script src="https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js"></script>',
      '<script src="https://example.org/app.js"></script>',
      '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Montserrat:300,400,700">',
      '<img src=//images.example.org/logo.png>',
      "body { background: url('https://example.org/bg.png') }",
      '@import "https://example.org/theme.css";',
      'fetch("https://api.example.org/openapi.json")',
      'xhr.open("GET", "https://api.example.org/x")',
      'n.createElement("img",{alt:"logo",src:"https://assets.example.org/logo.svg"})',
      'img.src = `https://assets.example.org/pixel.gif`',
      'el.setAttribute("href", "https://assets.example.org/x.css")',
      'import { hydrate } from "https://cdn.example.org/redoc.standalone.js";',
      'new Worker("https://cdn.example.org/worker.js")',
      'SwaggerUIBundle({ url: "https://api.example.org/openapi.json" })',
      'validatorUrl:void 0===a?"https://validator.swagger.io/validator":a',
      'Redoc.init("https://api.example.org/openapi.json", {}, el)',
      '<redoc spec-url="https://api.example.org/openapi.json"></redoc>',
    ];
    for (const text of bad) expect(findExternalLoads('case', text)).not.toEqual([]);
  });

  it('ignores URLs that are not loaded', () => {
    const harmless = [
      '/*! For license information please see https://github.com/facebook/react/blob/main/LICENSE */',
      'throw Error("Minified React error; visit https://reactjs.org/docs/error-decoder.html?invariant=" + e)',
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"></svg>',
      '{"$id":"https://json-schema.org/draft/2020-12/schema"}',
      '<script src="/docs/assets/redoc.standalone.js"></script><link rel="stylesheet" href="/docs/try/swagger-ui.css">',
      "background: url(data:image/svg+xml;charset=utf-8,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E)",
      'fetch("/openapi.json"); // see https://example.org/why',
      'n.converter.url="https://github.com/mermade/oas-kit"',
    ];
    for (const text of harmless) expect(findExternalLoads('case', text)).toEqual([]);
  });
});

describe('docs router', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    ({ server, base } = await listen(docsApp(fixtureContract)));
  });
  afterAll(async () => {
    await close(server);
  });

  it('serves the contract as JSON', async () => {
    const res = await get(`${base}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/json/);
    expect(JSON.parse(res.text)).toEqual(fixtureContract);
  });

  it.each([
    ['/docs', /^text\/html/],
    ['/docs/assets/redoc.standalone.js', /^application\/javascript/],
    ['/docs/assets/redoc-init.js', /^application\/javascript/],
    ['/docs/try', /^text\/html/],
    ['/docs/try/swagger-ui.css', /^text\/css/],
    ['/docs/try/swagger-ui-bundle.js', /^application\/javascript/],
    ['/docs/try/swagger-ui-standalone-preset.js', /^application\/javascript/],
    ['/docs/try/swagger-initializer.js', /^application\/javascript/],
    ['/docs/try/oauth2-redirect.html', /^text\/html/],
    ['/docs/try/oauth2-redirect.js', /^application\/javascript/],
    ['/docs/try/favicon-32x32.png', /^image\/png/],
  ])('GET %s answers 200 with the right content type and cache policy', async (route, type) => {
    const res = await get(`${base}${route}`);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(type);
    expect(res.text.length).toBeGreaterThan(0);
    if (type.source.includes('html')) {
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(cspDirective(csp, 'default-src')).toEqual(["'none'"]);
      expect(nonLocalCspSources(csp)).toEqual([]);
      expect(cspDirective(csp, 'script-src')).toEqual(["'self'"]);
    } else {
      expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    }
  });

  it.each(['/docs', '/docs/try', '/docs/try/oauth2-redirect.html'])(
    '%s and everything it references load nothing from another host',
    async (route) => {
      const { page, assets, findings } = await crawl(`${base}${route}`);
      expect(page.status).toBe(200);
      expect(assets.length).toBeGreaterThan(0);
      for (const asset of assets) expect([asset.url, asset.status]).toEqual([asset.url, 200]);
      expect(findings).toEqual([]);
    },
  );

  it('the Redoc page loads the served bundle and uses system fonts', async () => {
    const { page } = await crawl(`${base}/docs`);
    expect(referencedUrls(page.text)).toEqual(['/docs/assets/redoc.standalone.js', '/docs/assets/redoc-init.js']);
    const init = (await get(`${base}/docs/assets/redoc-init.js`)).text;
    expect(init).toContain('Redoc.init("/openapi.json"');
    expect(init).toContain('"fontFamily":"system-ui');
    expect(init).toMatch(/"code":\{"fontFamily":"ui-monospace/);
    const csp = (await get(`${base}/docs`)).headers.get('content-security-policy') ?? '';
    expect(cspDirective(csp, 'worker-src')).toEqual(["'self'", 'blob:']);
  });

  it('Swagger UI is configured for /openapi.json, OAuth2 client credentials and no validator', async () => {
    const { page } = await crawl(`${base}/docs/try`);
    expect(referencedUrls(page.text)).toEqual(
      expect.arrayContaining([
        '/docs/try/swagger-ui.css',
        '/docs/try/swagger-ui-bundle.js',
        '/docs/try/swagger-ui-standalone-preset.js',
        '/docs/try/swagger-initializer.js',
      ]),
    );
    const init = (await get(`${base}/docs/try/swagger-initializer.js`)).text;
    expect(init).toContain('url: "/openapi.json"');
    expect(init).toContain('validatorUrl: null');
    expect(init).toContain('persistAuthorization: true');
    expect(init).toContain('queryConfigEnabled: false');
    expect(init).toContain('oauth2RedirectUrl: origin + "/docs/try/oauth2-redirect.html"');
    expect(init).not.toContain('petstore');
    const redirect = await get(`${base}/docs/try/oauth2-redirect.html`);
    expect(referencedUrls(redirect.text)).toEqual(['oauth2-redirect.js']);
  });

  it('the contract served to the UIs keeps its OAuth2 client-credentials and API key schemes', async () => {
    const contract = JSON.parse((await get(`${base}/openapi.json`)).text);
    expect(contract.components.securitySchemes.oauth2.flows.clientCredentials.tokenUrl).toBe('/v1/oauth/token');
    expect(contract.components.securitySchemes.apiKey).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
  });

  it('answers 404 for unknown docs paths', async () => {
    expect((await get(`${base}/docs/assets/nope.js`)).status).toBe(404);
  });
});

describe('the check is meaningful', () => {
  it('would fail on the unpatched vendor bundles (Redoc logo CDN, Swagger UI validator)', () => {
    const redoc = readFileSync(require.resolve('redoc/bundles/redoc.standalone.js'), 'utf8');
    const swaggerUi = readFileSync(require.resolve('swagger-ui-dist/swagger-ui-bundle.js'), 'utf8');
    expect(findExternalLoads('redoc', redoc).map((f) => f.rule)).toEqual(
      expect.arrayContaining(['JS src property', 'known host cdn.redoc.ly']),
    );
    expect(findExternalLoads('swagger-ui', swaggerUi).map((f) => f.rule)).toContain('known host validator.swagger.io');
  });

  it('fails when someone adds a CDN <script> to the served page', async () => {
    const app = new Koa();
    app.use(async (ctx, next) => {
      await next();
      if (ctx.path === '/docs' && typeof ctx.body === 'string') {
        ctx.body = ctx.body.replace(
          '</head>',
          '<script src="https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js"></script></head>',
        );
      }
    });
    const router = createDocsRouter(fixtureContract);
    app.use(router.routes());
    const { server, base } = await listen(app);
    try {
      const { findings } = await crawl(`${base}/docs`);
      expect(findings.map((f) => f.rule)).toEqual(
        expect.arrayContaining(['HTML attribute', 'known host cdn.jsdelivr.net', 'cross-origin reference']),
      );
    } finally {
      await close(server);
    }
  });
});

describe('static reference (scripts/docs.ts)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'stratum-docs-test-'));
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  function inlineScripts(html: string): string[] {
    return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  }

  function checkOfflinePage(html: string, contract: object): void {
    // Inlined Redoc standalone bundle and the inlined contract; no external script/style at all.
    const redoc = readFileSync(require.resolve('redoc/bundles/redoc.standalone.js'), 'utf8');
    expect(html).toContain(redoc.slice(0, 4000));
    expect(html).toContain('Redoc.init(JSON.parse(document.getElementById("redoc-spec").textContent)');
    const specBlock = /<script id="redoc-spec" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
    expect(specBlock).not.toBeNull();
    expect(JSON.parse((specBlock as RegExpExecArray)[1])).toEqual(contract);
    expect(referencedUrls(html)).toEqual([]);
    expect(findExternalLoads('static', html)).toEqual([]);
    // The meta CSP admits exactly the inline scripts (by hash) and nothing from any host.
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(cspDirective(csp, 'default-src')).toEqual(["'none'"]);
    expect(nonLocalCspSources(csp)).toEqual([]);
    const hashes = inlineScripts(html).map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`);
    expect(hashes).toHaveLength(2);
    expect(cspDirective(csp, 'script-src')).toEqual(hashes);
    // No web fonts.
    expect(html).toContain('"fontFamily":"system-ui');
    expect(html).not.toMatch(/<link\b/i);
  }

  it('builds an offline page from a contract object', () => {
    const outFile = path.join(tmp, 'object', 'index.html');
    const { bytes } = buildReferenceDocs({ spec: fixtureContract, outFile });
    expect(bytes).toBeGreaterThan(1_000_000);
    checkOfflinePage(readFileSync(outFile, 'utf8'), fixtureContract);
  });

  it('`tsx scripts/docs.ts --spec --out` builds it from a file', () => {
    const specFile = path.join(tmp, 'openapi.json');
    writeFileSync(specFile, JSON.stringify(fixtureContract));
    const outFile = path.join(tmp, 'cli', 'index.html');
    execFileSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/docs.ts', '--spec', specFile, '--out', outFile], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    checkOfflinePage(readFileSync(outFile, 'utf8'), fixtureContract);
  });

  const generated = path.join(ROOT, 'generated', 'openapi.json');
  (existsSync(generated) ? it : it.skip)('builds the real contract (generated/openapi.json)', () => {
    const outFile = path.join(tmp, 'generated', 'index.html');
    buildReferenceDocs({ spec: generated, outFile });
    const html = readFileSync(outFile, 'utf8');
    expect(referencedUrls(html)).toEqual([]);
    expect(findExternalLoads('generated', html)).toEqual([]);
  });
});
