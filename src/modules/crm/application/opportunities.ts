import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, ConflictError, type ExpectedVersion, InvalidInputError, NotFoundError } from '../../../platform/errors';
import { Opportunity, type OpportunityInput, type OpportunityPatch, type OpportunityState, type StageChange } from '../domain/opportunity';
import type { Pipeline } from '../domain/pipeline';
import { ContactRepository } from '../infrastructure/contact.repository';
import { CustomFieldRepository } from '../infrastructure/custom-field.repository';
import { OpportunityRepository } from '../infrastructure/opportunity.repository';
import { PipelineRepository } from '../infrastructure/pipeline.repository';

export interface OpportunityCreate extends OpportunityInput {
  pipelineId: string;
  /** An open stage of the pipeline; its first open stage when absent. */
  stageId?: string;
}

/** How many open opportunities an account has, read in the caller's unit of work (archiving it). */
export function countOpenOpportunities(uow: UnitOfWork, accountId: string): Promise<number> {
  return OpportunityRepository.in(uow).countOpenOfAccount(accountId);
}

/**
 * The account an opportunity is (or is to be) with must be a live account of the tenant (one of
 * another tenant or none: a 400 naming `account_id`, as for contacts; archived: a 409). Read
 * under a share lock, so that archiving it cannot commit between this check and the change.
 */
async function requireLiveAccount(repo: OpportunityRepository, accountId: string, doing: string): Promise<void> {
  const status = await repo.accountStatus(accountId);
  if (status === 'missing') throw new InvalidInputError([{ pointer: '/account_id', detail: `is not an account of this tenant (there is no account ${accountId})` }]);
  if (status === 'archived') throw new ConflictError(`Account ${accountId} is archived; ${doing}.`);
}

/**
 * The primary contact, when one is named, must be a contact of the tenant (a 400 naming
 * `primary_contact_id`). Contacts are deleted for good; one deleted later stays named here.
 */
async function requireContact(uow: UnitOfWork, contactId: string | null | undefined): Promise<void> {
  if (!contactId) return;
  if (!(await ContactRepository.in(uow).state(contactId))) {
    throw new InvalidInputError([{ pointer: '/primary_contact_id', detail: `is not a contact of this tenant (there is no contact ${contactId})` }]);
  }
}

export function opportunityUseCases(db: Database, runInUnitOfWork: RunInUnitOfWork) {
  /**
   * Runs a change of one opportunity: its pipeline is locked first (shared: stages cannot change
   * meanwhile), then the opportunity (for update), the order deleting a stage takes too; the
   * caller's version is checked, `change` applied, and the opportunity saved if it changed.
   */
  function changing(
    tenantId: string,
    id: string,
    expected: ExpectedVersion,
    change: (opportunity: Opportunity, pipeline: Pipeline, repo: OpportunityRepository, uow: UnitOfWork) => Promise<void> | void,
    claim?: IdempotencyClaim,
  ): Promise<OpportunityState> {
    return runInUnitOfWork(
      tenantId,
      async (uow) => {
        const repo = OpportunityRepository.in(uow);
        // The pipeline of an opportunity never changes: read without a lock to learn which to lock.
        const current = await repo.state(id);
        if (!current) throw new NotFoundError(`There is no opportunity ${id}.`);
        const pipeline = await PipelineRepository.in(uow).get(current.pipelineId, 'share');
        const opportunity = await repo.get(id);
        if (!pipeline || !opportunity) throw new NotFoundError(`There is no opportunity ${id}.`);
        checkExpectedVersion(`opportunity ${id}`, opportunity.version, expected);
        const loaded = opportunity.version;
        await change(opportunity, pipeline, repo, uow);
        if (opportunity.version !== loaded) await repo.save(opportunity, loaded);
        return opportunity.snapshot;
      },
      claim,
    );
  }

  return {
    create(tenantId: string, input: OpportunityCreate, actor: string, claim?: IdempotencyClaim): Promise<OpportunityState> {
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const pipeline = await PipelineRepository.in(uow).get(input.pipelineId, 'share');
          if (!pipeline) throw new InvalidInputError([{ pointer: '/pipeline_id', detail: `is not a pipeline of this tenant (there is no pipeline ${input.pipelineId})` }]);
          const stage = input.stageId === undefined ? pipeline.firstOpenStage : pipeline.openStage(input.stageId, '/stage_id');
          const repo = OpportunityRepository.in(uow);
          await requireLiveAccount(repo, input.accountId, 'an archived account takes no new opportunities');
          await requireContact(uow, input.primaryContactId);
          const fields = await CustomFieldRepository.in(uow).rulesFor('opportunity');
          const opportunity = Opportunity.open(tenantId, pipeline.id, stage, input, fields, actor);
          await repo.add(opportunity);
          return opportunity.snapshot;
        },
        claim,
      );
    },

    async get(tenantId: string, id: string): Promise<OpportunityState> {
      const state = await new OpportunityRepository(db, tenantId).state(id);
      if (!state) throw new NotFoundError(`There is no opportunity ${id}.`);
      return state;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<OpportunityState>> {
      return new OpportunityRepository(db, tenantId).list(request);
    },

    update(tenantId: string, id: string, expected: ExpectedVersion, patch: OpportunityPatch): Promise<OpportunityState> {
      return changing(tenantId, id, expected, async (opportunity, _pipeline, repo, uow) => {
        const before = opportunity.snapshot;
        opportunity.change(patch, await CustomFieldRepository.in(uow).rulesFor('opportunity'));
        const after = opportunity.snapshot;
        if (after.accountId !== before.accountId) await requireLiveAccount(repo, after.accountId, 'an opportunity cannot move to an archived account');
        if (after.primaryContactId !== before.primaryContactId) await requireContact(uow, after.primaryContactId);
      });
    },

    move(tenantId: string, id: string, expected: ExpectedVersion, stageId: string, actor: string, claim?: IdempotencyClaim): Promise<OpportunityState> {
      return changing(tenantId, id, expected, (o, pipeline) => o.move(pipeline.openStage(stageId, '/stage_id'), actor), claim);
    },

    win(tenantId: string, id: string, expected: ExpectedVersion, actor: string, claim?: IdempotencyClaim): Promise<OpportunityState> {
      return changing(tenantId, id, expected, (o, pipeline) => o.win(pipeline.wonStage, actor), claim);
    },

    lose(tenantId: string, id: string, expected: ExpectedVersion, reason: string, actor: string, claim?: IdempotencyClaim): Promise<OpportunityState> {
      return changing(tenantId, id, expected, (o, pipeline) => o.lose(pipeline.lostStage, reason, actor), claim);
    },

    /** Reopening makes the opportunity open again: its account must still be live. */
    reopen(tenantId: string, id: string, expected: ExpectedVersion, stageId: string, actor: string, claim?: IdempotencyClaim): Promise<OpportunityState> {
      return changing(
        tenantId,
        id,
        expected,
        async (o, pipeline, repo) => {
          o.reopen(pipeline.openStage(stageId, '/stage_id'), actor);
          await requireLiveAccount(repo, o.snapshot.accountId, 'reopen no opportunity of it');
        },
        claim,
      );
    },

    async stageHistory(tenantId: string, id: string, request: ListRequest): Promise<ListPage<StageChange>> {
      const repo = new OpportunityRepository(db, tenantId);
      if (!(await repo.state(id))) throw new NotFoundError(`There is no opportunity ${id}.`);
      return repo.stageHistory(id, request);
    },
  };
}

export type OpportunityUseCases = ReturnType<typeof opportunityUseCases>;
