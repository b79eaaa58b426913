import type { Database } from '../../../platform/db/database';
import type { SecretHasher } from '../../../platform/auth/secrets';
import type { TokenService } from '../../../platform/auth/tokens';
import type { AttemptStanding, FailedAttempts } from '../../../platform/ratelimit/failed-attempts';
import { type ApiClient, isApiClientId } from '../domain/api-client';
import { ApiClientRepository } from '../infrastructure/api-client.repository';

export class TokenRequestError extends Error {
  constructor(
    readonly code: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope',
    message: string,
    /** Where the request stands against the limits on failed attempts, once they were consulted. */
    readonly standing?: AttemptStanding,
    /** Set when the request was refused for too many failed attempts (a 429): when to retry. */
    readonly retryAfterSeconds?: number,
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
  /** The caller's address: failed attempts are limited per address too. */
  remoteAddress?: string;
}

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
  standing?: AttemptStanding;
}

/**
 * The client-credentials grant (RFC 6749 §4.4). Failed client authentications are limited per
 * client id and per address (`failures`: the kernel's, built from the configuration and shared
 * with the API-key check).
 */
export function tokenIssuer(db: Database, tokens: TokenService, secrets: SecretHasher, failures: FailedAttempts) {
  return async (request: TokenRequest): Promise<IssuedToken> => {
    if (request.grantType !== 'client_credentials') {
      throw new TokenRequestError('unsupported_grant_type', `The grant type ${request.grantType} is not supported; use client_credentials.`);
    }
    const { clientId, clientSecret } = request;
    if (!clientId || !clientSecret) {
      throw new TokenRequestError('invalid_client', 'Client authentication failed: send client_id and client_secret, in the body or with HTTP Basic.');
    }
    // Shed before the lookup when the secret checks are full (a 503), unless this secret is known.
    secrets.admit(clientId, clientSecret);
    // Only a well-formed id can be some client's: any other counts against the address alone.
    const attempt = await failures.begin({ clientId: isApiClientId(clientId) ? clientId : undefined, address: request.remoteAddress }, secrets.remembers(clientId, clientSecret));
    if (attempt.refusedBy) {
      const seconds = attempt.retryAfterSeconds;
      const what = attempt.refusedBy === 'failures-per-client-id' ? 'for this client id' : 'from this address';
      throw new TokenRequestError('invalid_request', `Too many failed client authentications ${what}; retry in ${seconds} seconds.`, attempt.standing(), seconds);
    }
    let authenticated: boolean;
    let client: ApiClient | null;
    try {
      client = isApiClientId(clientId) ? await ApiClientRepository.findForCredentials(db, clientId) : null;
      authenticated =
        client && client.snapshot.status === 'active' ? await secrets.verify(client.id, clientSecret, client.snapshot.secretHash) : await secrets.failCheck(clientId, clientSecret);
    } catch (err) {
      // Not an answer about the secret (the database, the checks' queue): nothing to count.
      attempt.done();
      throw err;
    }
    if (!client || !authenticated) {
      await attempt.failed();
      throw new TokenRequestError('invalid_client', 'Client authentication failed.', attempt.standing());
    }
    attempt.done();
    let requested: string[] | undefined;
    if (request.scope !== undefined) {
      requested = request.scope.split(' ');
      if (requested.some((s) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s))) {
        throw new TokenRequestError('invalid_scope', 'scope must be scope names separated by single spaces.', attempt.standing());
      }
    }
    const grant = client.grant(requested);
    if ('refused' in grant) {
      throw new TokenRequestError('invalid_scope', `The client is not allowed the scope ${grant.refused.join(', ')}.`, attempt.standing());
    }
    const accessToken = await tokens.issue({ tenantId: client.snapshot.tenantId, clientId: client.id }, grant.granted);
    return { accessToken, expiresIn: tokens.ttlSeconds, scope: grant.granted.join(' '), standing: attempt.standing() };
  };
}
