import type Koa from 'koa';
import type { Logger } from 'pino';
import { AppError } from '../errors';
import type { Principal } from '../auth/principal';
import { SecretChecksBusyError } from '../auth/secrets';
import { isDatabaseMisconfigured, isDatabaseUnavailable } from '../db/unavailable';
import type { RateDecision } from '../ratelimit/rate-limiter';
import type { OperationSpec } from './contract';
import { BinaryBody, OAuthError } from './handler';
import { HttpProblem, problemBody, problemOfAppError } from './problem';

/** Seconds a client should wait when the database is down. */
const RETRY_AFTER_UNAVAILABLE_S = 5;

/**
 * What an API request answers, before it is written: the pipeline builds one per request (from
 * a handler's reply or from an error) and checks it against the contract, then `send` writes it.
 */
export interface Outcome {
  status: number;
  headers: Record<string, string>;
  /** Serialized JSON, the bytes of a binary body (a PDF), or undefined for none. */
  body: string | Uint8Array | undefined;
  contentType: string | undefined;
}

export interface RequestState {
  requestId: string;
  /** The status sent, for the request log. */
  status: number;
  operation?: OperationSpec;
  principal?: Principal | null;
  /** Where the caller stands against its quota; its headers go on every response after authentication. */
  rateLimit?: RateDecision;
}

/** IETF RateLimit header fields (draft): the policy, and what is left of it. */
export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  return { 'RateLimit-Policy': d.policy, RateLimit: rateLimitValue(d) };
}

function rateLimitValue(d: RateDecision): string {
  return `"per-client";r=${d.remaining};t=${d.resetSeconds}`;
}

/**
 * Every API answer says `Cache-Control: no-store` (an outcome may say otherwise itself): it is
 * part of the outcome, so the contract check in app.ts sees what is sent. A literal with the
 * outcome's own headers spread into it: spreading a shared object into each answer first took
 * V8's slow clone path (CloneObjectIC_Slow, a define per property) under the server's mix of
 * header shapes.
 */
export function noStore(headers?: Readonly<Record<string, string>>): Record<string, string> {
  return headers ? { 'Cache-Control': 'no-store', ...headers } : { 'Cache-Control': 'no-store' };
}

export function replyOutcome(reply: { status: number; body?: unknown; headers?: Record<string, string> }): Outcome {
  if (reply.body instanceof BinaryBody) return { status: reply.status, headers: noStore(reply.headers), body: reply.body.bytes, contentType: reply.body.contentType };
  const json = reply.body === undefined ? undefined : JSON.stringify(reply.body);
  return { status: reply.status, headers: noStore(reply.headers), body: json, contentType: json === undefined ? undefined : 'application/json' };
}

export function errorOutcome(err: unknown, state: RequestState, logger: Logger, alreadyLogged = false): Outcome {
  let problem: HttpProblem;
  if (err instanceof OAuthError) {
    // RFC 6749 §5.2: a 401 names the client authentication scheme (HTTP Basic).
    const headers: Record<string, string> = err.status === 401 ? { ...err.headers, 'WWW-Authenticate': 'Basic realm="stratum"' } : err.headers;
    return jsonOutcome(err.status, { error: err.error, error_description: err.description }, 'application/json', headers);
  } else if (err instanceof HttpProblem) {
    problem = err;
  } else if (err instanceof AppError) {
    problem = problemOfAppError(err);
    if (problem.kind === 'internal-error') logger.error({ err, requestId: state.requestId }, 'unmapped application error');
  } else if (isClientHttpError(err)) {
    problem = new HttpProblem(err.status === 413 ? 'payload-too-large' : 'malformed-request', err.status === 413 ? 'The body is too large.' : 'The request could not be read.', { status: err.status === 413 ? 413 : 400 });
  } else if (err instanceof SecretChecksBusyError) {
    logger.warn({ requestId: state.requestId, operationId: state.operation?.operationId }, 'secret checks busy: request shed');
    problem = new HttpProblem('service-unavailable', 'Too many credential checks are waiting right now, so this one was not carried out. Retry shortly.', {
      headers: { 'Retry-After': '1' },
    });
  } else if (isDatabaseUnavailable(err)) {
    const level = isDatabaseMisconfigured(err) ? 'error' : 'warn';
    logger[level]({ err, requestId: state.requestId, operationId: state.operation?.operationId }, 'database unavailable');
    problem = new HttpProblem('service-unavailable', 'The database is not reachable or too busy right now, so the request was not carried out. Retry shortly; a POST is safe to retry with the same Idempotency-Key.', {
      headers: { 'Retry-After': String(RETRY_AFTER_UNAVAILABLE_S) },
    });
  } else {
    if (!alreadyLogged) logger.error({ err, requestId: state.requestId, operationId: state.operation?.operationId }, 'unexpected error');
    problem = new HttpProblem('internal-error', 'An unexpected error occurred; quote the instance when you report it.');
  }
  if (state.operation?.errorFormat === 'oauth2' && problem.status < 500) {
    const description = problem.options.errors?.length ? problem.options.errors.map((e) => `${e.pointer.replace(/^\//, '') || 'the request body'} ${e.detail}`).join('; ') : problem.detail;
    // RFC 6749 §5.2: a grant type outside the contract's enum is unsupported, not malformed.
    const unsupported = problem.options.errors?.some((e) => e.pointer === '/grant_type' && e.detail.startsWith('must be one of'));
    return jsonOutcome(400, { error: unsupported ? 'unsupported_grant_type' : 'invalid_request', error_description: description }, 'application/json', {});
  }
  return jsonOutcome(problem.status, problemBody(problem, state.requestId), 'application/problem+json', problem.options.headers ?? {});
}

