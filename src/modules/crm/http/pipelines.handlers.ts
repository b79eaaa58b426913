import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { callerOf, expectedVersions, iso, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { PipelineSummary, PipelineUseCases } from '../application/pipelines';
import type { MoneyTotal } from '../domain/money';
import type { PipelineState } from '../domain/pipeline';
import { PIPELINE_LIST } from '../infrastructure/pipeline.repository';

type Schemas = components['schemas'];

export function toPipeline(s: Readonly<PipelineState>): Schemas['Pipeline'] {
  return {
    id: s.id,
    name: s.name,
    stages: s.stages.map((st) => ({ id: st.id, name: st.name, probability: st.probability, kind: st.kind })),
    version: s.version,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

/** A sum as the contract's MoneyTotal: exact up to 2^53 − 1 minor units, which the contract states. */
const toTotal = (m: MoneyTotal): Schemas['MoneyTotal'] => {
  if (m.amount > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`a total of ${m.amount} ${m.currency} is past what JSON carries exactly`);
  return { amount: Number(m.amount), currency: m.currency as Schemas['CurrencyCode'] };
};

export function toSummary(s: PipelineSummary): Schemas['PipelineSummary'] {
  return {
    pipeline_id: s.pipelineId,
    stages: s.stages.map((f) => ({
      stage_id: f.stage.id,
      name: f.stage.name,
      kind: f.stage.kind,
      probability: f.stage.probability,
      count: f.count,
      amounts: f.amounts.map(toTotal),
      weighted_amounts: f.weightedAmounts.map(toTotal),
    })),
  };
}

export function pipelineHandlers(pipelines: PipelineUseCases, cursors: CursorCodec): HandlerMap {
  const reply = (p: PipelineState) => ({ status: 200 as const, headers: { ETag: etag(p.version) }, body: toPipeline(p) });
  return {
    async listPipelines(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(PIPELINE_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await pipelines.list(tenantId, list.request), toPipeline) };
    },

    async createPipeline(request) {
      const pipeline = await pipelines.create(tenantOf(request), request.body, request.claim);
      return { status: 201, headers: { Location: `/v1/crm/pipelines/${pipeline.id}`, ETag: etag(pipeline.version) }, body: toPipeline(pipeline) };
    },

    async getPipeline(request) {
      return reply(await pipelines.get(tenantOf(request), request.params.pipeline_id));
    },

    async updatePipeline(request) {
      return reply(await pipelines.rename(tenantOf(request), request.params.pipeline_id, expectedVersions(request.ifMatch), request.body.name));
    },

    async deletePipeline(request) {
      await pipelines.delete(tenantOf(request), request.params.pipeline_id, expectedVersions(request.ifMatch));
      return { status: 204, body: undefined };
    },

    async addPipelineStage(request) {
      const b = request.body;
      const pipeline = await pipelines.addStage(
        tenantOf(request),
        request.params.pipeline_id,
        expectedVersions(request.ifMatch),
        { name: b.name, probability: b.probability, kind: b.kind ?? 'open' },
        b.position,
        request.claim,
      );
      return reply(pipeline);
    },

    async updatePipelineStage(request) {
      const { pipeline_id, stage_id } = request.params;
      return reply(await pipelines.changeStage(tenantOf(request), pipeline_id, stage_id, expectedVersions(request.ifMatch), request.body));
    },

    async reorderPipelineStages(request) {
      return reply(await pipelines.reorderStages(tenantOf(request), request.params.pipeline_id, expectedVersions(request.ifMatch), request.body.stage_ids, request.claim));
    },

    async deletePipelineStage(request) {
      const { pipeline_id, stage_id } = request.params;
      return reply(await pipelines.deleteStage(tenantOf(request), pipeline_id, stage_id, expectedVersions(request.ifMatch), request.query.move_to, callerOf(request).clientId));
    },

    async getPipelineSummary(request) {
      return { status: 200, body: toSummary(await pipelines.summary(tenantOf(request), request.params.pipeline_id)) };
    },
  };
}
