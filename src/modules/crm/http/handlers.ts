import type { SchemaValidators } from '../../../platform/http/contract';
import type { HandlerMap } from '../../../platform/http/handler';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { AccountUseCases } from '../application/accounts';
import type { ActivityUseCases } from '../application/activities';
import type { TimelineUseCases } from '../application/timelines';
import type { BatchUseCases } from '../application/batch';
import type { ContactUseCases } from '../application/contacts';
import type { CustomFieldUseCases } from '../application/custom-fields';
import type { OpportunityUseCases } from '../application/opportunities';
import type { PipelineUseCases } from '../application/pipelines';
import { accountHandlers } from './accounts.handlers';
import { activityHandlers } from './activities.handlers';
import { timelineHandlers } from './timeline.handlers';
import { batchHandlers } from './batch.handlers';
import { contactHandlers } from './contacts.handlers';
import { customFieldHandlers } from './custom-fields.handlers';
import { opportunityHandlers } from './opportunities.handlers';
import { pipelineHandlers } from './pipelines.handlers';

export interface CrmHandlerDeps {
  accounts: AccountUseCases;
  contacts: ContactUseCases;
  activities: ActivityUseCases;
  timelines: TimelineUseCases;
  batch: BatchUseCases;
  /** The contract's item schemas, which batch handlers check each item against. */
  schemas: SchemaValidators;
  customFields: CustomFieldUseCases;
  pipelines: PipelineUseCases;
  opportunities: OpportunityUseCases;
  cursors: CursorCodec;
}

/** Every CRM operation's handler, one file per resource. */
export function crmHandlers({ pipelines, opportunities, accounts, contacts, activities, timelines, batch, schemas, customFields, cursors }: CrmHandlerDeps): HandlerMap {
  return {
    ...customFieldHandlers(customFields, cursors),
    ...accountHandlers(accounts, customFields, cursors),
    ...contactHandlers(contacts, customFields, cursors),
    ...pipelineHandlers(pipelines, cursors),
    ...opportunityHandlers(opportunities, customFields, cursors),
    ...activityHandlers(activities, cursors),
    ...timelineHandlers(timelines, cursors),
    ...batchHandlers(batch, schemas),
  };
}
