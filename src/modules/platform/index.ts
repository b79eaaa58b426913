/**
 * The platform module owns tenants and API clients, and issues access tokens for them.
 * Publishes: platform.api_client.created, platform.api_client.updated,
 * platform.api_client.revoked, platform.api_client.secret_rotated. Consumes: nothing.
 * It also answers the kernel's API-key check, since API keys are API clients' credentials.
 */
import type { Kernel } from '../../platform/kernel';
import { apiClientUseCases, apiKeyVerifier } from './application/api-clients';
import { tokenIssuer } from './application/issue-token';
import { tenantUseCases } from './application/tenants';
import { platformHandlers } from './http/handlers';
import { platformModels } from './infrastructure/models';

export const models = platformModels;

export function platformModule(kernel: Kernel) {
  const tenants = tenantUseCases(kernel.db, kernel.runInUnitOfWork, kernel.secrets);
  const apiClients = apiClientUseCases(kernel);
  return {
    name: 'platform',
    tenants,
    apiClients,
    verifyApiKey: apiKeyVerifier(kernel.db, kernel.secrets),
    handlers: platformHandlers({
      apiClients,
      tenants,
      issueToken: tokenIssuer(kernel.db, kernel.tokens, kernel.secrets),
      cursors: kernel.cursors,
      ready: kernel.ready,
    }),
  };
}
