import type { IncomingHttpHeaders } from 'node:http';
import type { operations } from '../../../generated/api';
import type { Principal } from '../auth/principal';
import type { IdempotencyClaim } from '../db/unit-of-work';

/** Types of each operation's request and responses, taken from the generated contract types. */
export type OperationId = keyof operations;
type Op<K extends OperationId> = operations[K];
type Defined<T> = [T] extends [undefined] ? Record<string, never> : NonNullable<T>;

export type PathParams<K extends OperationId> = Op<K> extends { parameters: { path?: infer P } } ? Defined<P> : Record<string, never>;
export type QueryParams<K extends OperationId> = Op<K> extends { parameters: { query?: infer Q } } ? Defined<Q> : Record<string, never>;
export type RequestBody<K extends OperationId> = Op<K> extends { requestBody: { content: infer C } }
  ? C[keyof C]
  : Op<K> extends { requestBody?: { content: infer C } }
    ? C[keyof C]
    : undefined;

type Responses<K extends OperationId> = Op<K>['responses'];
type SuccessStatus<K extends OperationId> = Extract<keyof Responses<K>, 200 | 201 | 202 | 204>;
export type ResponseBody<K extends OperationId, S extends keyof Responses<K>> = Responses<K>[S] extends { content: infer C } ? C[keyof C] : undefined;

/** `If-Match`: the versions the caller based the change on, or `*`. */
export type IfMatch = { any: true } | { any: false; versions: number[] };

export interface HandlerRequest<K extends OperationId> {
  params: PathParams<K>;
  query: QueryParams<K>;
  body: RequestBody<K>;
  headers: IncomingHttpHeaders;
  /** null only on operations whose contract says `security: []`. */
  principal: Principal | null;
  requestId: string;
  /** The peer's address (the socket's; no proxy header is trusted). */
  remoteAddress: string;
  ifMatch: IfMatch | undefined;
  /** The request's Idempotency-Key claim: pass it to the unit of work that makes the change. */
  claim?: IdempotencyClaim;
}

/**
 * A body that is not JSON (an invoice's PDF): its bytes, sent as they are under their media type,
 * which the operation's response must declare (the response check refuses any other).
 */
export class BinaryBody {
  constructor(
    readonly contentType: string,
    readonly bytes: Uint8Array,
  ) {}
}

/** A binary body where the contract declares one (a `string` media type such as application/pdf). */
type BodyOf<K extends OperationId, S extends keyof Responses<K>> = ResponseBody<K, S> | (string extends ResponseBody<K, S> ? BinaryBody : never);

export type Reply<K extends OperationId> = {
  [S in SuccessStatus<K>]: { status: S; body: BodyOf<K, S>; headers?: Record<string, string> };
}[SuccessStatus<K>];

export type Handler<K extends OperationId> = (request: HandlerRequest<K>) => Promise<Reply<K>>;

/** What a module registers: a handler for each of its operationIds. */
export type HandlerMap = { [K in OperationId]?: Handler<K> };

/** Errors on operations marked `x-stratum-error-format: oauth2` take RFC 6749's shape. */
export class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope',
    readonly description: string,
    /** 429: too many failed attempts (RFC 6749 has no code of its own for it). */
    readonly status: 400 | 401 | 429 = error === 'invalid_client' ? 401 : 400,
    /** Headers of this answer (`Retry-After`, the limits on failed attempts). */
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

export function etag(version: number): string {
  return `"${version}"`;
}
