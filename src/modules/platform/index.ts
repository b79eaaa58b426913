/**
 * The platform module owns tenants and API clients, and issues access tokens for them.
 * Publishes: platform.api_client.created, platform.api_client.updated,
 * platform.api_client.revoked, platform.api_client.secret_rotated. Consumes: nothing.
 * It also answers the kernel's API-key check, since API keys are API clients' credentials.
 */
import { defineModule, type ModuleDefinition } from '../../platform/module';
import { apiClientUseCases, apiKeyVerifier } from './application/api-clients';
import { tokenIssuer } from './application/issue-token';
import { tenantUseCases } from './application/tenants';
import { platformHandlers } from './http/handlers';
import { platformLists } from './infrastructure/lists';
import { platformModels } from './infrastructure/models';

export const platformModule = defineModule({
  name: 'platform',
  models: platformModels,
  lists: platformLists,
  create(kernel) {
    const tenants = tenantUseCases(kernel.db, kernel.runInUnitOfWork, kernel.secrets);
    const apiClients = apiClientUseCases(kernel);
    return {
      handlers: platformHandlers({
        apiClients,
        tenants,
        issueToken: tokenIssuer(kernel.db, kernel.tokens, kernel.secrets, kernel.failedAttempts),
        cursors: kernel.cursors,
        ready: kernel.ready,
      }),
      api: { tenants, apiClients, verifyApiKey: apiKeyVerifier(kernel.db, kernel.secrets, kernel.failedAttempts) },
    };
  },
});

export type PlatformApi = typeof platformModule extends ModuleDefinition<infer A> ? A : never;
