import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { callerOf, expectedVersions, iso, isoOrNull, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { CustomFieldUseCases } from '../application/custom-fields';
import type { OpportunityUseCases } from '../application/opportunities';
import type { Money } from '../domain/money';
import { availableActions, type OpportunityState, type StageChange } from '../domain/opportunity';
import { OPPORTUNITY_LIST, STAGE_HISTORY_LIST } from '../infrastructure/opportunity.repository';
import { fieldFiltersOf } from './custom-fields.handlers';

type Schemas = components['schemas'];

const toMoney = (m: Money | null): Schemas['Money'] | null => m && { amount: m.amount, currency: m.currency as Schemas['CurrencyCode'] };

export function toOpportunity(s: Readonly<OpportunityState>): Schemas['Opportunity'] {
  return {
    id: s.id,
    name: s.name,
    pipeline_id: s.pipelineId,
    stage_id: s.stageId,
    account_id: s.accountId,
    primary_contact_id: s.primaryContactId,
    amount: toMoney(s.amount),
    expected_close_date: s.expectedCloseDate,
    owner_id: s.ownerId,
    tags: s.tags,
    custom_fields: s.customFields,
    status: s.status,
    lost_reason: s.lostReason,
    closed_at: isoOrNull(s.closedAt),
    available_actions: availableActions(s.status),
    version: s.version,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

export function toStageChangeBody(c: StageChange): Schemas['StageChange'] {
  return { opportunity_id: c.opportunityId, from_stage_id: c.fromStageId, to_stage_id: c.toStageId, status: c.status, changed_by: c.changedBy, changed_at: iso(c.changedAt) };
}

export function opportunityHandlers(opportunities: OpportunityUseCases, customFields: CustomFieldUseCases, cursors: CursorCodec): HandlerMap {
  const reply = (o: OpportunityState) => ({ status: 200 as const, headers: { ETag: etag(o.version) }, body: toOpportunity(o) });
  return {
    async listOpportunities(request) {
      const tenantId = tenantOf(request);
      const fields = await fieldFiltersOf(customFields, tenantId, 'opportunity', request.query);
      const list = readListQuery(OPPORTUNITY_LIST, request.query, tenantId, cursors, fields);
      return { status: 200, body: list.body(await opportunities.list(tenantId, list.request), toOpportunity) };
    },

    async createOpportunity(request) {
      const b = request.body;
      const caller = callerOf(request);
      const opportunity = await opportunities.create(
        caller.tenantId,
        {
          name: b.name,
          pipelineId: b.pipeline_id,
          stageId: b.stage_id,
          accountId: b.account_id,
          primaryContactId: b.primary_contact_id,
          amount: b.amount,
          expectedCloseDate: b.expected_close_date,
          ownerId: b.owner_id,
          tags: b.tags,
          customFields: b.custom_fields,
        },
        caller.clientId,
        request.claim,
      );
      return { status: 201, headers: { Location: `/v1/crm/opportunities/${opportunity.id}`, ETag: etag(opportunity.version) }, body: toOpportunity(opportunity) };
    },

    async getOpportunity(request) {
      return reply(await opportunities.get(tenantOf(request), request.params.opportunity_id));
    },

    async updateOpportunity(request) {
      const b = request.body;
      const opportunity = await opportunities.update(tenantOf(request), request.params.opportunity_id, expectedVersions(request.ifMatch), {
        name: b.name,
        accountId: b.account_id,
        primaryContactId: b.primary_contact_id,
        amount: b.amount,
        expectedCloseDate: b.expected_close_date,
        ownerId: b.owner_id,
        tags: b.tags,
        customFields: b.custom_fields,
      });
      return reply(opportunity);
    },

    async moveOpportunity(request) {
      const caller = callerOf(request);
      return reply(await opportunities.move(caller.tenantId, request.params.opportunity_id, expectedVersions(request.ifMatch), request.body.stage_id, caller.clientId, request.claim));
    },

    async winOpportunity(request) {
      const caller = callerOf(request);
      return reply(await opportunities.win(caller.tenantId, request.params.opportunity_id, expectedVersions(request.ifMatch), caller.clientId, request.claim));
    },

    async loseOpportunity(request) {
      const caller = callerOf(request);
      return reply(await opportunities.lose(caller.tenantId, request.params.opportunity_id, expectedVersions(request.ifMatch), request.body.reason, caller.clientId, request.claim));
    },

    async reopenOpportunity(request) {
      const caller = callerOf(request);
      return reply(await opportunities.reopen(caller.tenantId, request.params.opportunity_id, expectedVersions(request.ifMatch), request.body.stage_id, caller.clientId, request.claim));
    },

    async listOpportunityStageHistory(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(STAGE_HISTORY_LIST, request.query, tenantId, cursors, undefined, request.params.opportunity_id);
      return { status: 200, body: list.body(await opportunities.stageHistory(tenantId, request.params.opportunity_id, list.request), toStageChangeBody) };
    },
  };
}