function isClientHttpError(err: unknown): err is { status: number } {
  const status = (err as { status?: unknown })?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

export function jsonOutcome(status: number, body: unknown, contentType: string, headers: Record<string, string>): Outcome {
  return { status, headers: noStore(headers), body: JSON.stringify(body), contentType };
}

/**
 * Puts an outcome on the Koa context: its headers (and the caller's rate limit ones) straight on
 * `res`, its body as `ctx.body`, so Koa's respond writes it and middleware in front may still
 * change it (compression). A header Node refuses (a bad character in a value a handler built)
 * undoes this outcome's headers and answers a 500 instead, keeping what middleware set before.
 */
export function write(ctx: Koa.Context, outcome: Outcome, state: RequestState, logger: Logger): void {
  const res = ctx.res;
  try {
    put(ctx, outcome, state);
  } catch (err) {
    logger.error({ err, requestId: state.requestId, operationId: state.operation?.operationId }, 'writing the response failed');
    // What `put` may have set (not listing the names first: that would cost every request).
    // Not Vary: it holds what middleware in front said too (CORS's Origin, compression's Accept-Encoding).
    for (const name of [...Object.keys(outcome.headers), 'Content-Type', 'RateLimit', 'RateLimit-Policy']) if (name.toLowerCase() !== 'vary') res.removeHeader(name);
    put(ctx, errorOutcome(err, { requestId: state.requestId, status: 0 }, logger, true), { requestId: state.requestId, status: 0 });
  }
  state.status = outcome.status;
}

function put(ctx: Koa.Context, outcome: Outcome, state: RequestState): void {
  const res = ctx.res;
  const headers = outcome.headers;
  for (const name in headers) {
    if (name.length === 12 && name.toLowerCase() === 'content-type') continue;
    // Vary adds to what middleware in front said (CORS's Origin), never replaces it.
    if (name.length === 4 && name.toLowerCase() === 'vary') ctx.vary(headers[name]);
    else res.setHeader(name, headers[name]);
  }
  // The same fields the response check expects (rateLimitHeaders).
  const limit = state.rateLimit;
  if (limit) {
    res.setHeader('RateLimit-Policy', limit.policy);
    res.setHeader('RateLimit', rateLimitValue(limit));
  }
  ctx.status = outcome.status;
  if (outcome.body !== undefined) {
    // Content-Type first: Koa then skips guessing the type of the body.
    if (typeof outcome.body === 'string') {
      res.setHeader('Content-Type', `${outcome.contentType ?? 'application/json'}; charset=utf-8`);
      ctx.body = outcome.body;
    } else {
      res.setHeader('Content-Type', outcome.contentType ?? 'application/octet-stream');
      ctx.body = Buffer.from(outcome.body.buffer, outcome.body.byteOffset, outcome.body.byteLength);
    }
  } else {
    ctx.body = null;
  }
}
