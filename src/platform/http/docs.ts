/**
 * Offline API documentation pages.
 *
 *   GET /openapi.json  the contract
 *   GET /docs          Redoc reference (redoc/bundles/redoc.standalone.js, served from here)
 *   GET /docs/try      Swagger UI (swagger-ui-dist, served from here) with OAuth2 "Authorize"
 *
 * Nothing is loaded from another host: every script and stylesheet is served by this router,
 * fonts are the platform's system fonts, the two vendor URLs that would be fetched at run time
 * (Redoc's sidebar logo, Swagger UI's default online validator) are neutralised in the served
 * copies, and the HTML pages carry a Content-Security-Policy that only allows 'self'.
 *
 * All assets are read into memory once, when the router is created.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';

export const SYSTEM_FONT_STACK =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif';
export const MONO_FONT_STACK =
  'ui-monospace, SFMono-Regular, Menlo, Monaco, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace';

/** Redoc options shared by GET /docs and the static build (scripts/docs.ts). No web fonts. */
export const REDOC_OPTIONS = {
  theme: {
    typography: {
      fontFamily: SYSTEM_FONT_STACK,
      headings: { fontFamily: SYSTEM_FONT_STACK },
      code: { fontFamily: MONO_FONT_STACK },
    },
  },
} as const;

/** Tiny empty image used in place of remote images that the vendor bundles hard-code. */
const EMPTY_IMAGE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='0' height='0'/%3E";

interface Patch {
  readonly find: string;
  readonly replace: string;
}

/**
 * Redoc 2.x renders `<img src="https://cdn.redoc.ly/redoc/logo-mini.svg">` next to "API docs by
 * Redocly" in the sidebar footer unconditionally (no option turns it off). The standalone bundle
 * loads no fonts and no other remote resource (its search worker is a blob: URL).
 */
const REDOC_PATCHES: readonly Patch[] = [
  { find: '"https://cdn.redoc.ly/redoc/logo-mini.svg"', replace: JSON.stringify(EMPTY_IMAGE) },
];

/**
 * Swagger UI's default `validatorUrl` makes it load a badge from validator.swagger.io. The
 * initializer sets `validatorUrl: null`; the default is also removed from the served bundle so
 * that no configuration path can reach it.
 */
const SWAGGER_UI_PATCHES: readonly Patch[] = [{ find: '"https://validator.swagger.io/validator"', replace: 'null' }];

function applyPatches(source: string, patches: readonly Patch[]): string {
  // split/join: literal replacement of every occurrence, no `$&`-style replacement patterns.
  return patches.reduce((text, p) => text.split(p.find).join(p.replace), source);
}

/** redoc.standalone.js with the remote logo replaced (shared with scripts/docs.ts). */
export function loadRedocStandalone(): string {
  return applyPatches(readFileSync(require.resolve('redoc/bundles/redoc.standalone.js'), 'utf8'), REDOC_PATCHES);
}

/** The script that starts Redoc; `specExpression` is a JS expression (URL string or spec object). */
export function redocInitScript(specExpression: string): string {
  return [
    '(function () {',
    '  "use strict";',
    `  var options = ${JSON.stringify(REDOC_OPTIONS)};`,
    `  Redoc.init(${specExpression}, options, document.getElementById("redoc"));`,
    '})();',
    '',
  ].join('\n');
}

const SWAGGER_UI_INIT = `(function () {
  "use strict";
  window.addEventListener("load", function () {
    var origin = window.location.origin;
    window.ui = SwaggerUIBundle({
      url: "/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      plugins: [SwaggerUIBundle.plugins.DownloadUrl],
      layout: "StandaloneLayout",
      // No online validator badge (the default loads one from an external host).
      validatorUrl: null,
      // Ignore ?url= / ?configUrl= so the page cannot be pointed at another host.
      queryConfigEnabled: false,
      persistAuthorization: true,
      oauth2RedirectUrl: origin + "/docs/try/oauth2-redirect.html"
    });
    window.ui.initOAuth({ appName: "Stratum API docs" });
  });
})();
`;

const BASE_CSP = [
  "default-src 'none'",
  "base-uri 'none'",
  "object-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
];

/** CSP of GET /docs: Redoc injects <style> elements and runs its search index in a blob: worker. */
export const REDOC_CSP = [
  ...BASE_CSP,
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
].join('; ');

/** CSP of GET /docs/try: "Try it out" and the OAuth2 token request go to this server only. */
export const SWAGGER_UI_CSP = [
  ...BASE_CSP,
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
].join('; ');

