import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Koa from 'koa';
import type Router from '@koa/router';
import type { Logger } from 'pino';
import { requestLogger } from '../logging';
import { API_BASE, apiMiddleware, type ApiOptions, requestTarget } from './api-pipeline';
import type { Contract } from './contract';
import type { HandlerMap } from './handler';
import { HttpProblem, PROBLEM_KINDS, type ProblemKind } from './problem';
import { errorOutcome, type RequestState, write } from './outcome';
import { problemIndex, problemPage } from './problem-pages';

export { API_BASE };
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export interface AppOptions extends ApiOptions {
  /**
   * Middleware in front of the API and the pages (CORS, compression, an operator's own), in
   * order. Each sees every request, /v1 included, after the request id is set.
   */
  middleware?: Koa.Middleware[];
  docs?: Router;
}

/** Every handler must have an operation and every operation a handler. */
export function checkHandlers(contract: Contract, handlers: HandlerMap): void {
  const missing = [...contract.operations.keys()].filter((id) => !(id in handlers));
  const extra = Object.keys(handlers).filter((id) => !contract.operations.has(id));
  if (missing.length || extra.length) {
    throw new Error(
      [missing.length ? `operations without a handler: ${missing.join(', ')}` : '', extra.length ? `handlers without an operation: ${extra.join(', ')}` : '']
        .filter(Boolean)
        .join('; '),
    );
  }
}

