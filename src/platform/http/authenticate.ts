import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKeyVerifier, Principal } from '../auth/principal';
import { InvalidTokenError, TokenService } from '../auth/tokens';
import type { SecurityAlternative } from './contract';
import { HttpProblem } from './problem';

const CHALLENGE = 'Bearer realm="stratum"';

function unauthorized(detail: string, tokenError?: string): HttpProblem {
  const challenge = tokenError ? `${CHALLENGE}, error="invalid_token", error_description="${detail.replace(/"/g, "'")}"` : CHALLENGE;
  return new HttpProblem('unauthorized', detail, { headers: { 'WWW-Authenticate': challenge } });
}

/**
 * Finds who is calling: a valid bearer token or API key, else 401. Whether the operation
 * accepts that credential is `authorize`'s question, asked after the request is counted
 * against the caller's quota. A bearer token verified before answers without a promise;
 * anything else returns one.
 */
export function authenticate(headers: IncomingHttpHeaders, address: string, tokens: TokenService, verifyApiKey: ApiKeyVerifier): Principal | Promise<Principal> {
  const authorization = headers.authorization;
  // An empty Authorization header is no credential: an X-API-Key may still follow.
  if (authorization) {
    // The hot path: the usual spelling and a token verified before (so one of the right form).
    if (authorization.startsWith('Bearer ')) {
      const known = tokens.cached(authorization.slice(7));
      if (known) return known;
    }
    const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization);
    if (!m) throw unauthorized('The Authorization header must be `Bearer <token>`.');
    const known = tokens.cached(m[1]);
    if (known) return known;
    return tokens.verify(m[1]).catch((err) => {
      if (err instanceof InvalidTokenError) throw unauthorized(err.message, 'invalid_token');
      throw err;
    });
  }
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string') {
    const dot = apiKey.indexOf('.');
    if (dot <= 0) throw unauthorized('The API key is not valid, or its client is revoked.');
    return verifyApiKey(apiKey.slice(0, dot), apiKey.slice(dot + 1), address).then((found) => {
      if (!found) throw unauthorized('The API key is not valid, or its client is revoked.');
      if ('retryAfterSeconds' in found) {
        const what = found.refusedBy === 'failures-per-client-id' ? 'for this client id' : 'from this address';
        throw new HttpProblem('too-many-requests', `Too many failed API key checks ${what}; the key was not checked. Retry in ${found.retryAfterSeconds} seconds.`, {
          headers: { 'Retry-After': String(found.retryAfterSeconds) },
        });
      }
      return found;
    });
  }
  throw unauthorized('This operation needs a bearer token (`Authorization: Bearer <token>`) or an `X-API-Key`.');
}

/**
 * The operation's security requirements come from the contract: any one alternative whose
 * scheme is the credential's and whose scopes it carries lets the request in; else 403 (with an
 * RFC 6750 `insufficient_scope` challenge for bearer tokens), or 401 for a scheme it refuses.
 */
export function authorize(principal: Principal, security: readonly SecurityAlternative[]): void {
  const alternatives = security.filter((s) => s.scheme === principal.via);
  if (!alternatives.length) throw unauthorized(`This operation does not accept ${principal.via === 'api_key' ? 'API keys' : 'bearer tokens'}.`);
  if (!alternatives.some((alt) => alt.scopes.every((s) => principal.scopes.has(s)))) {
    const needed = [...new Set(alternatives.flatMap((a) => a.scopes))];
    const has = [...principal.scopes].join(', ') || 'no scope';
    throw new HttpProblem('forbidden', `This operation needs the scope ${needed.join(', ')}; the credential has ${has}.`, {
      headers: principal.via === 'bearer' ? { 'WWW-Authenticate': `${CHALLENGE}, error="insufficient_scope", scope="${needed.join(' ')}"` } : undefined,
    });
  }
}
