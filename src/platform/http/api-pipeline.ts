import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type Koa from 'koa';
import type { Logger } from 'pino';
import type { ApiKeyVerifier, Principal } from '../auth/principal';
import type { TokenService } from '../auth/tokens';
import type { IdempotencyStore } from '../idempotency/idempotency-store';
import type { RateDecision, RateLimiter } from '../ratelimit/rate-limiter';
import { authenticate, authorize } from './authenticate';
import { NO_BODY, type ParsedBody as Body, readBody, unstorableStrings } from './body';
import type { Contract, OperationSpec, RouteMatch } from './contract';
import type { HandlerMap, HandlerRequest, IfMatch } from './handler';
import { HttpProblem } from './problem';
import { errorOutcome, noStore, type Outcome, rateLimitHeaders, replyOutcome, type RequestState, write } from './outcome';

export const API_BASE = '/v1';

export interface ApiOptions {
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
}

type AnyHandler = (r: HandlerRequest<any>) => Promise<{ status: number; body?: unknown; headers?: Record<string, string> }>;

/** What the stages before the handler produce: the handler's request, and what idempotency needs. */
interface Prepared {
  req: IncomingMessage;
  operation: OperationSpec;
  principal: Principal | null;
  body: Body;
  request: HandlerRequest<any>;
}

/** `/v1/…` without Koa's delegating getters; see requestTarget. */
const API_PREFIX = `${API_BASE}/`;
/** Characters for which Koa's parser (parseurl) falls back to a full URL parse: not a plain origin-form target. */
const NOT_PLAIN = /[\t\n\f\r #\u00a0\ufeff]/;

/**
 * The path and query string of the request as Koa's `ctx.path` and `ctx.querystring` give them,
 * read straight from `req.url` for the usual origin-form target (`/path?query`); anything else
 * (an absolute-form target, a fragment) is left to Koa's own parser. Read when called, so a
 * middleware in front that rewrote `ctx.path` is seen.
 */
export function requestTarget(ctx: Koa.Context): [path: string, querystring: string] {
  const url = ctx.req.url;
  if (!url || url.charCodeAt(0) !== 47 /* / */ || NOT_PLAIN.test(url)) return [ctx.path, ctx.querystring];
  const q = url.indexOf('?');
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q + 1)];
}

/**
 * The API as one Koa middleware: every request under /v1 runs these stages, in this order —
 *
 *   route → authenticate → rate limit → authorize → body + validation → If-Match → idempotency → handler → response check
 *
 * and leaves its answer on the Koa context, so middleware in front of it (CORS, compression, an
 * operator's own) sees and can change it like any other. The stages are plain functions called
 * in turn, not one Koa middleware each: each middleware layer costs a closure and a promise per
 * request for nothing here, since no stage wraps the ones after it (docs/decisions.md).
 * Requests outside /v1 pass on to the next middleware.
 *
 * A stage answers synchronously when it has nothing to wait for (a cached token, a quota counted
 * in memory, no body), and the handler's promise is the only one a read waits on: its answer is
 * turned into an outcome, checked and put on the context in one continuation.
 */
