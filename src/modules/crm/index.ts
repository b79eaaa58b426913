/**
 * The CRM module: the tenant's custom fields, accounts, contacts, pipelines, opportunities and
 * activities.
 * Publishes: crm.account.created, crm.account.updated, crm.account.archived.
 * Consumes: nothing.
 * Offers other modules (`use(crmModule)`): nothing yet.
 */
import { defineModule, type ModuleDefinition } from '../../platform/module';
import { accountUseCases } from './application/accounts';
import { customFieldUseCases } from './application/custom-fields';
import { crmHandlers } from './http/handlers';
import { crmLists } from './infrastructure/lists';
import { crmModels } from './infrastructure/models';

export const crmModule = defineModule({
  name: 'crm',
  models: crmModels,
  lists: crmLists,
  create(kernel) {
    const customFields = customFieldUseCases(kernel.db, kernel.runInUnitOfWork);
    const accounts = accountUseCases({
      db: kernel.db,
      runInUnitOfWork: kernel.runInUnitOfWork,
      // No opportunities exist yet: they arrive with the opportunities resource.
      countOpenOpportunities: async () => 0,
    });
    return {
      handlers: crmHandlers({ accounts, customFields, cursors: kernel.cursors }),
      api: {},
    };
  },
});

export type CrmApi = typeof crmModule extends ModuleDefinition<infer A> ? A : never;
