import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, ConflictError, type ExpectedVersion, NotFoundError } from '../../../platform/errors';
import { Pipeline, type PipelineState, type StageFigures, type StageInput, summarize } from '../domain/pipeline';
import { OpportunityRepository } from '../infrastructure/opportunity.repository';
import { PipelineRepository } from '../infrastructure/pipeline.repository';

export interface PipelineSummary {
  pipelineId: string;
  stages: StageFigures[];
}

async function load(repo: PipelineRepository, id: string): Promise<Pipeline> {
  const pipeline = await repo.get(id);
  if (!pipeline) throw new NotFoundError(`There is no pipeline ${id}.`);
  return pipeline;
}

export function pipelineUseCases(db: Database, runInUnitOfWork: RunInUnitOfWork) {
  /** Loads the pipeline locked, checks the caller's version, applies `change` and saves it. */
  function changing(tenantId: string, id: string, expected: ExpectedVersion, change: (pipeline: Pipeline, repo: PipelineRepository) => Promise<void> | void, claim?: IdempotencyClaim) {
    return runInUnitOfWork(
      tenantId,
      async (uow) => {
        const repo = PipelineRepository.in(uow);
        const pipeline = await load(repo, id);
        checkExpectedVersion(`pipeline ${id}`, pipeline.version, expected);
        const loaded = pipeline.version;
        await change(pipeline, repo);
        if (pipeline.version !== loaded) await repo.save(pipeline, loaded);
        return pipeline.snapshot;
      },
      claim,
    );
  }

  return {
    create(tenantId: string, input: { name: string; stages: readonly StageInput[] }, claim?: IdempotencyClaim): Promise<PipelineState> {
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const pipeline = Pipeline.create(tenantId, input);
          await PipelineRepository.in(uow).add(pipeline);
          return pipeline.snapshot;
        },
        claim,
      );
    },

    async get(tenantId: string, id: string): Promise<PipelineState> {
      const state = await new PipelineRepository(db, tenantId).state(id);
      if (!state) throw new NotFoundError(`There is no pipeline ${id}.`);
      return state;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<PipelineState>> {
      return new PipelineRepository(db, tenantId).list(request);
    },

    rename(tenantId: string, id: string, expected: ExpectedVersion, name: string | undefined): Promise<PipelineState> {
      return changing(tenantId, id, expected, (p) => {
        if (name !== undefined) p.rename(name);
      });
    },

    /** Refused while any opportunity is in the pipeline: they keep their pipeline for good. */
    delete(tenantId: string, id: string, expected: ExpectedVersion): Promise<void> {
      return runInUnitOfWork(tenantId, async (uow) => {
        const repo = PipelineRepository.in(uow);
        const pipeline = await load(repo, id);
        checkExpectedVersion(`pipeline ${id}`, pipeline.version, expected);
        const held = await repo.countOpportunities(id);
        if (held > 0) throw new ConflictError(`Pipeline ${id} holds ${held} ${held === 1 ? 'opportunity' : 'opportunities'}; a pipeline with opportunities cannot be deleted.`);
        await repo.delete(pipeline, pipeline.version);
      });
    },

    addStage(tenantId: string, id: string, expected: ExpectedVersion, input: StageInput, position: number | undefined, claim?: IdempotencyClaim): Promise<PipelineState> {
      return changing(tenantId, id, expected, (p) => void p.addStage(input, position), claim);
    },

    changeStage(tenantId: string, id: string, stageId: string, expected: ExpectedVersion, changes: { name?: string; probability?: number }): Promise<PipelineState> {
      return changing(tenantId, id, expected, (p) => p.changeStage(stageId, changes));
    },

    reorderStages(tenantId: string, id: string, expected: ExpectedVersion, stageIds: readonly string[], claim?: IdempotencyClaim): Promise<PipelineState> {
      return changing(tenantId, id, expected, (p) => p.reorder(stageIds), claim);
    },

    /**
     * Deletes a stage; its opportunities, if any, move to `moveTo` in the same transaction, each
     * with a stage change made by `actor` and its event. The pipeline row is locked first and
     * each opportunity after it, the order every opportunity action takes too.
     */
    deleteStage(tenantId: string, id: string, stageId: string, expected: ExpectedVersion, moveTo: string | undefined, actor: string): Promise<PipelineState> {
      return runInUnitOfWork(tenantId, async (uow) => {
        const repo = PipelineRepository.in(uow);
        const pipeline = await load(repo, id);
        checkExpectedVersion(`pipeline ${id}`, pipeline.version, expected);
        const loaded = pipeline.version;
        const opportunities = OpportunityRepository.in(uow);
        const held = pipeline.stage(stageId) ? await opportunities.countInStage(stageId) : 0;
        const target = pipeline.removeStage(stageId, held, moveTo);
        if (target) {
          const now = new Date();
          for (const opportunity of await opportunities.inStage(stageId)) {
            const version = opportunity.version;
            opportunity.move(target, actor, now);
            await opportunities.save(opportunity, version);
          }
        }
        await repo.save(pipeline, loaded);
        return pipeline.snapshot;
      });
    },

    /** Per stage: count, amounts per currency and their probability-weighted amounts, from one query. */
    async summary(tenantId: string, id: string): Promise<PipelineSummary> {
      const read = await new PipelineRepository(db, tenantId).summaryGroups(id);
      if (!read) throw new NotFoundError(`There is no pipeline ${id}.`);
      return { pipelineId: id, stages: summarize(read.stages, read.groups) };
    },
  };
}

export type PipelineUseCases = ReturnType<typeof pipelineUseCases>;
