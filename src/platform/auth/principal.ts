/** Who is calling: the API client, its tenant and the scopes this credential carries. */
export interface Principal {
  tenantId: string;
  clientId: string;
  scopes: ReadonlySet<string>;
  via: 'bearer' | 'api_key';
}

/** Too many failed checks of this client id, or from this address: not checked, retry later. */
export interface TooManyFailures {
  retryAfterSeconds: number;
  /** What ran out: the client id's failures or the address's. */
  refusedBy: 'failures-per-client-id' | 'failures-per-address';
}

/**
 * The platform module answers this for API keys: the kernel does not own API clients. `address`
 * is the caller's, against which failures count as at the token endpoint.
 */
export type ApiKeyVerifier = (clientId: string, secret: string, address: string) => Promise<Principal | TooManyFailures | null>;
