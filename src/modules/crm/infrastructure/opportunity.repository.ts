import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import type { FieldValues } from '../domain/custom-field';
import { Opportunity, type OpportunityState, type OpportunityStatus, type StageChange } from '../domain/opportunity';
import { OpportunityModel, StageChangeModel } from './opportunity.model';
import { date, json, maybeDate } from '../../../platform/db/rows';

interface OpportunityRow {
  id: string;
  tenant_id: string;
  name: string;
  pipeline_id: string;
  stage_id: string;
  account_id: string;
  primary_contact_id: string | null;
  amount: number | string | null;
  currency: string | null;
  expected_close_date: string | Date | null;
  owner_id: string | null;
  tags: unknown;
  custom_fields: unknown;
  status: string;
  lost_reason: string | null;
  closed_at: Date | string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

interface StageChangeRow {
  id: string;
  tenant_id: string;
  opportunity_id: string;
  from_stage_id: string | null;
  to_stage_id: string;
  status: string;
  changed_by: string;
  changed_at: Date | string;
}

/** A `date` column as YYYY-MM-DD from either driver (SQLite text; pg text through Sequelize, or a local-midnight Date). */
function day(v: string | Date | null): string | null {
  if (v === null) return null;
  if (v instanceof Date) return `${String(v.getFullYear()).padStart(4, '0')}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`;
  return String(v).slice(0, 10);
}

function toState(row: OpportunityRow): OpportunityState {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    pipelineId: row.pipeline_id,
    stageId: row.stage_id,
    accountId: row.account_id,
    primaryContactId: row.primary_contact_id,
    amount: row.amount === null || row.currency === null ? null : { amount: Number(row.amount), currency: row.currency },
    expectedCloseDate: day(row.expected_close_date),
    ownerId: row.owner_id,
    tags: json<string[]>(row.tags),
    customFields: json<FieldValues>(row.custom_fields),
    status: row.status as OpportunityStatus,
    lostReason: row.lost_reason,
    closedAt: maybeDate(row.closed_at),
    version: Number(row.version),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

function toRow(s: Readonly<OpportunityState>) {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    name: s.name,
    pipeline_id: s.pipelineId,
    stage_id: s.stageId,
    account_id: s.accountId,
    primary_contact_id: s.primaryContactId,
    amount: s.amount?.amount ?? null,
    currency: s.amount?.currency ?? null,
    expected_close_date: s.expectedCloseDate,
    owner_id: s.ownerId,
    tags: JSON.stringify(s.tags),
    custom_fields: JSON.stringify(s.customFields),
    status: s.status,
    lost_reason: s.lostReason,
    closed_at: s.closedAt,
    version: s.version,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

export function toStageChange(row: StageChangeRow): StageChange {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    opportunityId: row.opportunity_id,
    fromStageId: row.from_stage_id,
    toStageId: row.to_stage_id,
    status: row.status as OpportunityStatus,
    changedBy: row.changed_by,
    changedAt: date(row.changed_at),
  };
}

const COLUMNS =
  'id, tenant_id, name, pipeline_id, stage_id, account_id, primary_contact_id, amount, currency, expected_close_date, owner_id, tags, custom_fields, status, lost_reason, closed_at, version, created_at, updated_at';
const GET = `SELECT ${COLUMNS} FROM crm_opportunities WHERE tenant_id = :tenantId AND id = :id`;
const IN_STAGE = `SELECT ${COLUMNS} FROM crm_opportunities WHERE tenant_id = :tenantId AND stage_id = :stageId ORDER BY id`;
const COUNT_IN_STAGE = `SELECT COUNT(*) AS n FROM crm_opportunities WHERE tenant_id = :tenantId AND stage_id = :stageId`;
const COUNT_OPEN_OF_ACCOUNT = `SELECT COUNT(*) AS n FROM crm_opportunities WHERE tenant_id = :tenantId AND account_id = :accountId AND status = 'open'`;
const ACCOUNT = `SELECT id, archived_at FROM crm_accounts WHERE tenant_id = :tenantId AND id = :id`;

/** Every filter and sort here has its index (migrations/20261206120000-crm-pipelines-and-opportunities.ts). */
export const OPPORTUNITY_LIST = defineList({
  name: 'crm.opportunities',
  table: 'crm_opportunities',
  select: COLUMNS,
  columns: {
    pipeline_id: { type: 'text' },
    stage_id: { type: 'text' },
    status: { type: 'text' },
    owner_id: { type: 'text', nullable: true },
    account_id: { type: 'text' },
    tags: { type: 'set' },
    amount: { type: 'integer', nullable: true },
    currency: { type: 'text', nullable: true },
    expected_close_date: { type: 'date', nullable: true },
    created_at: { type: 'instant' },
  },
  filters: {
    pipeline_id: { kind: 'equals', column: 'pipeline_id' },
    stage_id: { kind: 'equals', column: 'stage_id' },
    status: { kind: 'equals', column: 'status', values: ['open', 'won', 'lost'] satisfies OpportunityStatus[] },
    owner_id: { kind: 'equals', column: 'owner_id' },
    account_id: { kind: 'equals', column: 'account_id' },
    tag: { kind: 'member', column: 'tags' },
    amount: { kind: 'range', column: 'amount' },
    currency: { kind: 'equals', column: 'currency' },
    expected_close_date: { kind: 'range', column: 'expected_close_date' },
  },
  sorts: ['created_at', 'amount', 'expected_close_date'],
  defaultSort: '-created_at',
  fields: { param: 'custom_fields', prefix: 'custom_fields.', column: 'custom_fields' },
});

const STAGE_HISTORY = {
  name: 'crm.opportunity_stage_changes',
  table: 'crm_opportunity_stage_changes',
  select: 'id, tenant_id, opportunity_id, from_stage_id, to_stage_id, status, changed_by, changed_at',
  sorts: ['changed_at'],
  defaultSort: 'changed_at',
};

/** The stage history as the contract lists it: no filter of its own, oldest first. */
export const STAGE_HISTORY_LIST = defineList({ ...STAGE_HISTORY, columns: { changed_at: { type: 'instant' } }, filters: {} });

/**
 * The same list narrowed to one opportunity, named by the path rather than the query (the
 * cursor is bound to the tenant, the sort and the list, as every cursor is).
 */
const STAGE_HISTORY_OF = defineList({
  ...STAGE_HISTORY,
  columns: { changed_at: { type: 'instant' }, opportunity_id: { type: 'text' } },
  filters: { opportunity_id: { kind: 'equals', column: 'opportunity_id' } },
});

/**
 * Opportunities of one tenant and their stage history. Reads are plain SQL mapped to domain
 * state here; writes go through the models inside the unit of work's transaction, against the
 * version they were based on, with the stage changes and events the aggregate recorded.
 */
export class OpportunityRepository extends TenantRepository {
  /** Inside a unit of work on PostgreSQL the row is locked: the change is decided on what is read. */
  async get(id: string): Promise<Opportunity | null> {
    const row = await this.lockingSelectOne<OpportunityRow>(GET, { id });
    return row ? Opportunity.restore(toState(row)) : null;
  }

  async state(id: string): Promise<OpportunityState | null> {
    const row = await this.selectOne<OpportunityRow>(GET, { id });
    return row ? toState(row) : null;
  }

  /** The opportunities in a stage, locked on PostgreSQL (a stage being deleted moves them). */
  async inStage(stageId: string): Promise<Opportunity[]> {
    const rows = await this.select<OpportunityRow>(`${IN_STAGE}${this.lock('update')}`, { stageId });
    return rows.map((r) => Opportunity.restore(toState(r)));
  }

  async countInStage(stageId: string): Promise<number> {
    const row = await this.selectOne<{ n: number | string }>(COUNT_IN_STAGE, { stageId });
    return Number(row?.n ?? 0);
  }

  async countOpenOfAccount(accountId: string): Promise<number> {
    const row = await this.selectOne<{ n: number | string }>(COUNT_OPEN_OF_ACCOUNT, { accountId });
    return Number(row?.n ?? 0);
  }

  /**
   * Whether the account exists and is live, read under a share lock on PostgreSQL: archiving it
   * (which locks the row for update, then counts open opportunities) waits for this transaction,
   * and this one waits for an archive in progress and then sees it.
   */
  async accountStatus(accountId: string): Promise<'live' | 'archived' | 'missing'> {
    const sql = `${ACCOUNT}${this.lock('share')}`;
    const row = await this.selectOne<{ id: string; archived_at: unknown }>(sql, { id: accountId });
    if (!row) return 'missing';
    return row.archived_at === null || row.archived_at === undefined ? 'live' : 'archived';
  }

  /**
   * A deleted contact is no opportunity's primary contact any more (in its unit of work); each
   * such opportunity's version goes up, since its representation changes.
   */
  async clearPrimaryContact(contactId: string, now = new Date()): Promise<void> {
    await OpportunityModel.update(
      { primary_contact_id: null, version: this.db.sequelize.literal('version + 1'), updated_at: now },
      { where: { tenant_id: this.tenantId, primary_contact_id: contactId }, transaction: this.writeTransaction() },
    );
  }

  async add(opportunity: Opportunity): Promise<void> {
    await OpportunityModel.create(toRow(opportunity.snapshot), { transaction: this.writeTransaction() });
    await this.recorded(opportunity);
  }

  /** Saves a changed opportunity; fails when another request saved another version in between. */
  async save(opportunity: Opportunity, loadedVersion: number): Promise<void> {
    await this.updateVersioned(OpportunityModel, toRow(opportunity.snapshot), loadedVersion, `Opportunity ${opportunity.id}`);
    await this.recorded(opportunity);
  }

  async list(request: ListRequest): Promise<ListPage<OpportunityState>> {
    return this.page(OPPORTUNITY_LIST, request, toState);
  }

  async stageHistory(opportunityId: string, request: ListRequest): Promise<ListPage<StageChange>> {
    return this.page(STAGE_HISTORY_OF, { ...request, filters: { ...request.filters, opportunity_id: opportunityId } }, toStageChange);
  }

  /** The stage changes and events the aggregate recorded, in the same transaction. */
  private async recorded(opportunity: Opportunity): Promise<void> {
    const changes = opportunity.pullStageChanges();
    if (changes.length) {
      await StageChangeModel.bulkCreate(
        changes.map((c) => ({ id: c.id, tenant_id: c.tenantId, opportunity_id: c.opportunityId, from_stage_id: c.fromStageId, to_stage_id: c.toStageId, status: c.status, changed_by: c.changedBy, changed_at: c.changedAt })),
        { transaction: this.writeTransaction() },
      );
    }
    this.record(opportunity.pullEvents());
  }
}