export function apiMiddleware(options: ApiOptions): Koa.Middleware {
  const { contract, logger } = options;
  return (ctx, next) => {
    const [path, querystring] = requestTarget(ctx);
    if (!path.startsWith(API_PREFIX)) return next();
    const state = ctx.state.request as RequestState;
    const req = ctx.req;
    const method = req.method ?? 'GET';
    let operation: OperationSpec;
    let params: Record<string, string>;
    try {
      ({ operation, params } = route(method, path));
    } catch (err) {
      // No operation: nothing to check the problem against.
      write(ctx, errorOutcome(err, state, logger), state, logger);
      return undefined;
    }
    state.operation = operation;
    try {
      const prepared = prepare(req, querystring, params, operation, state);
      if (prepared instanceof Promise) return prepared.then((p) => execute(ctx, p, state), (err: unknown) => fail(ctx, operation, state, err));
      return execute(ctx, prepared, state);
    } catch (err) {
      fail(ctx, operation, state, err);
      return undefined;
    }
  };

  /** Past routing every answer, a problem included, is checked against the contract (outside production). */
  function answer(ctx: Koa.Context, operation: OperationSpec, state: RequestState, outcome: Outcome): void {
    write(ctx, options.validateResponses ? checked(operation, outcome, state) : outcome, state, logger);
  }

  function fail(ctx: Koa.Context, operation: OperationSpec, state: RequestState, err: unknown): void {
    answer(ctx, operation, state, errorOutcome(err, state, logger));
  }

  function route(method: string, path: string): RouteMatch {
    const match = contract.match(method, path.slice(API_BASE.length));
    if (!match) throw new HttpProblem('not-found', `There is no route ${method} ${path}.`);
    if ('allow' in match) {
      throw new HttpProblem('method-not-allowed', `${path} does not support ${method}; it supports ${match.allow.join(', ')}.`, {
        headers: { Allow: match.allow.join(', ') },
      });
    }
    return match;
  }

  /** Authentication, quota and authorization, then the body and validation: synchronous unless a stage has to wait. */
  function prepare(req: IncomingMessage, querystring: string, params: Record<string, string>, operation: OperationSpec, state: RequestState): Prepared | Promise<Prepared> {
    const remoteAddress = req.socket?.remoteAddress ?? '';
    let admitted: Principal | null | Promise<Principal | null>;
    try {
      const checked = authenticateStage(req, operation, remoteAddress);
      admitted = checked instanceof Promise ? checked.then((principal) => admitCaller(principal, operation, state)) : admitCaller(checked, operation, state);
    } catch (err) {
      // Refused before the body: drain it, so the connection can carry the next request.
      req.resume();
      throw err;
    }
    if (admitted instanceof Promise) {
      return admitted.then(
        (principal) => readRequest(req, querystring, params, operation, state, principal, remoteAddress),
        (err: unknown) => {
          req.resume();
          throw err;
        },
      );
    }
    return readRequest(req, querystring, params, operation, state, admitted, remoteAddress);
  }

  /** The caller is known: count it against its quota (a refused request changes nothing), then check its scopes. */
  function admitCaller(principal: Principal | null, operation: OperationSpec, state: RequestState): Principal | null | Promise<Principal | null> {
    state.principal = principal;
    const limited = rateLimitStage(principal, state);
    if (limited) return limited.then(() => authorized(principal, operation));
    return authorized(principal, operation);
  }

  function authorized(principal: Principal | null, operation: OperationSpec): Principal | null {
    if (principal) authorize(principal, operation.security);
    return principal;
  }

  function readRequest(req: IncomingMessage, querystring: string, params: Record<string, string>, operation: OperationSpec, state: RequestState, principal: Principal | null, remoteAddress: string): Prepared | Promise<Prepared> {
    const read = bodyStage(req, operation);
    if (read instanceof Promise) return read.then((body) => handlerRequest(req, querystring, params, operation, state, principal, remoteAddress, body));
    return handlerRequest(req, querystring, params, operation, state, principal, remoteAddress, read);
  }

  function handlerRequest(req: IncomingMessage, querystring: string, params: Record<string, string>, operation: OperationSpec, state: RequestState, principal: Principal | null, remoteAddress: string, body: Body): Prepared {
    const query = queryOf(querystring, operation);
    validateStage(req, operation, params, query, body, querystring);
    const ifMatch = ifMatchStage(req, operation);
    const request: HandlerRequest<any> = {
      params,
      query,
      body: body.value as never,
      headers: req.headers,
      principal,
      requestId: state.requestId,
      remoteAddress,
      ifMatch,
    };
    return { req, operation, principal, body, request };
  }

  /**
   * Without an Idempotency-Key (every read) the handler runs straight, and its reply is answered
   * in the continuation of the handler's own promise.
   */
  function execute(ctx: Koa.Context, prepared: Prepared, state: RequestState): Promise<void> {
    const { req, operation, principal, body, request } = prepared;
    const handler = options.handlers[operation.operationId as keyof HandlerMap] as AnyHandler;
    const key = req.headers['idempotency-key'];
    // Inline callbacks, not named closures: tsx (npm start) wraps every named function it creates in a `__name` call.
    try {
      if (!operation.idempotent || typeof key !== 'string' || !principal) {
        return handler(request).then(
          (reply) => answer(ctx, operation, state, replyOutcome(reply)),
          (err: unknown) => fail(ctx, operation, state, err),
        );
      }
      return idempotent(req, operation, principal, key, body, request, state, handler).then(
        (outcome) => answer(ctx, operation, state, outcome),
        (err: unknown) => fail(ctx, operation, state, err),
      );
    } catch (err) {
      // A handler that threw instead of rejecting.
      fail(ctx, operation, state, err);
      return Promise.resolve();
    }
  }

  /** Credentials first: an anonymous caller learns nothing about the schema and costs no body parse. */
  function authenticateStage(req: IncomingMessage, operation: OperationSpec, remoteAddress: string): Principal | null | Promise<Principal | null> {
    return operation.security.length ? authenticate(req.headers, remoteAddress, options.tokens, options.verifyApiKey) : null;
  }

  /** Quota next: a refused request costs no body read and changes nothing; a 403 counts too. */
  function rateLimitStage(principal: Principal | null, state: RequestState): Promise<void> | undefined {
    if (!principal || !options.rateLimiter?.enabled) return undefined;
    const taken = options.rateLimiter.take(principal.tenantId, principal.clientId);
    if (taken instanceof Promise) return taken.then((decision) => admit(decision, state));
    admit(taken, state);
    return undefined;
  }

  function admit(decision: RateDecision, state: RequestState): void {
    state.rateLimit = decision;
    if (!decision.allowed) {
      throw new HttpProblem(
        'too-many-requests',
        `This API client made its ${decision.limit} requests of this ${decision.windowSeconds}-second window; retry in ${decision.resetSeconds} seconds.`,
        { headers: { 'Retry-After': String(decision.resetSeconds) } },
      );
    }
  }

  /**
   * An action without a request body refuses one (415) rather than ignoring what the caller
   * meant by it; on GET a body has no meaning (RFC 9110 §9.3.1) and is dropped.
   */
  function bodyStage(req: IncomingMessage, operation: OperationSpec): Promise<Body> | Body {
    if (operation.requestContentTypes.length || operation.method !== 'GET') return readBody(req, operation.requestContentTypes, options.maxBodyBytes);
    req.resume();
    return NO_BODY;
  }

  function validateStage(req: IncomingMessage, operation: OperationSpec, params: Record<string, string>, query: Record<string, unknown>, body: Body, querystring: string): void {
    const header = req.headers as Record<string, unknown>;
    const issues = contract.validateRequest(operation, { path: params, query, header, body: body.value, hasBody: body.present || operation.bodyRequired });
    if (body.present) unstorableStrings(body.value, '', issues);
    if (querystring) unstorableStrings(query, '/query', issues);
    if (issues.length) {
      throw new HttpProblem('validation-error', issues.length === 1 ? `${issues[0].pointer || 'The request body'} ${issues[0].detail}.` : `${issues.length} fields are not valid: ${fieldList(issues)}.`, {
        errors: issues,
      });
    }
  }

  function ifMatchStage(req: IncomingMessage, operation: OperationSpec): IfMatch | undefined {
    if (!operation.requiresIfMatch) return undefined;
    const raw = req.headers['if-match'];
    if (!raw) throw new HttpProblem('precondition-required', 'Send If-Match with the ETag of the version you are changing.');
    return parseIfMatch(raw);
  }

  async function idempotent(req: IncomingMessage, operation: OperationSpec, principal: Principal, key: string, body: Body, request: HandlerRequest<any>, state: RequestState, handler: AnyHandler): Promise<Outcome> {

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
      // noStore for answers stored before every outcome carried it.
      return { status: stored.status, headers: { ...noStore(stored.headers), 'Idempotent-Replayed': 'true' }, body: stored.body, contentType: stored.headers['Content-Type'] };
    }
    let outcome: Outcome;
    try {
      // The unit of work marks this claim inside its transaction (IdempotencyStore.markCommitted).
      outcome = replyOutcome(await handler({ ...request, claim: { tenantId: principal.tenantId, key, token: claim.token } }));
    } catch (err) {
      outcome = errorOutcome(err, state, logger);
    }
    if (outcome.status >= 500) {
      await options.idempotency.release(principal.tenantId, key, claim.token);
      return outcome;
    }
    // Answers replayed by key are JSON (or none): no idempotent operation answers in bytes.
    if (outcome.body !== undefined && typeof outcome.body !== 'string') throw new Error(`${operation.operationId} answered a binary body; it cannot be stored for replay`);
    try {
      await options.idempotency.complete(principal.tenantId, key, claim.token, {
        status: outcome.status,
        headers: { ...outcome.headers, ...(outcome.contentType ? { 'Content-Type': outcome.contentType } : {}) },
        body: outcome.body ?? '',
      });
    } catch (err) {
      // The change is committed: the caller gets its real answer, not a 5xx inviting a retry. The
      // claim, marked committed with the change, is never run again: a retry hears 409.
      logger.error({ err, requestId: state.requestId, operationId: operation.operationId }, 'storing the idempotent response failed');
    }
    return outcome;
  }

  function checked(operation: OperationSpec, outcome: Outcome, state: RequestState): Outcome {
    try {
      return check(operation, outcome, state);
    } catch (err) {
      return errorOutcome(err, state, logger);
    }
  }

  /** The last stage: what goes out must be what the contract says, or it becomes a logged 500. */
  function check(operation: OperationSpec, outcome: Outcome, state: RequestState): Outcome {
    // What `write` will add: the request id and the rate limit headers.
    const headers = { ...outcome.headers, ...(state.rateLimit ? rateLimitHeaders(state.rateLimit) : {}), 'x-request-id': state.requestId };
    const problems = contract.validateResponse(operation, outcome.status, outcome.contentType, headers, typeof outcome.body === 'string' ? JSON.parse(outcome.body) : outcome.body);
    if (!problems.length) return outcome;
    logger.error({ operationId: operation.operationId, status: outcome.status, problems, requestId: state.requestId }, 'response does not match the contract');
    return errorOutcome(new Error(`response does not match the contract: ${problems.join('; ')}`), { requestId: state.requestId, status: 0 }, logger, true);
  }
}

/** No prototype: `?__proto__=x` is just an unknown parameter. */
function queryOf(querystring: string, operation: OperationSpec): Record<string, unknown> {
  const query: Record<string, unknown> = Object.create(null);
  if (querystring) for (const [key, value] of new URLSearchParams(querystring)) {
    const prev = query[key];
    query[key] = prev === undefined ? (operation.arrayQueryParams.has(key) ? [value] : value) : ([] as unknown[]).concat(prev, value);
  }
  return query;
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
