import cors from '@koa/cors';
import compress from 'koa-compress';
import compressible from 'compressible';
import type Koa from 'koa';

/** Request headers a browser client may send the API (preflight's Access-Control-Allow-Headers). */
export const CORS_ALLOW_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'X-API-Key', 'X-Request-Id'];
/** Response headers a browser client may read besides the CORS-safelisted ones. */
export const CORS_EXPOSE_HEADERS = ['X-Request-Id', 'ETag', 'Location', 'RateLimit', 'RateLimit-Policy', 'Retry-After'];
export const CORS_ALLOW_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'];

/**
 * CORS for the listed origins only: an origin not listed gets no CORS header at all (@koa/cors 5
 * would answer `*` by default). Credentials travel in headers, never cookies, so no
 * Allow-Credentials. Errors keep the headers (keepHeadersOnError; the API's own problems are
 * answers, not throws), so a browser can read a 401.
 */
export function corsMiddleware(origins: readonly string[]): Koa.Middleware | undefined {
  if (!origins.length) return undefined;
  const allowed = new Set(origins);
  const handler = cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return allowed.has(origin) ? origin : '';
    },
    allowMethods: CORS_ALLOW_METHODS,
    allowHeaders: CORS_ALLOW_HEADERS,
    exposeHeaders: CORS_EXPOSE_HEADERS,
    maxAge: 600,
    keepHeadersOnError: true,
  });
  // A request without an Origin header (a server-side client, curl), or from an origin not
  // listed, gets from @koa/cors only `Vary: Origin` and the next middleware, through an async
  // frame and two awaits of its own: the same, answered here without them. Only a listed
  // origin (a browser's request or preflight) goes through @koa/cors.
  return (ctx, next) => {
    const origin = ctx.req.headers.origin;
    if (origin !== undefined && allowed.has(origin)) return handler(ctx, next);
    varyOn(ctx, 'Origin');
    return next();
  };
}

/**
 * gzip or br (br preferred when both are accepted) for answers of at least `minBytes` whose type
 * compresses. Never an event stream: compression buffers it, and each event must reach the
 * client when it is sent. `minBytes` 0 turns compression off (a proxy in front does it).
 *
 * koa-compress decides and compresses; in front of it, two cheap exits spare most requests its
 * dozen header reads and option merge: a client that accepts no encoding, and an answer whose
 * length is known to be under the threshold (a get by id). Both still get `Vary: Accept-Encoding`,
 * since the answer would differ for another Accept-Encoding.
 */
export function compressionMiddleware(minBytes: number): Koa.Middleware | undefined {
  if (minBytes <= 0) return undefined;
  const compressor = compress({
    threshold: minBytes,
    filter: (type) => !/^text\/event-stream\b/i.test(type) && compressible(type) === true,
    deflate: false,
    // zstd is not in every client yet, and not in Node 20's zlib.
    zstd: false,
  } as compress.CompressOptions);
  const done = () => Promise.resolve();
  const compressAfter = async (ctx: Koa.Context, next: Koa.Next) => {
    await next();
    const length = ctx.response.length;
    if (length !== undefined && length < minBytes) return;
    // The body is set: koa-compress runs its checks on it and compresses it (its `next` has nothing left to run).
    await compressor(ctx, done);
  };
  // Not async itself: a client that accepts no encoding costs no promise of its own here.
  return (ctx, next) => {
    varyOnAcceptEncoding(ctx);
    return ctx.req.headers['accept-encoding'] ? compressAfter(ctx, next) : next();
  };
}

function varyOnAcceptEncoding(ctx: Koa.Context): void {
  varyOn(ctx, 'Accept-Encoding');
}

/** `ctx.vary(field)`, without parsing a Vary header that is not there yet (the usual case). */
function varyOn(ctx: Koa.Context, field: string): void {
  if (ctx.res.hasHeader('Vary')) ctx.vary(field);
  else ctx.res.setHeader('Vary', field);
}
