import type { components } from '../../../../generated/api';
import { type HandlerMap, type IfMatch, OAuthError, etag } from '../../../platform/http/handler';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import { HttpProblem } from '../../../platform/http/problem';
import type { Principal } from '../../../platform/auth/principal';
import type { ApiClientState } from '../domain/api-client';
import type { ApiClientUseCases } from '../application/api-clients';
import { type IssuedToken, TokenRequestError, type TokenRequest } from '../application/issue-token';
import { failureLimitHeaders } from '../../../platform/ratelimit/failed-attempts';
import type { TenantUseCases } from '../application/tenants';
import type { Tenant } from '../domain/tenant';
import { API_CLIENT_LIST } from '../infrastructure/api-client.repository';

type Schemas = components['schemas'];

export interface PlatformHandlerDeps {
  apiClients: ApiClientUseCases;
  tenants: TenantUseCases;
  issueToken: (request: TokenRequest) => Promise<IssuedToken>;
  cursors: CursorCodec;
  /** The database answers, and the process is not shutting down. */
  ready: () => Promise<boolean>;
}

function toApiClient(s: Readonly<ApiClientState>): Schemas['ApiClient'] {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    name: s.name,
    description: s.description,
    scopes: s.scopes as Schemas['Scope'][],
    status: s.status,
    version: s.version,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
    secret_rotated_at: s.secretRotatedAt?.toISOString() ?? null,
    revoked_at: s.revokedAt?.toISOString() ?? null,
  };
}

function toTenant(t: Tenant): Schemas['Tenant'] {
  return { id: t.id, name: t.name, created_at: t.createdAt.toISOString() };
}

/** Secured operations always have a principal: the pipeline refuses them without one. */
function caller(principal: Principal | null): Principal {
  if (!principal) throw new Error('secured operation reached without a principal');
  return principal;
}

const expected = (ifMatch: IfMatch | undefined) => (!ifMatch || ifMatch.any ? undefined : ifMatch.versions);

/** RFC 6749 §2.3.1: client credentials in the body, or HTTP Basic (form-urlencoded parts). */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = header && /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  try {
    return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

export function platformHandlers(deps: PlatformHandlerDeps): HandlerMap {
  const { apiClients, tenants, cursors } = deps;
  return {
    async issueToken({ body, headers, remoteAddress }) {
      const basic = basicCredentials(headers.authorization);
      if (headers.authorization && !basic) throw new OAuthError('invalid_client', 'The Authorization header must be HTTP Basic with client_id:client_secret.');
      if (basic && (body.client_id !== undefined || body.client_secret !== undefined)) {
        throw new OAuthError('invalid_request', 'Authenticate with HTTP Basic or with client_id and client_secret in the body, not both.');
      }
      try {
        const token = await deps.issueToken({
          grantType: body.grant_type,
          clientId: basic?.id ?? body.client_id,
          clientSecret: basic?.secret ?? body.client_secret,
          scope: body.scope,
          remoteAddress,
        });
        return {
          status: 200,
          headers: { Pragma: 'no-cache', ...(token.standing && failureLimitHeaders(token.standing)) },
          body: { access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresIn, scope: token.scope },
        };
      } catch (err) {
        if (!(err instanceof TokenRequestError)) throw err;
        const limits = err.standing ? failureLimitHeaders(err.standing) : {};
        // Too many failed attempts: a 429 in RFC 6749's format, like every error of this operation.
        if (err.retryAfterSeconds !== undefined) throw new OAuthError(err.code, err.message, 429, { ...limits, 'Retry-After': String(err.retryAfterSeconds) });
        throw new OAuthError(err.code, err.message, undefined, limits);
      }
    },

    async getLiveness() {
      return { status: 200, body: { status: 'ok' } };
    },

    async getReadiness() {
      if (!(await deps.ready())) {
        throw new HttpProblem('service-unavailable', 'The database is not reachable, or the process is shutting down.', { headers: { 'Retry-After': '5' } });
      }
      return { status: 200, body: { status: 'ok', checks: { database: 'ok' } } };
    },

    async getCaller({ principal }) {
      const me = caller(principal);
      const tenant = await tenants.get(me.tenantId);
      return {
        status: 200,
        body: {
          tenant: toTenant(tenant),
          api_client_id: me.clientId,
          scopes: [...me.scopes].sort() as Schemas['Scope'][],
          credential: me.via === 'bearer' ? 'bearer_token' : 'api_key',
        },
      };
    },

    async getTenant({ params, principal }) {
      const me = caller(principal);
      // Another tenant's id is not found, exactly like an id that does not exist.
      if (params.tenant_id !== me.tenantId) throw new HttpProblem('not-found', `There is no tenant ${params.tenant_id}.`);
      const tenant = await tenants.get(me.tenantId);
      return { status: 200, body: toTenant(tenant) };
    },

    async listApiClients({ query, principal }) {
      const { tenantId } = caller(principal);
      const list = readListQuery(API_CLIENT_LIST, query, tenantId, cursors);
      return { status: 200, body: list.body(await apiClients.list(tenantId, list.request), toApiClient) };
    },

    async createApiClient({ body, principal, claim }) {
      const me = caller(principal);
      const { client, secret } = await apiClients.create(me.tenantId, body, claim);
      return {
        status: 201,
        headers: { Location: `/v1/platform/api-clients/${client.id}`, ETag: etag(client.version) },
        body: { api_client: toApiClient(client), client_secret: secret },
      };
    },

    async getApiClient({ params, principal }) {
      const client = await apiClients.get(caller(principal).tenantId, params.api_client_id);
      return { status: 200, headers: { ETag: etag(client.version) }, body: toApiClient(client) };
    },

    async updateApiClient({ params, body, principal, ifMatch }) {
      const me = caller(principal);
      const client = await apiClients.update(me.tenantId, params.api_client_id, expected(ifMatch), body, me);
      return { status: 200, headers: { ETag: etag(client.version) }, body: toApiClient(client) };
    },

    async revokeApiClient({ params, principal, ifMatch, claim }) {
      const me = caller(principal);
      const client = await apiClients.revoke(me.tenantId, params.api_client_id, expected(ifMatch), me, claim);
      return { status: 200, headers: { ETag: etag(client.version) }, body: toApiClient(client) };
    },

    async rotateApiClientSecret({ params, principal, ifMatch, claim }) {
      const { client, secret } = await apiClients.rotateSecret(caller(principal).tenantId, params.api_client_id, expected(ifMatch), claim);
      return {
        status: 200,
        headers: { ETag: etag(client.version) },
        body: { api_client: toApiClient(client), client_secret: secret },
      };
    },
  };
}
