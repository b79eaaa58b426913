/**
 * The CRM module: the tenant's custom fields (and its typed contract), accounts, contacts,
 * pipelines, opportunities, activities and timelines; its demo and bench data (`seed`).
 * Publishes: crm.account.created, crm.account.updated, crm.account.archived, crm.contact.created,
 * crm.contact.updated, crm.contact.deleted, crm.opportunity.created,
 * crm.opportunity.stage_changed, crm.opportunity.won, crm.opportunity.lost, crm.opportunity.reopened,
 * crm.activity.created, crm.activity.completed (each documented under the contract's webhooks).
 * Consumes: nothing.
 * Offers other modules (`use(crmModule)`): `parties`, an account or a contact looked up as a
 * party (name, email, billing address), read-only — ERP bills them.
 */
import { defineModule, type ModuleDefinition } from '../../platform/module';
import { accountUseCases } from './application/accounts';
import { activityUseCases } from './application/activities';
import { timelineUseCases } from './application/timelines';
import { batchUseCases } from './application/batch';
import { contactUseCases } from './application/contacts';
import { customFieldUseCases } from './application/custom-fields';
import { countOpenOpportunities, opportunityUseCases } from './application/opportunities';
import { pipelineUseCases } from './application/pipelines';
import { crmSeeder } from './application/seed';
import { partyLookups } from './application/parties';
import { crmHandlers } from './http/handlers';
import { crmLists } from './infrastructure/lists';
import { crmModels } from './infrastructure/models';
import { AccountRepository } from './infrastructure/account.repository';
import { ContactRepository } from './infrastructure/contact.repository';
import { OpportunityRepository } from './infrastructure/opportunity.repository';

export const crmModule = defineModule({
  name: 'crm',
  models: crmModels,
  lists: crmLists,
  create(kernel) {
    const customFields = customFieldUseCases(kernel.db, kernel.runInUnitOfWork);
    const accounts = accountUseCases({
      db: kernel.db,
      runInUnitOfWork: kernel.runInUnitOfWork,
      countOpenOpportunities,
    });
    const contacts = contactUseCases({ db: kernel.db, runInUnitOfWork: kernel.runInUnitOfWork });
    const activities = activityUseCases({
      db: kernel.db,
      runInUnitOfWork: kernel.runInUnitOfWork,
      exists: {
        account: async (uow, id) => (await AccountRepository.in(uow).state(id)) !== null,
        contact: async (uow, id) => (await ContactRepository.in(uow).state(id)) !== null,
        opportunity: async (uow, id) => (await OpportunityRepository.in(uow).state(id)) !== null,
      },
    });
    const timelines = timelineUseCases(kernel.db, async (tenantId, subject) => {
      if ('account' in subject) return (await new AccountRepository(kernel.db, tenantId).state(subject.account)) !== null;
      if ('contact' in subject) return (await new ContactRepository(kernel.db, tenantId).state(subject.contact)) !== null;
      return (await new OpportunityRepository(kernel.db, tenantId).state(subject.opportunity)) !== null;
    });
    const pipelines = pipelineUseCases(kernel.db, kernel.runInUnitOfWork);
    const opportunities = opportunityUseCases(kernel.db, kernel.runInUnitOfWork);
    return {
      seed: crmSeeder(kernel.db, kernel.runInUnitOfWork, customFields),
      handlers: crmHandlers({ pipelines, opportunities, accounts, contacts, activities, timelines, batch: batchUseCases(kernel), schemas: kernel.schemas, customFields, cursors: kernel.cursors }),
      api: { parties: partyLookups(kernel.db) },
    };
  },
});

export type CrmApi = typeof crmModule extends ModuleDefinition<infer A> ? A : never;
export type { Party, PartyLookups } from './application/parties';
export type { Address } from './domain/values';
