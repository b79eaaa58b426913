import { createHash } from 'node:crypto';
import type { components } from '../../../../generated/api';
import type { HandlerMap } from '../../../platform/http/handler';
import { iso, tenantOf } from '../../../platform/http/handler-kit';
import { DEFAULT_LIMIT, type CursorCodec } from '../../../platform/http/pagination';
import { HttpProblem } from '../../../platform/http/problem';
import type { TimelineUseCases } from '../application/timelines';
import type { TimelineItem, TimelinePosition, TimelineSubject } from '../infrastructure/timeline.repository';
import { toActivity } from './activities.handlers';
import { toStageChangeBody } from './opportunities.handlers';

type Schemas = components['schemas'];

function toEntry(item: TimelineItem): Schemas['TimelineEntry'] {
  return item.type === 'activity'
    ? { type: 'activity', at: iso(item.at), activity: toActivity(item.activity), stage_change: null }
    : { type: 'stage_change', at: iso(item.at), activity: null, stage_change: toStageChangeBody(item.stageChange) };
}

export function timelineHandlers(timelines: TimelineUseCases, cursors: CursorCodec): HandlerMap {
  /** A page of one subject's timeline, its cursor bound to the tenant and the subject. */
  async function serve(tenantId: string, subject: TimelineSubject, query: { limit?: number; cursor?: string }): Promise<Schemas['Timeline']> {
    const context = createHash('sha256').update(JSON.stringify(['crm.timeline', tenantId, subject])).digest('base64url').slice(0, 22);
    let after: TimelinePosition | undefined;
    if (query.cursor !== undefined) {
      const [at, id] = cursors.decode(query.cursor, context);
      if (typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(at))) {
        throw new HttpProblem('invalid-cursor', 'The cursor is not valid for this timeline.', { errors: [{ pointer: '/query/cursor', detail: 'not a cursor this timeline issued' }] });
      }
      after = { at: new Date(at), id };
    }
    const page = await timelines.page(tenantId, subject, query.limit ?? DEFAULT_LIMIT, after);
    return { data: page.items.map(toEntry), next_cursor: page.next ? cursors.encode([iso(page.next.at), page.next.id], context) : null };
  }

  return {
    async getAccountTimeline(request) {
      return { status: 200, body: await serve(tenantOf(request), { account: request.params.account_id }, request.query) };
    },
    async getContactTimeline(request) {
      return { status: 200, body: await serve(tenantOf(request), { contact: request.params.contact_id }, request.query) };
    },
    async getOpportunityTimeline(request) {
      return { status: 200, body: await serve(tenantOf(request), { opportunity: request.params.opportunity_id }, request.query) };
    },
  };
}
