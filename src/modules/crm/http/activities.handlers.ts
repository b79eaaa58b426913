import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { expectedVersions, iso, isoOrNull, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { ActivityUseCases } from '../application/activities';
import type { ActivityState } from '../domain/activity';
import { ACTIVITY_LIST } from '../infrastructure/activity.repository';

type Schemas = components['schemas'];

const instant = (v: string | null | undefined): Date | null | undefined => (v === undefined || v === null ? v : new Date(v));

export function toActivity(s: Readonly<ActivityState>): Schemas['Activity'] {
  return {
    id: s.id,
    kind: s.kind,
    subject: s.subject,
    body: s.body,
    due_at: isoOrNull(s.dueAt),
    completed_at: isoOrNull(s.completedAt),
    occurred_at: isoOrNull(s.occurredAt),
    duration_minutes: s.durationMinutes,
    owner_id: s.ownerId,
    account_id: s.accountId,
    contact_id: s.contactId,
    opportunity_id: s.opportunityId,
    version: s.version,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

export function activityHandlers(activities: ActivityUseCases, cursors: CursorCodec): HandlerMap {
  const ok = (a: Readonly<ActivityState>) => ({ status: 200 as const, headers: { ETag: etag(a.version) }, body: toActivity(a) });
  return {
    async listActivities(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(ACTIVITY_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await activities.list(tenantId, list.request), toActivity) };
    },

    async createActivity(request) {
      const b = request.body;
      const activity = await activities.create(
        tenantOf(request),
        {
          kind: b.kind,
          subject: b.subject,
          body: b.body,
          dueAt: instant(b.due_at),
          completedAt: instant(b.completed_at),
          occurredAt: instant(b.occurred_at),
          durationMinutes: b.duration_minutes,
          ownerId: b.owner_id,
          accountId: b.account_id,
          contactId: b.contact_id,
          opportunityId: b.opportunity_id,
        },
        request.claim,
      );
      return { status: 201, headers: { Location: `/v1/crm/activities/${activity.id}`, ETag: etag(activity.version) }, body: toActivity(activity) };
    },

    async getActivity(request) {
      return ok(await activities.get(tenantOf(request), request.params.activity_id));
    },

    async updateActivity(request) {
      const b = request.body;
      return ok(
        await activities.update(tenantOf(request), request.params.activity_id, expectedVersions(request.ifMatch), {
          subject: b.subject,
          body: b.body,
          dueAt: instant(b.due_at),
          occurredAt: b.occurred_at === undefined ? undefined : new Date(b.occurred_at),
          durationMinutes: b.duration_minutes,
          ownerId: b.owner_id,
        }),
      );
    },

    async completeActivity(request) {
      return ok(await activities.complete(tenantOf(request), request.params.activity_id, expectedVersions(request.ifMatch), request.claim));
    },

    async deleteActivity(request) {
      await activities.delete(tenantOf(request), request.params.activity_id, expectedVersions(request.ifMatch));
      return { status: 204, body: undefined };
    },
  };
}
