import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { Pipeline, type PipelineState, type Stage, type StageGroup, type StageKind } from '../domain/pipeline';
import { PipelineModel, PipelineStageModel } from './pipeline.model';
import { date } from '../../../platform/db/rows';

interface PipelineRow {
  id: string;
  tenant_id: string;
  name: string;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

interface StageRow {
  id: string;
  pipeline_id: string;
  position: number;
  name: string;
  probability: number;
  kind: string;
}

interface SummaryRow extends StageRow {
  currency: string | null;
  n: number | string;
  amount_high: number | string | null;
  amount_low: number | string | null;
}

const toStage = (r: StageRow): Stage => ({ id: r.id, name: r.name, probability: Number(r.probability), kind: r.kind as StageKind });

function toState(row: PipelineRow, stages: readonly StageRow[]): PipelineState {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    stages: stages.filter((s) => s.pipeline_id === row.id).sort((a, b) => Number(a.position) - Number(b.position)).map(toStage),
    version: Number(row.version),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

const COLUMNS = 'id, tenant_id, name, version, created_at, updated_at';
const STAGE_COLUMNS = 'id, pipeline_id, position, name, probability, kind';
const GET = `SELECT ${COLUMNS} FROM crm_pipelines WHERE tenant_id = :tenantId AND id = :id`;
const STAGES = `SELECT ${STAGE_COLUMNS} FROM crm_pipeline_stages WHERE tenant_id = :tenantId AND pipeline_id = :id ORDER BY position`;
/** Stages of several pipelines (a list page): one bound JSON array on SQLite, an array on PostgreSQL. */
const STAGES_OF_PG = `SELECT ${STAGE_COLUMNS} FROM crm_pipeline_stages WHERE tenant_id = :tenantId AND pipeline_id = ANY(:ids) ORDER BY pipeline_id, position`;
const STAGES_OF_SQLITE = `SELECT ${STAGE_COLUMNS} FROM crm_pipeline_stages WHERE tenant_id = :tenantId AND pipeline_id IN (SELECT value FROM json_each(:ids)) ORDER BY pipeline_id, position`;
const OPPORTUNITIES_IN = `SELECT COUNT(*) AS n FROM crm_opportunities WHERE tenant_id = :tenantId AND pipeline_id = :id`;

/**
 * The summary in one statement: each stage of the pipeline (in order) joined to its
 * opportunities, grouped by stage and currency. Amounts are summed in two parts (above and below
 * 10^9) so that no sum can overflow a 64-bit integer on either database; the caller adds them
 * exactly as BigInt.
 */
const SUMMARY = `SELECT s.id, s.pipeline_id, s.position, s.name, s.probability, s.kind, o.currency, COUNT(o.id) AS n,
  SUM(o.amount / 1000000000) AS amount_high, SUM(o.amount % 1000000000) AS amount_low
FROM crm_pipeline_stages s LEFT JOIN crm_opportunities o ON o.tenant_id = s.tenant_id AND o.stage_id = s.id
WHERE s.tenant_id = :tenantId AND s.pipeline_id = :id
GROUP BY s.id, s.pipeline_id, s.position, s.name, s.probability, s.kind, o.currency
ORDER BY s.position, o.currency`;

export const PIPELINE_LIST = defineList({
  name: 'crm.pipelines',
  table: 'crm_pipelines',
  select: COLUMNS,
  columns: { created_at: { type: 'instant' } },
  filters: {},
  sorts: ['created_at'],
  defaultSort: 'created_at',
});

/** Pipelines of one tenant, each with its stages (rows of crm_pipeline_stages in order). */
export class PipelineRepository extends TenantRepository {
  /**
   * Inside a unit of work on PostgreSQL the pipeline row is locked: FOR UPDATE to change the
   * pipeline, FOR SHARE to rely on its stages (opportunities created or moved into them) while
   * no change of the pipeline can commit.
   */
  async get(id: string, lock: 'update' | 'share' = 'update'): Promise<Pipeline | null> {
    const state = await this.read(id, this.uow && this.db.dialect === 'postgres' ? ` FOR ${lock.toUpperCase()}` : '');
    return state ? Pipeline.restore(state) : null;
  }

  async state(id: string): Promise<PipelineState | null> {
    return this.read(id, '');
  }

  async countOpportunities(id: string): Promise<number> {
    const row = await this.selectOne<{ n: number | string }>(OPPORTUNITIES_IN, { id });
    return Number(row?.n ?? 0);
  }

  async list(request: ListRequest): Promise<ListPage<PipelineState>> {
    const page = await this.page<PipelineRow, PipelineRow>(PIPELINE_LIST, request, (row) => row);
    if (!page.items.length) return { items: [], next: page.next };
    const ids = page.items.map((p) => p.id);
    const stages =
      this.db.dialect === 'postgres' ? await this.select<StageRow>(STAGES_OF_PG, { ids }) : await this.select<StageRow>(STAGES_OF_SQLITE, { ids: JSON.stringify(ids) });
    return { items: page.items.map((p) => toState(p, stages)), next: page.next };
  }

  /** The summary's figures as stored: the stages in order, and per stage and currency the count and sum. */
  async summaryGroups(id: string): Promise<{ stages: Stage[]; groups: StageGroup[] } | null> {
    const rows = await this.select<SummaryRow>(SUMMARY, { id });
    if (!rows.length) return null;
    const stages: Stage[] = [];
    for (const r of rows) if (stages[stages.length - 1]?.id !== r.id) stages.push(toStage(r));
    const groups = rows
      .filter((r) => Number(r.n) > 0)
      .map((r) => ({
        stageId: r.id,
        currency: r.currency,
        count: Number(r.n),
        amount: r.currency === null ? 0n : BigInt(String(r.amount_high ?? 0)) * 1_000_000_000n + BigInt(String(r.amount_low ?? 0)),
      }));
    return { stages, groups };
  }

  async add(pipeline: Pipeline): Promise<void> {
    const transaction = this.writeTransaction();
    const s = pipeline.snapshot;
    await PipelineModel.create({ id: s.id, tenant_id: s.tenantId, name: s.name, version: s.version, created_at: s.createdAt, updated_at: s.updatedAt }, { transaction });
    await PipelineStageModel.bulkCreate(this.stageRows(s), { transaction });
  }

  /**
   * Saves a changed pipeline against the version it was loaded at, then its stages: removed ones
   * deleted (their opportunities were moved first), the others written with their position.
   */
  async save(pipeline: Pipeline, loadedVersion: number): Promise<void> {
    const transaction = this.writeTransaction();
    const s = pipeline.snapshot;
    await this.updateVersioned(PipelineModel, { id: s.id, name: s.name, version: s.version, updated_at: s.updatedAt }, loadedVersion, `Pipeline ${s.id}`);
    const stored = await this.select<StageRow>(STAGES, { id: s.id });
    const kept = new Set(s.stages.map((st) => st.id));
    const removed = stored.filter((r) => !kept.has(r.id)).map((r) => r.id);
    if (removed.length) await PipelineStageModel.destroy({ where: { id: removed, tenant_id: this.tenantId }, transaction });
    const before = new Map(stored.map((r) => [r.id, r]));
    for (const row of this.stageRows(s)) {
      const was = before.get(row.id);
      if (!was) await PipelineStageModel.create(row, { transaction });
      else if (Number(was.position) !== row.position || was.name !== row.name || Number(was.probability) !== row.probability) {
        await PipelineStageModel.update({ position: row.position, name: row.name, probability: row.probability }, { where: { id: row.id, tenant_id: this.tenantId }, transaction });
      }
    }
  }

  async delete(pipeline: Pipeline, loadedVersion: number): Promise<void> {
    const { id } = pipeline.snapshot;
    await PipelineStageModel.destroy({ where: { pipeline_id: id, tenant_id: this.tenantId }, transaction: this.writeTransaction() });
    await this.destroyVersioned(PipelineModel, id, loadedVersion, `Pipeline ${id}`);
  }

  private async read(id: string, lock: string): Promise<PipelineState | null> {
    const row = await this.selectOne<PipelineRow>(GET + lock, { id });
    if (!row) return null;
    const stages = await this.select<StageRow>(STAGES, { id });
    return toState(row, stages);
  }

  private stageRows(s: Readonly<PipelineState>) {
    return s.stages.map((st, position) => ({ id: st.id, tenant_id: s.tenantId, pipeline_id: s.id, position, name: st.name, probability: st.probability, kind: st.kind }));
  }
}
