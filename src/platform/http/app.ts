import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Koa from 'koa';
import type Router from '@koa/router';
import type { Logger } from 'pino';
import type { ApiKeyVerifier, Principal } from '../auth/principal';
import type { TokenService } from '../auth/tokens';
import type { IdempotencyStore } from '../idempotency/idempotency-store';
import { requestLogger } from '../logging';
import type { RateLimiter } from '../ratelimit/rate-limiter';
import { authenticate, authorize } from './authenticate';
import { NO_BODY, readBody, unstorableStrings } from './body';
import type { Contract, OperationSpec } from './contract';
import type { HandlerMap, HandlerRequest, IfMatch } from './handler';
import { HttpProblem, PROBLEM_KINDS, type ProblemKind } from './problem';
import { errorOutcome, NO_STORE, type Outcome, rateLimitHeaders, replyOutcome, type RequestState, send, write } from './outcome';
import { problemIndex, problemPage } from './problem-pages';

export const API_BASE = '/v1';
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export interface AppOptions {
  contract: Contract;
  handlers: HandlerMap;
  tokens: TokenService;
  verifyApiKey: ApiKeyVerifier;
  idempotency: IdempotencyStore;
  /** Quotas per API client; every authenticated request is counted. */
  rateLimiter?: RateLimiter;
  logger: Logger;
  maxBodyBytes: number;
  /** Check every response against the contract; a mismatch becomes a logged 500. */
  validateResponses: boolean;
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
  /** The `node:http` request listener. */
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * An API request target `node:http` hands over as is: the path under /v1 and the query. Anything
 * else (absolute form, a fragment, white space) goes through Koa, whose URL parser takes it
 * apart; both ends reach the same `serveApi`.
 */
const PLAIN_API_TARGET = /^(\/v1\/[^?#\s\u00a0\ufeff]*)(?:\?([^#\s\u00a0\ufeff]*))?$/;

export function createApp(options: AppOptions): HttpApp {
  const { contract, handlers, logger } = options;
  checkHandlers(contract, handlers);
  const logRequest = requestLogger(logger);
  const app = new Koa({ proxy: false });
  app.silent = true;

  const docs = options.docs?.routes();

  function newState(req: IncomingMessage): RequestState {
    const incoming = req.headers['x-request-id'];
    return { requestId: typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID(), status: 0 };
  }

  function log(method: string, path: string, state: RequestState, started: bigint): void {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    logRequest({ method, path, route: state.operation?.operationId, status: state.status, ms: Math.round(ms * 100) / 100, tenant: state.principal?.tenantId, requestId: state.requestId });
  }

  /** The API answers on `res` itself: one writeHead with every header, no Koa context or respond pass. */
  async function serveApi(req: IncomingMessage, res: ServerResponse, path: string, querystring: string, state: RequestState, started: bigint): Promise<void> {
    const method = req.method ?? 'GET';
    try {
      send(res, state, await api(method, path, querystring, req, state));
    } catch (err) {
      // `api` never throws; writing can (a header value Node refuses).
      logger.error({ err, requestId: state.requestId, operationId: state.operation?.operationId }, 'writing the response failed');
      if (!res.headersSent) {
        // writeHead sets headers one by one: those before the refused one are on `res` already.
        for (const name of res.getHeaderNames()) if (name !== 'connection') res.removeHeader(name);
        send(res, state, errorOutcome(err, { requestId: state.requestId, status: 0 }, logger, true));
      } else res.destroy();
    }
    log(method, path, state, started);
  }

  // Koa serves the rest: the root, the problem pages, the docs and the contract.
  app.use(async (ctx, next) => {
    const started = process.hrtime.bigint();
    const state = newState(ctx.req);
    ctx.state.request = state;
    const path = ctx.path;
    if (path.startsWith(`${API_BASE}/`)) {
      ctx.respond = false;
      await serveApi(ctx.req, ctx.res, path, ctx.querystring, state, started);
      return;
    }
    ctx.res.setHeader('X-Request-Id', state.requestId);
    try {
      await other(ctx, next);
      if (ctx.body === undefined && ctx.status === 404) {
        throw new HttpProblem('not-found', `There is no route ${ctx.method} ${path}.`);
      }
    } catch (err) {
      write(ctx, errorOutcome(err, state, logger));
    }
    state.status = ctx.status;
    log(ctx.method, path, state, started);
  });
  const koa = app.callback();

  /** The root, the problem type pages and the docs. */
  async function other(ctx: Koa.Context, next: Koa.Next): Promise<void> {
    if (ctx.path === '/' && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      ctx.redirect('/docs');
      return;
    }
    if (ctx.path === '/problems' && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = problemIndex();
      return;
    }
    const m = /^\/problems\/([a-z-]+)$/.exec(ctx.path);
    if (m && m[1] in PROBLEM_KINDS && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = problemPage(m[1] as ProblemKind);
      return;
    }
    if (docs) await docs(ctx as never, next);
  }

  /** Routes, runs and (outside production) checks one API request; never throws. */
  async function api(method: string, path: string, querystring: string, req: IncomingMessage, state: RequestState): Promise<Outcome> {
    try {
      const match = contract.match(method, path.slice(API_BASE.length));
      if (!match) throw new HttpProblem('not-found', `There is no route ${method} ${path}.`);
      if ('allow' in match) {
        throw new HttpProblem('method-not-allowed', `${path} does not support ${method}; it supports ${match.allow.join(', ')}.`, {
          headers: { Allow: match.allow.join(', ') },
        });
      }
      const { operation } = match;
      state.operation = operation;
      // A failure inside is a problem outcome, checked against the contract like any other.
      let outcome: Outcome;
      try {
        outcome = await runOperation(req, querystring, match.params, operation, state, options);
      } catch (err) {
        outcome = errorOutcome(err, state, logger);
      }
      if (options.validateResponses) {
        // What `send` will add: the request id and the rate limit headers.
        const headers = { ...outcome.headers, ...(state.rateLimit ? rateLimitHeaders(state.rateLimit) : {}), 'x-request-id': state.requestId };
        const problems = contract.validateResponse(operation, outcome.status, outcome.contentType, headers, outcome.body === undefined ? undefined : JSON.parse(outcome.body));
        if (problems.length) {
          logger.error({ operationId: operation.operationId, status: outcome.status, problems, requestId: state.requestId }, 'response does not match the contract');
          return errorOutcome(new Error(`response does not match the contract: ${problems.join('; ')}`), { requestId: state.requestId, status: 0 }, logger, true);
        }
      }
      return outcome;
    } catch (err) {
      return errorOutcome(err, state, logger);
    }
  }

  return {
    callback: () => (req, res) => {
      const target = PLAIN_API_TARGET.exec(req.url ?? '');
      // serveApi answers every failure itself; should even that fail, the connection is dropped, not the process.
      if (target) serveApi(req, res, target[1], target[2] ?? '', newState(req), process.hrtime.bigint()).catch(() => res.destroy());
      else void koa(req, res);
    },
  };
}

async function runOperation(
  req: IncomingMessage,
  querystring: string,
  path: Record<string, string>,
  operation: OperationSpec,
  state: RequestState,
  options: AppOptions,
): Promise<Outcome> {
  // Credentials first: an anonymous caller learns nothing about the schema and costs no body parse.
  let principal: Principal | null = null;
  if (operation.security.length) {
    try {
      const checked = authenticate(req.headers, options.tokens, options.verifyApiKey);
      principal = checked instanceof Promise ? await checked : checked;
    } catch (err) {
      req.resume();
      throw err;
    }
  }
  state.principal = principal;

  // Quota next (a refused request costs no body read and changes nothing), then the scopes:
  // every request of a known client counts, a 403 too.
  if (principal && options.rateLimiter?.enabled) {
    const taken = options.rateLimiter.take(principal.tenantId, principal.clientId);
    const decision = taken instanceof Promise ? await taken : taken;
    state.rateLimit = decision;
    if (!decision.allowed) {
      req.resume();
      throw new HttpProblem(
        'too-many-requests',
        `This API client made its ${decision.limit} requests of this ${decision.windowSeconds}-second window; retry in ${decision.resetSeconds} seconds.`,
        { headers: { 'Retry-After': String(decision.resetSeconds) } },
      );
    }
  }
  if (principal) {
    try {
      authorize(principal, operation.security);
    } catch (err) {
      req.resume();
      throw err;
    }
  }

  // An action without a request body refuses one (415) rather than ignoring what the caller
  // meant by it; on GET a body has no meaning (RFC 9110 §9.3.1) and is dropped.
  const body =
    operation.requestContentTypes.length || operation.method !== 'GET'
      ? await readBody(req, operation.requestContentTypes, options.maxBodyBytes)
      : (req.resume(), NO_BODY);

  // No prototype: `?__proto__=x` is just an unknown parameter.
  const query: Record<string, unknown> = Object.create(null);
  if (querystring) for (const [key, value] of new URLSearchParams(querystring)) {
    const prev = query[key];
    query[key] = prev === undefined ? (operation.arrayQueryParams.has(key) ? [value] : value) : ([] as unknown[]).concat(prev, value);
  }
  const header = req.headers as Record<string, unknown>;
  const issues = options.contract.validateRequest(operation, { path, query, header, body: body.value, hasBody: body.present || operation.bodyRequired });
  if (body.present) unstorableStrings(body.value, '', issues);
  if (querystring) unstorableStrings(query, '/query', issues);
  if (issues.length) {
    throw new HttpProblem('validation-error', issues.length === 1 ? `${issues[0].pointer || 'The request body'} ${issues[0].detail}.` : `${issues.length} fields are not valid: ${fieldList(issues)}.`, {
      errors: issues,
    });
  }

  let ifMatch: IfMatch | undefined;
  if (operation.requiresIfMatch) {
    const raw = req.headers['if-match'];
    if (!raw) throw new HttpProblem('precondition-required', 'Send If-Match with the ETag of the version you are changing.');
    ifMatch = parseIfMatch(raw);
  }

  const handler = options.handlers[operation.operationId as keyof HandlerMap] as (r: HandlerRequest<any>) => Promise<{ status: number; body?: unknown; headers?: Record<string, string> }>;
  const request: HandlerRequest<any> = { params: path, query, body: body.value as never, headers: req.headers, principal, requestId: state.requestId, remoteAddress: req.socket?.remoteAddress ?? '', ifMatch };
  const key = req.headers['idempotency-key'];
  if (!operation.idempotent || typeof key !== 'string' || !principal) return replyOutcome(await handler(request));

  // The client is part of the request: another client of the tenant reusing the key gets a 422,
  // never this client's stored response (which may hold a secret).
  const hash = createHash('sha256').update(principal.clientId).update('\n').update(operation.operationId).update('\n').update(req.url ?? '').update('\n').update(body.raw).digest('hex');
  const claim = await options.idempotency.claim(principal.tenantId, key, hash);
  if (claim.kind === 'reused') throw new HttpProblem('idempotency-key-reused', `The Idempotency-Key ${key} was first used with a different request.`);
  if (claim.kind === 'in_progress') throw new HttpProblem('idempotency-key-in-use', `A request with the Idempotency-Key ${key} is still being processed; retry shortly.`);
  if (claim.kind === 'lost') {
    throw new HttpProblem(
      'conflict',
      `The first request with the Idempotency-Key ${key} was carried out, but its answer could not be stored. Check its effect, then use a new key.`,
    );
  }
  if (claim.kind === 'unreadable') {
    throw new HttpProblem(
      'conflict',
      `The stored answer to the first request with the Idempotency-Key ${key} can no longer be read (the server's secret has changed since). Check whether that request took effect, then use a new key.`,
    );
  }
  if (claim.kind === 'replay') {
    const stored = claim.response;
    // NO_STORE for answers stored before every outcome carried it.
    return { status: stored.status, headers: { ...NO_STORE, ...stored.headers, 'Idempotent-Replayed': 'true' }, body: stored.body, contentType: stored.headers['Content-Type'] };
  }
  let outcome: Outcome;
  try {
    // The unit of work marks this claim inside its transaction (IdempotencyStore.markCommitted).
    outcome = replyOutcome(await handler({ ...request, claim: { tenantId: principal.tenantId, key, token: claim.token } }));
  } catch (err) {
    outcome = errorOutcome(err, state, options.logger);
  }
  if (outcome.status >= 500) {
    await options.idempotency.release(principal.tenantId, key, claim.token);
    return outcome;
  }
  try {
    await options.idempotency.complete(principal.tenantId, key, claim.token, {
      status: outcome.status,
      headers: { ...outcome.headers, ...(outcome.contentType ? { 'Content-Type': outcome.contentType } : {}) },
      body: outcome.body ?? '',
    });
  } catch (err) {
    // The change is committed: the caller gets its real answer, not a 5xx inviting a retry. The
    // claim, marked committed with the change, is never run again: a retry hears 409.
    options.logger.error({ err, requestId: state.requestId, operationId: operation.operationId }, 'storing the idempotent response failed');
  }
  return outcome;
}

/** The first few failing fields, for a problem's `detail` (`errors` has them all). */
function fieldList(issues: readonly { pointer: string }[]): string {
  const names = issues.slice(0, 5).map((i) => (i.pointer || 'the request body').slice(0, 100));
  return issues.length > 5 ? `${names.join(', ')} and ${issues.length - 5} more` : names.join(', ');
}

/**
 * RFC 9110 §13.1.1: If-Match compares strongly, so a weak tag, or a strong one this API never
 * issued, simply matches no version (412 later); only a value that is no entity tag is a 400.
 */
function parseIfMatch(raw: string): IfMatch {
  if (raw.trim() === '*') return { any: true };
  const versions: number[] = [];
  // Entity tags may contain commas: take the list tag by tag, not split on ','.
  const tag = /\s*(W\/)?"([\x21\x23-\x7E\x80-\xFF]*)"\s*(,|$)/y;
  let m: RegExpExecArray | null;
  while (tag.lastIndex < raw.length && (m = tag.exec(raw))) {
    if (!m[1] && /^\d{1,10}$/.test(m[2])) versions.push(Number(m[2]));
    if (!m[3]) break;
  }
  if (tag.lastIndex !== raw.length) {
    throw new HttpProblem('validation-error', 'If-Match must be an entity tag this API issued, such as "3", a list of them, or *.', {
      errors: [{ pointer: '/header/if-match', detail: 'must be entity tags such as "3", or *' }],
    });
  }
  return { any: false, versions };
}