const OAUTH2_REDIRECT_CSP = [...BASE_CSP, "script-src 'self'"].join('; ');

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function redocPage(title: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)}</title>
  <style>body { margin: 0; padding: 0; font-family: ${SYSTEM_FONT_STACK}; }</style>
</head>
<body>
  <div id="redoc"></div>
  <script src="/docs/assets/redoc.standalone.js"></script>
  <script src="/docs/assets/redoc-init.js"></script>
</body>
</html>
`;
}

function swaggerUiPage(title: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)}</title>
  <link rel="stylesheet" href="/docs/try/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/try/favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="/docs/try/favicon-16x16.png" sizes="16x16">
  <style>body { margin: 0; font-family: ${SYSTEM_FONT_STACK}; }</style>
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/try/swagger-ui-bundle.js"></script>
  <script src="/docs/try/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/try/swagger-initializer.js"></script>
</body>
</html>
`;
}

interface StaticResponse {
  readonly body: string | Buffer;
  readonly type: string;
  readonly headers: Readonly<Record<string, string>>;
}

const JS = 'application/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const HTML = 'text/html; charset=utf-8';
const PNG = 'image/png';
const ASSET_HEADERS = { 'Cache-Control': 'public, max-age=3600', 'X-Content-Type-Options': 'nosniff' };

function htmlHeaders(csp: string): Record<string, string> {
  return {
    'Cache-Control': 'no-cache',
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

function contractTitle(contract: object): string {
  const info = (contract as { info?: { title?: unknown } }).info;
  return typeof info?.title === 'string' && info.title.length > 0 ? info.title : 'API';
}

export function createDocsRouter(contract: object): Router {
  const swaggerUiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const swaggerUi = (file: string): Buffer => readFileSync(path.join(swaggerUiDir, file));
  const swaggerUiText = (file: string): string => swaggerUi(file).toString('utf8');
  const title = contractTitle(contract);

  const routes: Record<string, StaticResponse> = {
    '/openapi.json': {
      body: JSON.stringify(contract),
      type: 'application/json; charset=utf-8',
      headers: { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' },
    },
    '/docs': { body: redocPage(`${title} – API reference`), type: HTML, headers: htmlHeaders(REDOC_CSP) },
    '/docs/assets/redoc.standalone.js': { body: loadRedocStandalone(), type: JS, headers: ASSET_HEADERS },
    '/docs/assets/redoc-init.js': { body: redocInitScript('"/openapi.json"'), type: JS, headers: ASSET_HEADERS },
    '/docs/try': { body: swaggerUiPage(`${title} – try it`), type: HTML, headers: htmlHeaders(SWAGGER_UI_CSP) },
    '/docs/try/swagger-ui.css': { body: swaggerUiText('swagger-ui.css'), type: CSS, headers: ASSET_HEADERS },
    '/docs/try/swagger-ui-bundle.js': {
      body: applyPatches(swaggerUiText('swagger-ui-bundle.js'), SWAGGER_UI_PATCHES),
      type: JS,
      headers: ASSET_HEADERS,
    },
    '/docs/try/swagger-ui-standalone-preset.js': {
      body: swaggerUiText('swagger-ui-standalone-preset.js'),
      type: JS,
      headers: ASSET_HEADERS,
    },
    '/docs/try/swagger-initializer.js': { body: SWAGGER_UI_INIT, type: JS, headers: ASSET_HEADERS },
    '/docs/try/oauth2-redirect.html': {
      body: swaggerUiText('oauth2-redirect.html'),
      type: HTML,
      headers: htmlHeaders(OAUTH2_REDIRECT_CSP),
    },
    '/docs/try/oauth2-redirect.js': { body: swaggerUiText('oauth2-redirect.js'), type: JS, headers: ASSET_HEADERS },
    '/docs/try/favicon-32x32.png': { body: swaggerUi('favicon-32x32.png'), type: PNG, headers: ASSET_HEADERS },
    '/docs/try/favicon-16x16.png': { body: swaggerUi('favicon-16x16.png'), type: PNG, headers: ASSET_HEADERS },
  };

  const router = new Router();
  for (const [route, response] of Object.entries(routes)) {
    // A strong validator, computed once: SDK pipelines and browsers revalidate with If-None-Match
    // and get a 304 without the body while the contract (or asset) is unchanged.
    const tag = `"${createHash('sha256').update(response.body).digest('base64url').slice(0, 32)}"`;
    router.get(route, (ctx) => {
      ctx.set(response.headers);
      ctx.set('ETag', tag);
      ctx.type = response.type;
      ctx.status = 200;
      if (ctx.fresh) {
        ctx.status = 304;
        return;
      }
      ctx.body = response.body;
    });
  }
  return router;
}
