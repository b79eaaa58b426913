import type { List } from '../../../platform/db/list-query';
import { ACCOUNT_LIST } from './account.repository';
import { ACTIVITY_LIST } from './activity.repository';
import { CONTACT_LIST } from './contact.repository';
import { CUSTOM_FIELD_LIST } from './custom-field.repository';
import { OPPORTUNITY_LIST, STAGE_HISTORY_LIST } from './opportunity.repository';
import { PIPELINE_LIST } from './pipeline.repository';

/** The module's lists by the operation that serves each: test/contract holds them to the contract. */
export const crmLists = {
  listCustomFields: CUSTOM_FIELD_LIST,
  listAccounts: ACCOUNT_LIST,
  listPipelines: PIPELINE_LIST,
  listOpportunities: OPPORTUNITY_LIST,
  listOpportunityStageHistory: STAGE_HISTORY_LIST,
  listContacts: CONTACT_LIST,
  listActivities: ACTIVITY_LIST,
} satisfies Readonly<Record<string, List>>;
