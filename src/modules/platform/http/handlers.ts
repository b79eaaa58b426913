import type { components } from '../../../../generated/api';
import { type HandlerMap, OAuthError, etag } from '../../../platform/http/handler';
import { callerOf, expectedVersions, iso, isoOrNull, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import { HttpProblem } from '../../../platform/http/problem';
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
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
    secret_rotated_at: isoOrNull(s.secretRotatedAt),
    revoked_at: isoOrNull(s.revokedAt),
  };
}

function toTenant(t: Tenant): Schemas['Tenant'] {
  return { id: t.id, name: t.name, created_at: iso(t.createdAt) };
}


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

    async getCaller(request) {
      const me = callerOf(request);
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

    async getTenant(request) {
      const { params } = request;
      const me = callerOf(request);
      // Another tenant's id is not found, exactly like an id that does not exist.
      if (params.tenant_id !== me.tenantId) throw new HttpProblem('not-found', `There is no tenant ${params.tenant_id}.`);
      const tenant = await tenants.get(me.tenantId);
      return { status: 200, body: toTenant(tenant) };
    },

    async listApiClients(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(API_CLIENT_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await apiClients.list(tenantId, list.request), toApiClient) };
    },

    async createApiClient(request) {
      const { client, secret } = await apiClients.create(tenantOf(request), request.body, request.claim);
      return {
        status: 201,
        headers: { Location: `/v1/platform/api-clients/${client.id}`, ETag: etag(client.version) },
        body: { api_client: toApiClient(client), client_secret: secret },
      };
    },

    async getApiClient(request) {
      const client = await apiClients.get(tenantOf(request), request.params.api_client_id);
      return { status: 200, headers: { ETag: etag(client.version) }, body: toApiClient(client) };
    },

    async updateApiClient(request) {
      const me = callerOf(request);
      const client = await apiClients.update(me.tenantId, request.params.api_client_id, expectedVersions(request.ifMatch), request.body, me);
      return { status: 200, headers: { ETag: etag(client.version) }, body: toApiClient(client) };
    },

    async revokeApiClient(request) {
      const me = callerOf(request);
      const client = await apiClients.revoke(me.tenantId, request.params.api_client_id, expectedVersions(request.ifMatch), me, request.claim);
      return { status: 200, headers: { ETag: etag(client.version) }, body: toApiClient(client) };
    },

    async rotateApiClientSecret(request) {
      const { client, secret } = await apiClients.rotateSecret(tenantOf(request), request.params.api_client_id, expectedVersions(request.ifMatch), request.claim);
      return {
        status: 200,
        headers: { ETag: etag(client.version) },
        body: { api_client: toApiClient(client), client_secret: secret },
      };
    },
  };
}
