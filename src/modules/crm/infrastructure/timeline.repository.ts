import { TenantRepository } from '../../../platform/db/repository';
import type { ActivityState } from '../domain/activity';
import type { StageChange } from '../domain/opportunity';
import { ACTIVITY_COLUMNS, toActivityState } from './activity.repository';
import { toStageChange } from './opportunity.repository';

/** Whose timeline: an account (with its contacts' and opportunities'), a contact, an opportunity. */
export type TimelineSubject = { account: string } | { contact: string } | { opportunity: string };

export type TimelineItem = { type: 'activity'; at: Date; activity: ActivityState } | { type: 'stage_change'; at: Date; stageChange: StageChange };

/** Where the previous page ended: the last entry's instant and id. */
export interface TimelinePosition {
  at: Date;
  id: string;
}

const STAGE_CHANGE_COLUMNS = 'id, tenant_id, opportunity_id, from_stage_id, to_stage_id, status, changed_by, changed_at';
const OPPORTUNITIES_OF_ACCOUNT = 'SELECT id FROM crm_opportunities WHERE tenant_id = :tenantId AND account_id = :subject';
const CONTACTS_OF_ACCOUNT = 'SELECT id FROM crm_contacts WHERE tenant_id = :tenantId AND account_id = :subject';

/** The activities and the stage changes of a subject, each as `(id, at)`, by the indexes on (attachment, at, id). */
function parts(subject: TimelineSubject): { activities: string; stageChanges?: string } {
  if ('account' in subject) {
    return {
      activities: `account_id = :subject OR contact_id IN (${CONTACTS_OF_ACCOUNT}) OR opportunity_id IN (${OPPORTUNITIES_OF_ACCOUNT})`,
      stageChanges: `opportunity_id IN (${OPPORTUNITIES_OF_ACCOUNT})`,
    };
  }
  if ('contact' in subject) return { activities: 'contact_id = :subject' };
  return { activities: 'opportunity_id = :subject', stageChanges: 'opportunity_id = :subject' };
}

/**
 * Timelines: one keyset over two tables, newest first. The page's entries are found as
 * (kind, id, at) by a UNION of both sides, each side reading only past the cursor and at most a
 * page; their rows are read after by id.
 */
export class TimelineRepository extends TenantRepository {
  async read(subject: TimelineSubject, limit: number, after?: TimelinePosition): Promise<{ items: TimelineItem[]; next: TimelinePosition | null }> {
    const { activities, stageChanges } = parts(subject);
    const from = (at: string) => (after ? ` AND (${at}, id) < (:afterAt, :afterId)` : '');
    const sides = [`SELECT 'activity' AS kind, id, timeline_at AS at FROM crm_activities WHERE tenant_id = :tenantId AND (${activities})${from('timeline_at')} ORDER BY timeline_at DESC, id DESC LIMIT :limit`];
    if (stageChanges) sides.push(`SELECT 'stage_change' AS kind, id, changed_at AS at FROM crm_opportunity_stage_changes WHERE tenant_id = :tenantId AND ${stageChanges}${from('changed_at')} ORDER BY changed_at DESC, id DESC LIMIT :limit`);
    const sql = `SELECT kind, id, at FROM (${sides.map((s, i) => `SELECT * FROM (${s}) AS s${i}`).join(' UNION ALL ')}) AS t ORDER BY at DESC, id DESC LIMIT :limit`;
    const subjectId = Object.values(subject)[0];
    const keys = await this.select<{ kind: 'activity' | 'stage_change'; id: string; at: Date | string }>(sql, { subject: subjectId, limit: limit + 1, ...(after && { afterAt: after.at, afterId: after.id }) });
    const page = keys.slice(0, limit);
    const activityIds = page.filter((k) => k.kind === 'activity').map((k) => k.id);
    const changeIds = page.filter((k) => k.kind === 'stage_change').map((k) => k.id);
    // One bound array, so the statement text is the same for every page.
    const among = this.db.dialect === 'postgres' ? 'id = ANY(:ids)' : 'id IN (SELECT value FROM json_each(:ids))';
    const ids = (list: string[]) => ({ ids: this.db.dialect === 'postgres' ? list : JSON.stringify(list) });
    const [activityRows, changeRows] = await Promise.all([
      activityIds.length ? this.select<Parameters<typeof toActivityState>[0]>(`SELECT ${ACTIVITY_COLUMNS} FROM crm_activities WHERE tenant_id = :tenantId AND ${among}`, ids(activityIds)) : [],
      changeIds.length ? this.select<Parameters<typeof toStageChange>[0]>(`SELECT ${STAGE_CHANGE_COLUMNS} FROM crm_opportunity_stage_changes WHERE tenant_id = :tenantId AND ${among}`, ids(changeIds)) : [],
    ]);
    const activityById = new Map(activityRows.map((r) => [r.id, toActivityState(r)]));
    const changeById = new Map(changeRows.map((r) => [r.id, toStageChange(r)]));
    const items = page.map((k): TimelineItem => {
      const at = k.at instanceof Date ? k.at : new Date(k.at);
      return k.kind === 'activity' ? { type: 'activity', at, activity: activityById.get(k.id)! } : { type: 'stage_change', at, stageChange: changeById.get(k.id)! };
    });
    const last = page[page.length - 1];
    return { items, next: keys.length > limit && last ? { at: last.at instanceof Date ? last.at : new Date(last.at), id: last.id } : null };
  }
}
