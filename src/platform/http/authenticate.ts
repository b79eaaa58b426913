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
 * Checks the request's credential against the operation's security requirements, which come
 * from the contract: any one alternative whose scheme matches and whose scopes the credential
 * carries lets the request in. No credential or a bad one is 401, a missing scope 403.
 * A bearer token verified before answers without a promise; anything else returns one.
 */
export function authenticate(
  headers: IncomingHttpHeaders,
  security: readonly SecurityAlternative[],
  tokens: TokenService,
  verifyApiKey: ApiKeyVerifier,
): Principal | Promise<Principal> {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization);
    if (!m) throw unauthorized('The Authorization header must be `Bearer <token>`.');
    const known = tokens.cached(m[1]);
    if (known) return authorize(known, security);
    return tokens.verify(m[1]).then(
      (principal) => authorize(principal, security),
      (err) => {
        if (err instanceof InvalidTokenError) throw unauthorized(err.message, 'invalid_token');
        throw err;
      },
    );
  }
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string') {
    const dot = apiKey.indexOf('.');
    if (dot <= 0) throw unauthorized('The API key is not valid, or its client is revoked.');
    return verifyApiKey(apiKey.slice(0, dot), apiKey.slice(dot + 1)).then((found) => {
      if (!found) throw unauthorized('The API key is not valid, or its client is revoked.');
      return authorize(found, security);
    });
  }
  throw unauthorized('This operation needs a bearer token (`Authorization: Bearer <token>`) or an `X-API-Key`.');
}

/** The credential is good: does the operation accept its scheme and scopes? */
function authorize(principal: Principal, security: readonly SecurityAlternative[]): Principal {
  const alternatives = security.filter((s) => s.scheme === principal.via);
  if (!alternatives.length) throw unauthorized(`This operation does not accept ${principal.via === 'api_key' ? 'API keys' : 'bearer tokens'}.`);
  if (!alternatives.some((alt) => alt.scopes.every((s) => principal.scopes.has(s)))) {
    const needed = [...new Set(alternatives.flatMap((a) => a.scopes))].join(', ');
    const has = [...principal.scopes].join(', ') || 'no scope';
    throw new HttpProblem('forbidden', `This operation needs the scope ${needed}; the credential has ${has}.`);
  }
  return principal;
}
