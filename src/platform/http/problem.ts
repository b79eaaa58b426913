/**
 * RFC 9457 problem details. Each kind has a stable `type`, served by this server at
 * `/problems/{kind}` with a page that explains it.
 */
import { AppError, ConflictError, InvalidInputError, NotFoundError, NotSupportedError, StaleVersionError } from '../errors';

export const PROBLEM_KINDS = {
  'validation-error': { status: 400, title: 'Your request is not valid', explain: 'The request does not match the contract. `errors` names each failing field by JSON pointer: into the body (`/name`), or `/query/…`, `/path/…`, `/header/…` for parameters. Nothing was changed.' },
  'malformed-request': { status: 400, title: 'Malformed request', explain: 'The body could not be parsed as the declared content type (for example, broken JSON). Nothing was changed.' },
  'invalid-cursor': { status: 400, title: 'Invalid cursor', explain: 'The `cursor` was modified, comes from another list, or was made for other filters or another sort. Start again from the first page.' },
  unauthorized: { status: 401, title: 'Authentication required', explain: 'No credential, or a bad one: an expired or forged token, or an API key that is wrong or belongs to a revoked client. (A token already issued stays valid until it expires, even after its client is revoked.) Get a token from `POST /v1/oauth/token` and send it as `Authorization: Bearer <token>`, or send `X-API-Key`.' },
  forbidden: { status: 403, title: 'Missing scope', explain: 'The credential is valid but does not carry a scope the operation needs. Ask for a token with that scope, or have an admin allow it for the client.' },
  'not-found': { status: 404, title: 'Not found', explain: 'There is no such resource in your tenant, or no such route. Ids of other tenants are not found either.' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', explain: 'The route exists but not with this method. `Allow` lists the methods it has.' },
  'not-acceptable': { status: 406, title: 'Not acceptable', explain: 'The `Accept` header allows none of the media types the operation answers with. Its `200` in the contract lists them (JSON everywhere; an invoice also as `application/pdf`). Send one of them, or `*/*`.' },
  conflict: { status: 409, title: 'Conflict', explain: 'The request conflicts with the current state of the resource (a duplicate, an illegal transition). `detail` says what.' },
  'idempotency-key-in-use': { status: 409, title: 'Idempotency-Key in use', explain: 'A request with the same `Idempotency-Key` is still being processed. Retry after it has finished to get its stored response.' },
  'precondition-failed': { status: 412, title: 'Precondition failed', explain: 'The `If-Match` version is not the current one: someone changed the resource since you read it. Get it again, re-apply your change, and retry.' },
  'payload-too-large': { status: 413, title: 'Payload too large', explain: 'The body is larger than the server accepts (`MAX_BODY_BYTES`).' },
  'request-timeout': { status: 408, title: 'Request timeout', explain: 'The request (its headers or its body) did not arrive within the time the server waits. Send it again.' },
  'headers-too-large': { status: 431, title: 'Request header fields too large', explain: 'The request\'s headers are larger than the server accepts (16 KiB in all). Send fewer or shorter headers.' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', explain: 'The body\'s `Content-Type` is not one the operation accepts; the contract lists the ones it does.' },
  'not-supported': { status: 422, title: 'Not supported yet', explain: 'The request is valid, but asks for something this API does not do yet (for example, a currency other than the base currency). `errors` names each field. The operation\'s description says what is supported. Nothing was changed.' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency-Key reused', explain: 'The `Idempotency-Key` was used before, within 24 hours, with a different request. Use a new key for a new request.' },
  'precondition-required': { status: 428, title: 'Precondition required', explain: 'This operation changes a versioned resource and needs `If-Match` with the `ETag` you read.' },
  'too-many-requests': { status: 429, title: 'Too many requests', explain: 'A rate limit was reached. Wait `Retry-After` seconds.' },
  'service-unavailable': { status: 503, title: 'Service unavailable', explain: 'A dependency (such as the database) is down, or the server is too busy checking credentials to take more on. Nothing was carried out. Wait `Retry-After` seconds and retry.' },
  'internal-error': { status: 500, title: 'Internal error', explain: 'A bug on our side. Nothing about it is shown; quote the `instance` (request id) when you report it.' },
} as const;

export type ProblemKind = keyof typeof PROBLEM_KINDS;

export interface FieldError {
  pointer: string;
  detail: string;
}

/** Thrown by the HTTP layer to answer with a problem. */
export class HttpProblem extends Error {
  readonly status: number;
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly options: { errors?: FieldError[]; headers?: Record<string, string>; status?: number; extensions?: Record<string, unknown> } = {},
  ) {
    super(detail);
    this.status = options.status ?? PROBLEM_KINDS[kind].status;
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function problemBody(problem: HttpProblem, requestId: string): ProblemBody {
  const body: ProblemBody = {
    type: `/problems/${problem.kind}`,
    title: PROBLEM_KINDS[problem.kind].title,
    status: problem.status,
    detail: problem.detail,
    instance: requestId,
    ...problem.options.extensions,
  };
  if (problem.options.errors) body.errors = problem.options.errors;
  return body;
}

/** A JSON pointer token (RFC 6901). */
export function pointerToken(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The problem an application error answers (errors.ts carries no HTTP): a refused input is a
 * `validation-error` naming its fields, under `under` when given (a batch item's `/items/<i>`);
 * the other kinds by their class; an AppError of no known kind is an internal error.
 */
export function problemOfAppError(err: AppError, under = ''): HttpProblem {
  if (err instanceof InvalidInputError || err instanceof NotSupportedError) {
    const kind = err instanceof InvalidInputError ? 'validation-error' : 'not-supported';
    if (!under) return new HttpProblem(kind, err.message, { errors: [...err.fields] });
    const errors = err.fields.map((f) => ({ pointer: `${under}${f.pointer}`, detail: f.detail }));
    return new HttpProblem(kind, errors.length === 1 ? `${errors[0].pointer} ${errors[0].detail}.` : err.message, { errors });
  }
  const kind: ProblemKind = err instanceof NotFoundError ? 'not-found' : err instanceof StaleVersionError ? 'precondition-failed' : err instanceof ConflictError ? 'conflict' : 'internal-error';
  return new HttpProblem(kind, kind === 'internal-error' ? 'An unexpected error occurred.' : err.message, { extensions: err.extensions });
}
