import type { Transaction } from 'sequelize';
import type { Database } from '../../../platform/db/database';
import { defineList, selectPage, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import type { UnitOfWork } from '../../../platform/db/unit-of-work';
import { StaleVersionError } from '../../../platform/errors';
import { Activity, type ActivityKind, type ActivityState } from '../domain/activity';
import { ActivityModel } from './activity.model';
import { date, maybeDate } from './rows';

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
export class ActivityRepository {
  private readonly transaction: Transaction | undefined;

  constructor(
    private readonly db: Database,
    private readonly tenantId: string,
    private readonly uow?: UnitOfWork,
  ) {
    this.transaction = uow?.transaction;
  }

  static in(uow: UnitOfWork): ActivityRepository {
    return new ActivityRepository(uow.db, uow.tenantId, uow);
  }

  async get(id: string): Promise<Activity | null> {
    const sql = this.uow && this.db.dialect === 'postgres' ? `${GET} FOR UPDATE` : GET;
    const row = await this.db.selectOne<ActivityRow>(sql, { tenantId: this.tenantId, id }, this.transaction);
    return row ? Activity.restore(toActivityState(row)) : null;
  }

  async state(id: string): Promise<ActivityState | null> {
    const row = await this.db.selectOne<ActivityRow>(GET, { tenantId: this.tenantId, id }, this.transaction);
    return row ? toActivityState(row) : null;
  }

  async add(activity: Activity): Promise<void> {
    await ActivityModel.create(toRow(activity.snapshot), { transaction: this.writeTransaction() });
    this.uow!.record(...activity.pullEvents());
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
    const row = toRow(activity.snapshot);
    const [count] = await ActivityModel.update(row, { where: { id: row.id, tenant_id: this.tenantId, version: loadedVersion }, transaction: this.writeTransaction() });
    if (count !== 1) throw new StaleVersionError(`Activity ${row.id} was changed by another request; get it again and retry.`);
    this.uow!.record(...activity.pullEvents());
  }

  async delete(activity: Activity, loadedVersion: number): Promise<void> {
    const count = await ActivityModel.destroy({ where: { id: activity.snapshot.id, tenant_id: this.tenantId, version: loadedVersion }, transaction: this.writeTransaction() });
    if (count !== 1) throw new StaleVersionError(`Activity ${activity.snapshot.id} was changed by another request; get it again and retry.`);
  }

  /** A deleted contact's activities go with it (in its unit of work). */
  async deleteOfContact(contactId: string): Promise<number> {
    return ActivityModel.destroy({ where: { tenant_id: this.tenantId, contact_id: contactId }, transaction: this.writeTransaction() });
  }

  async list(request: ListRequest): Promise<ListPage<ActivityState>> {
    const page = await selectPage<ActivityRow>(this.db, ACTIVITY_LIST, this.tenantId, request, this.transaction);
    return { items: page.items.map(toActivityState), next: page.next };
  }

  private writeTransaction(): Transaction {
    if (!this.transaction) throw new Error('writes need a unit of work');
    return this.transaction;
  }
}
