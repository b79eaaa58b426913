/** Who is calling: the API client, its tenant and the scopes this credential carries. */
export interface Principal {
  tenantId: string;
  clientId: string;
  scopes: ReadonlySet<string>;
  via: 'bearer' | 'api_key';
}

/** The platform module answers this for API keys: the kernel does not own API clients. */
export type ApiKeyVerifier = (clientId: string, secret: string) => Promise<Principal | null>;
