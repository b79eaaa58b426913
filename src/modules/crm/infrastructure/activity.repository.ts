import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { Activity, type ActivityKind, type ActivityState } from '../domain/activity';
import { ActivityModel } from './activity.model';
import { date, maybeDate } from '../../../platform/db/rows';

interface ActivityRow {
  id: string;
  tenant_id: string;
  kind: string;
  subject: string;
  body: string | null;
  due_at: Date | string | null;
  completed_at: Date | string | null;
  occurred_at: Date | string | null;
  duration_minutes: number | null;
  owner_id: string | null;
  account_id: string | null;
  contact_id: string | null;
  opportunity_id: string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

export function toActivityState(row: ActivityRow): ActivityState {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind as ActivityKind,
    subject: row.subject,
    body: row.body,
    dueAt: maybeDate(row.due_at),
    completedAt: maybeDate(row.completed_at),
    occurredAt: maybeDate(row.occurred_at),
    durationMinutes: row.duration_minutes === null ? null : Number(row.duration_minutes),
    ownerId: row.owner_id,
    accountId: row.account_id,
    contactId: row.contact_id,
    opportunityId: row.opportunity_id,
    version: Number(row.version),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

function toRow(s: Readonly<ActivityState>) {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    kind: s.kind,
    subject: s.subject,
    body: s.body,
    due_at: s.dueAt,
    completed_at: s.completedAt,
    occurred_at: s.occurredAt,
    duration_minutes: s.durationMinutes,
    owner_id: s.ownerId,
    account_id: s.accountId,
    contact_id: s.contactId,
    opportunity_id: s.opportunityId,
    timeline_at: Activity.timelineAt(s),
    version: s.version,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

export const ACTIVITY_COLUMNS = 'id, tenant_id, kind, subject, body, due_at, completed_at, occurred_at, duration_minutes, owner_id, account_id, contact_id, opportunity_id, version, created_at, updated_at';
const GET = `SELECT ${ACTIVITY_COLUMNS} FROM crm_activities WHERE tenant_id = :tenantId AND id = :id`;

/** Every filter and sort here has its index (migrations/20261206130000-crm-activities.ts). */
export const ACTIVITY_LIST = defineList({
  name: 'crm.activities',
  table: 'crm_activities',
  select: ACTIVITY_COLUMNS,
  columns: {
    kind: { type: 'text' },
    completed_at: { type: 'instant', nullable: true },
    due_at: { type: 'instant', nullable: true },
    owner_id: { type: 'text', nullable: true },
    account_id: { type: 'text', nullable: true },
    contact_id: { type: 'text', nullable: true },
    opportunity_id: { type: 'text', nullable: true },
    created_at: { type: 'instant' },
  },
  filters: {
    kind: { kind: 'equals', column: 'kind', values: ['note', 'task', 'call', 'meeting'] satisfies ActivityKind[] },
    completed: { kind: 'present', column: 'completed_at' },
    due_at: { kind: 'range', column: 'due_at' },
    owner_id: { kind: 'equals', column: 'owner_id' },
    account_id: { kind: 'equals', column: 'account_id' },
    contact_id: { kind: 'equals', column: 'contact_id' },
    opportunity_id: { kind: 'equals', column: 'opportunity_id' },
    created: { kind: 'range', column: 'created_at' },
  },
  sorts: ['created_at', 'due_at'],
  defaultSort: '-created_at',
});

/** Activities of one tenant. */
export class ActivityRepository extends TenantRepository {
  async get(id: string): Promise<Activity | null> {
    const row = await this.lockingSelectOne<ActivityRow>(GET, { id });
    return row ? Activity.restore(toActivityState(row)) : null;
  }

  async state(id: string): Promise<ActivityState | null> {
    const row = await this.selectOne<ActivityRow>(GET, { id });
    return row ? toActivityState(row) : null;
  }

  async add(activity: Activity): Promise<void> {
    await ActivityModel.create(toRow(activity.snapshot), { transaction: this.writeTransaction() });
    this.record(activity.pullEvents());
  }

  /** New activities in bulk, for seeding: no events. */
  async bulkAdd(activities: Activity[]): Promise<void> {
    await ActivityModel.bulkCreate(
      activities.map((a) => {
        a.pullEvents();
        return toRow(a.snapshot);
      }),
      { transaction: this.writeTransaction() },
    );
  }

  async save(activity: Activity, loadedVersion: number): Promise<void> {
    await this.updateVersioned(ActivityModel, toRow(activity.snapshot), loadedVersion, `Activity ${activity.snapshot.id}`);
    this.record(activity.pullEvents());
  }

  delete(activity: Activity, loadedVersion: number): Promise<void> {
    return this.destroyVersioned(ActivityModel, activity.snapshot.id, loadedVersion, `Activity ${activity.snapshot.id}`);
  }

  /** A deleted contact's activities go with it (in its unit of work). */
  deleteOfContact(contactId: string): Promise<number> {
    return ActivityModel.destroy({ where: { tenant_id: this.tenantId, contact_id: contactId }, transaction: this.writeTransaction() });
  }

  list(request: ListRequest): Promise<ListPage<ActivityState>> {
    return this.page(ACTIVITY_LIST, request, toActivityState);
  }
}
