import type { Database } from '../../../platform/db/database';
import type { SecretHasher } from '../../../platform/auth/secrets';
import type { TokenService } from '../../../platform/auth/tokens';
import { isApiClientId } from '../domain/api-client';
import { ApiClientRepository } from '../infrastructure/api-client.repository';

export class TokenRequestError extends Error {
  constructor(
    readonly code: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope',
    message: string,
  ) {
    super(message);
  }
}

export interface TokenRequest {
  grantType: string;
  clientId?: string;
  clientSecret?: string;
  /** Space-separated, as sent (RFC 6749 §3.3). */
  scope?: string;
}

/** The client-credentials grant (RFC 6749 §4.4). */
export function tokenIssuer(db: Database, tokens: TokenService, secrets: SecretHasher) {
  return async (request: TokenRequest) => {
    if (request.grantType !== 'client_credentials') {
      throw new TokenRequestError('unsupported_grant_type', `The grant type ${request.grantType} is not supported; use client_credentials.`);
    }
    if (!request.clientId || !request.clientSecret) {
      throw new TokenRequestError('invalid_client', 'Client authentication failed: send client_id and client_secret, in the body or with HTTP Basic.');
    }
    // Shed before the lookup when the secret checks are full (a 503), unless this secret is known.
    secrets.admit(request.clientId, request.clientSecret);
    const client = isApiClientId(request.clientId) ? await ApiClientRepository.findForCredentials(db, request.clientId) : null;
    const authenticated =
      client && client.snapshot.status === 'active'
        ? await secrets.verify(client.id, request.clientSecret, client.snapshot.secretHash)
        : await secrets.failCheck(request.clientId, request.clientSecret);
    if (!client || !authenticated) {
      throw new TokenRequestError('invalid_client', 'Client authentication failed.');
    }
    let requested: string[] | undefined;
    if (request.scope !== undefined) {
      requested = request.scope.split(' ');
      if (requested.some((s) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s))) {
        throw new TokenRequestError('invalid_scope', 'scope must be scope names separated by single spaces.');
      }
    }
    const grant = client.grant(requested);
    if ('refused' in grant) {
      throw new TokenRequestError('invalid_scope', `The client is not allowed the scope ${grant.refused.join(', ')}.`);
    }
    const accessToken = await tokens.issue({ tenantId: client.snapshot.tenantId, clientId: client.id }, grant.granted);
    return { accessToken, expiresIn: tokens.ttlSeconds, scope: grant.granted.join(' ') };
  };
}