/** What main.ts, the tests and the benchmark serve. */
export interface HttpApp {
  /**
   * Adds a Koa middleware after those of the options, in front of the API and the pages: like
   * Koa's own `use`, but placed where it sees every request. Only before the first `callback()`.
   */
  use(middleware: Koa.Middleware): HttpApp;
  /** The `node:http` request listener. */
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * The Koa app, in the order a request meets it:
 *
 *   request id + log + last-resort problem → options.middleware → use()d middleware → API (/v1) → pages
 *
 * The API (api-pipeline.ts) leaves its answer on the context like any middleware, so what runs
 * in front of it applies to /v1 exactly as to /docs.
 */
export function createApp(options: AppOptions): HttpApp {
  const { contract, handlers, logger } = options;
  checkHandlers(contract, handlers);
  const added: Koa.Middleware[] = [];
  let listener: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;

  const app: HttpApp = {
    use(middleware) {
      if (listener) throw new Error('add middleware before the app serves: callback() was already called');
      added.push(middleware);
      return app;
    },
    callback() {
      if (!listener) {
        const koa = new StratumKoa({ proxy: false });
        // Every error is answered and logged by requestContext; Koa's own handler would print to stderr.
        koa.silent = true;
        koa.use(requestContext(logger));
        for (const middleware of [...(options.middleware ?? []), ...added]) koa.use(middleware);
        koa.use(apiMiddleware(options));
        koa.use(pages(options.docs));
        const handle = koa.callback();
        listener = (req, res) => void handle(req, res);
      }
      return listener;
    },
  };
  return app;
}

type HandleRequest = (ctx: Koa.ParameterizedContext, fnMiddleware: (ctx: Koa.ParameterizedContext) => Promise<unknown>) => Promise<void>;
/** Koa's callback() calls `this.handleRequest(ctx, fn)` (koa/lib/application.js): a Koa that no longer does stops the start. */
const koaHandleRequest = ((): HandleRequest => {
  const own = (Koa.prototype as unknown as { handleRequest?: HandleRequest }).handleRequest;
  if (typeof own !== 'function') throw new Error('koa: Application.prototype.handleRequest is gone; StratumKoa in src/platform/http/app.ts needs updating');
  return own;
})();

/**
 * Koa, answering a string or Buffer body (every API answer, the pages) with `res.end` as Koa's
 * respond would, without on-finished's listeners. Koa puts those on every response, before the
 * middleware runs, so that an error of a streamed body reaches `ctx.onerror`: two listeners on
 * the socket and two on the response, added and removed each request (about 4 µs). A body whose
 * write can fail later — a stream (compression's), a Blob, an object — and every other case
 * (HEAD, an empty status, no body, `ctx.respond = false`) go to Koa's own handling unchanged.
 */
class StratumKoa extends Koa {
  // Koa's (untyped) handleRequest, which its callback() calls for each request.
  handleRequest: HandleRequest = (ctx, fnMiddleware) => {
    const res = ctx.res;
    res.statusCode = 404;
    const onerror = (err: Error) => ctx.onerror(err);
    return fnMiddleware(ctx).then(() => {
      try {
        const body: unknown = ctx.body;
        const status = res.statusCode;
        if (
          (typeof body === 'string' || Buffer.isBuffer(body)) &&
          ctx.respond !== false &&
          status !== 204 && status !== 205 && status !== 304 &&
          ctx.req.method !== 'HEAD' &&
          ctx.writable
        ) {
          res.end(body);
          return;
        }
        // Koa's own: its handleRequest sets 404 first, so the status is given back before it responds.
        // Its promise rejects only when ctx.onerror itself failed: that is answered here too.
        return koaHandleRequest
          .call(this, ctx, () => {
            res.statusCode = status;
            return Promise.resolve();
          })
          .catch(onerror);
      } catch (err) {
        onerror(err as Error);
      }
    }, onerror);
  };
}

/**
 * The outermost middleware: the request id (echoed when well-formed), the request log line with
 * the status actually sent, and a problem for anything thrown further in (the API answers its
 * own failures; this catches the pages', and middleware in front of them).
 */
function requestContext(logger: Logger): Koa.Middleware {
  const logRequest = requestLogger(logger);
  // Not async: the answer is logged in a continuation of the inner middleware's promise (an
  // async function would add its own promise and a turn of the microtask queue per request).
  return (ctx, next) => {
    const started = process.hrtime.bigint();
    const incoming = ctx.req.headers['x-request-id'];
    const state: RequestState = { requestId: typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID(), status: 0 };
    ctx.state.request = state;
    ctx.res.setHeader('X-Request-Id', state.requestId);
    const log = () => {
      // Straight from node:http's objects: Koa's delegating getters cost a call chain each.
      state.status = ctx.res.statusCode;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logRequest({ method: ctx.req.method ?? 'GET', path: requestTarget(ctx)[0], route: state.operation?.operationId, status: state.status, ms: Math.round(ms * 100) / 100, tenant: state.principal?.tenantId, requestId: state.requestId });
    };
    // koa-compose's next() never throws: a middleware's throw comes back as a rejection.
    return next().then(
      () => {
        if (ctx.body == null && ctx.status === 404) answerError(ctx, new HttpProblem('not-found', `There is no route ${ctx.method} ${ctx.path}.`), state, logger);
        log();
      },
      (err: unknown) => {
        answerError(ctx, err, state, logger);
        log();
      },
    );
  };
}

/** As Koa's own error answer does: what was set is dropped, but headers the error carries (CORS' keepHeadersOnError) are kept. */
function answerError(ctx: Koa.Context, err: unknown, state: RequestState, logger: Logger): void {
  if (ctx.res.headersSent || !ctx.writable) {
    logger.error({ err, requestId: state.requestId }, 'failed after the answer started');
    ctx.res.destroy();
    return;
  }
  for (const name of ctx.res.getHeaderNames()) ctx.res.removeHeader(name);
  ctx.res.setHeader('X-Request-Id', state.requestId);
  const carried = (err as { headers?: unknown })?.headers;
  if (carried && typeof carried === 'object') {
    for (const [name, value] of Object.entries(carried)) if (typeof value === 'string') ctx.res.setHeader(name, value);
  }
  // A non-API request has no operation: the response check has nothing to hold it to.
  write(ctx, errorOutcome(err, state, logger), { requestId: state.requestId, status: 0 }, logger);
}

/** The root, the problem type pages and the docs. */
function pages(docs: Router | undefined): Koa.Middleware {
  const docRoutes = docs?.routes();
  return async (ctx, next) => {
    const readable = ctx.method === 'GET' || ctx.method === 'HEAD';
    if (ctx.path === '/' && readable) {
      ctx.redirect('/docs');
      return;
    }
    if (ctx.path === '/problems' && readable) {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = problemIndex();
      return;
    }
    const m = /^\/problems\/([a-z-]+)$/.exec(ctx.path);
    if (m && m[1] in PROBLEM_KINDS && readable) {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = problemPage(m[1] as ProblemKind);
      return;
    }
    if (docRoutes) await docRoutes(ctx as never, next);
  };
}
