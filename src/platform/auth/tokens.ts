import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { newId } from '../ids';
import type { Principal } from './principal';

const ALGORITHM = 'HS256';
const ISSUER = 'stratum';
const AUDIENCE = 'stratum-api';
const CACHE_LIMIT = 10_000;

export class InvalidTokenError extends Error {
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason === 'expired' ? 'The bearer token has expired.' : 'The bearer token is not valid.');
  }
}

interface CachedToken {
  token: string;
  principal: Principal;
  exp: number;
}

/**
 * Signs and verifies access tokens. The algorithm is pinned: a token that names another one
 * (`none`, RS256 for key confusion) is refused by jose before any signature check. Verified
 * tokens are cached until they expire; failures are never cached.
 */
export class TokenService {
  private readonly cache = new Map<string, CachedToken>();
  private last: CachedToken | undefined;

  constructor(
    private readonly key: Uint8Array,
    readonly ttlSeconds: number,
  ) {}

  async issue(subject: { tenantId: string; clientId: string }, scopes: readonly string[]): Promise<string> {
    return new SignJWT({ tid: subject.tenantId, scope: scopes.join(' ') })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(subject.clientId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + this.ttlSeconds)
      .setJti(newId('tok'))
      .sign(this.key);
  }

  /**
   * The principal of a token verified before and not yet expired, without a promise (the hot
   * path); undefined when the token must go through `verify`.
   */
  cached(token: string): Principal | undefined {
    // A client sends one token many times in a row: comparing with the last one found is cheaper
    // than hashing a fresh 300-character header string for the map.
    const last = this.last;
    const entry = last !== undefined && last.token === token ? last : this.cache.get(token);
    if (!entry || !(entry.exp > Date.now() / 1000)) return undefined;
    this.last = entry;
    return entry.principal;
  }

  async verify(token: string): Promise<Principal> {
    const nowSeconds = Date.now() / 1000;
    const cached = this.cache.get(token);
    if (cached) {
      if (cached.exp > nowSeconds) return cached.principal;
      this.cache.delete(token);
      throw new InvalidTokenError('expired');
    }
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: [ALGORITHM], issuer: ISSUER, audience: AUDIENCE }));
    } catch (err) {
      throw new InvalidTokenError(err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid');
    }
    if (typeof payload.tid !== 'string' || typeof payload.sub !== 'string' || typeof payload.scope !== 'string' || typeof payload.exp !== 'number') {
      throw new InvalidTokenError('invalid');
    }
    const principal: Principal = {
      tenantId: payload.tid,
      clientId: payload.sub,
      scopes: new Set(payload.scope.split(' ').filter(Boolean)),
      via: 'bearer',
    };
    if (this.cache.size >= CACHE_LIMIT) this.evictExpired(nowSeconds);
    this.cache.set(token, { token, principal, exp: payload.exp });
    return principal;
  }

  private evictExpired(nowSeconds: number): void {
    for (const [token, entry] of this.cache) if (entry.exp <= nowSeconds) this.cache.delete(token);
    // Still full of live tokens: drop the oldest half rather than grow without bound.
    if (this.cache.size >= CACHE_LIMIT) {
      let n = 0;
      for (const token of this.cache.keys()) {
        if (n++ >= CACHE_LIMIT / 2) break;
        this.cache.delete(token);
      }
    }
  }
}
