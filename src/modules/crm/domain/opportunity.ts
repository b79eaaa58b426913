import { ConflictError, InvalidInputError } from '../../../platform/errors';
import { type DomainEvent, domainEvent } from '../../../platform/events/domain-event';
import { newId } from '../../../platform/ids';
import type { CustomFieldRules, FieldValues } from './custom-field';
import type { Money } from './money';
import type { Stage } from './pipeline';
import { normalizeTags } from './values';

export type OpportunityStatus = 'open' | 'won' | 'lost';
export type OpportunityAction = 'move' | 'win' | 'lose' | 'reopen';

export interface OpportunityState {
  id: string;
  tenantId: string;
  name: string;
  pipelineId: string;
  stageId: string;
  accountId: string;
  primaryContactId: string | null;
  amount: Money | null;
  /** A calendar day, YYYY-MM-DD. */
  expectedCloseDate: string | null;
  ownerId: string | null;
  tags: string[];
  customFields: FieldValues;
  status: OpportunityStatus;
  lostReason: string | null;
  closedAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface OpportunityInput {
  name: string;
  accountId: string;
  primaryContactId?: string | null;
  amount?: Money | null;
  expectedCloseDate?: string | null;
  ownerId?: string | null;
  tags?: string[];
  customFields?: Record<string, unknown>;
}

/** A JSON Merge Patch of an opportunity: custom fields merge, the rest replaces. */
export interface OpportunityPatch {
  name?: string;
  accountId?: string;
  primaryContactId?: string | null;
  amount?: Money | null;
  expectedCloseDate?: string | null;
  ownerId?: string | null;
  tags?: string[];
  customFields?: Record<string, unknown>;
}

/** One change of stage (its creation included), kept as the opportunity's stage history. */
export interface StageChange {
  id: string;
  tenantId: string;
  opportunityId: string;
  fromStageId: string | null;
  toStageId: string;
  status: OpportunityStatus;
  /** The API client that made the change. */
  changedBy: string;
  changedAt: Date;
}

export const MAX_LOST_REASON = 500;
const AGGREGATE = 'opportunity';

const PATCHABLE = ['name', 'accountId', 'primaryContactId', 'amount', 'expectedCloseDate', 'ownerId', 'tags', 'customFields'] as const;

/**
 * A deal with an account, going through the stages of one pipeline. Its status follows its
 * stage: open in an open stage; won or lost once closed in the pipeline's won or lost stage, and
 * then nothing about it changes until it is reopened. Every change of stage is recorded for its
 * stage history, by whom and when. The pipeline it is in never changes.
 */
export class Opportunity {
  private pending: DomainEvent[] = [];
  private changes: StageChange[] = [];

  private constructor(private state: OpportunityState) {}

  /** Opens an opportunity in `stage`, an open stage of `pipelineId` the caller has checked. */
  static open(tenantId: string, pipelineId: string, stage: Stage, input: OpportunityInput, fields: CustomFieldRules, actor: string, now = new Date()): Opportunity {
    if (stage.kind !== 'open') throw new InvalidInputError([{ pointer: '/stage_id', detail: `is the ${stage.kind} stage: an opportunity starts in an open stage` }]);
    const opportunity = new Opportunity({
      id: newId('opp'),
      tenantId,
      name: input.name,
      pipelineId,
      stageId: stage.id,
      accountId: input.accountId,
      primaryContactId: input.primaryContactId ?? null,
      amount: input.amount ?? null,
      expectedCloseDate: input.expectedCloseDate ?? null,
      ownerId: input.ownerId ?? null,
      tags: normalizeTags(input.tags ?? []),
      customFields: fields.apply({}, input.customFields, true),
      status: 'open',
      lostReason: null,
      closedAt: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    const s = opportunity.state;
    opportunity.recordChange(null, actor, now);
    opportunity.record('crm.opportunity.created', { name: s.name, pipeline_id: pipelineId, stage_id: stage.id, account_id: s.accountId, amount: s.amount, owner_id: s.ownerId }, now);
    return opportunity;
  }

  static restore(state: OpportunityState): Opportunity {
    return new Opportunity({ ...state });
  }

  get snapshot(): Readonly<OpportunityState> {
    return this.state;
  }

  get id(): string {
    return this.state.id;
  }

  get version(): number {
    return this.state.version;
  }

  get isOpen(): boolean {
    return this.state.status === 'open';
  }

  get availableActions(): OpportunityAction[] {
    return availableActions(this.state.status);
  }

  /** Applies a merge patch to an open opportunity; a patch that changes nothing keeps the version. */
  change(patch: OpportunityPatch, fields: CustomFieldRules, now = new Date()): void {
    this.assertOpen('changed');
    const s = this.state;
    const next: OpportunityState = {
      ...s,
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.accountId !== undefined && { accountId: patch.accountId }),
      ...(patch.primaryContactId !== undefined && { primaryContactId: patch.primaryContactId }),
      ...(patch.amount !== undefined && { amount: patch.amount }),
      ...(patch.expectedCloseDate !== undefined && { expectedCloseDate: patch.expectedCloseDate }),
      ...(patch.ownerId !== undefined && { ownerId: patch.ownerId }),
      ...(patch.tags !== undefined && { tags: normalizeTags(patch.tags) }),
      ...(patch.customFields !== undefined && { customFields: fields.apply(s.customFields, patch.customFields, false) }),
    };
    if (PATCHABLE.every((k) => JSON.stringify(next[k]) === JSON.stringify(s[k]))) return;
    this.state = { ...next, version: s.version + 1, updatedAt: now };
  }

  /** Moves an open opportunity to another open stage of its pipeline; to its own stage, nothing. */
  move(stage: Stage, actor: string, now = new Date()): void {
    this.assertOpen('moved');
    if (stage.kind !== 'open') throw new InvalidInputError([{ pointer: '/stage_id', detail: `is the ${stage.kind} stage: close an opportunity with ${stage.kind === 'won' ? 'win' : 'lose'}` }]);
    if (stage.id === this.state.stageId) return;
    const from = this.state.stageId;
    this.state = { ...this.state, stageId: stage.id, version: this.state.version + 1, updatedAt: now };
    this.recordChange(from, actor, now);
    this.record('crm.opportunity.stage_changed', { pipeline_id: this.state.pipelineId, from_stage_id: from, to_stage_id: stage.id }, now);
  }

  /** Closes an open opportunity as won, in its pipeline's won stage. */
  win(wonStage: Stage, actor: string, now = new Date()): void {
    this.assertOpen('won');
    if (wonStage.kind !== 'won') throw new Error(`stage ${wonStage.id} is not a won stage`);
    const from = this.state.stageId;
    this.state = { ...this.state, stageId: wonStage.id, status: 'won', closedAt: now, lostReason: null, version: this.state.version + 1, updatedAt: now };
    this.recordChange(from, actor, now);
    this.record('crm.opportunity.won', { pipeline_id: this.state.pipelineId, from_stage_id: from, to_stage_id: wonStage.id, amount: this.state.amount, closed_at: now.toISOString() }, now);
  }

  /** Closes an open opportunity as lost, for a reason (required: 1–500 characters, not blank). */
  lose(lostStage: Stage, reason: string, actor: string, now = new Date()): void {
    this.assertOpen('lost');
    if (lostStage.kind !== 'lost') throw new Error(`stage ${lostStage.id} is not a lost stage`);
    const why = (reason ?? '').trim();
    if (!why) throw new InvalidInputError([{ pointer: '/reason', detail: 'is required: say why the opportunity was lost' }]);
    if (why.length > MAX_LOST_REASON) throw new InvalidInputError([{ pointer: '/reason', detail: `must be at most ${MAX_LOST_REASON} characters` }]);
    const from = this.state.stageId;
    this.state = { ...this.state, stageId: lostStage.id, status: 'lost', closedAt: now, lostReason: why, version: this.state.version + 1, updatedAt: now };
    this.recordChange(from, actor, now);
    this.record('crm.opportunity.lost', { pipeline_id: this.state.pipelineId, from_stage_id: from, to_stage_id: lostStage.id, reason: why, closed_at: now.toISOString() }, now);
  }

  /** Reopens a won or lost opportunity in an open stage of its pipeline. */
  reopen(stage: Stage, actor: string, now = new Date()): void {
    if (this.isOpen) throw new ConflictError(`Opportunity ${this.state.id} is open; move it to change its stage.`);
    if (stage.kind !== 'open') throw new InvalidInputError([{ pointer: '/stage_id', detail: `is the ${stage.kind} stage: an opportunity reopens in an open stage` }]);
    const from = this.state.stageId;
    const was = this.state.status;
    this.state = { ...this.state, stageId: stage.id, status: 'open', closedAt: null, lostReason: null, version: this.state.version + 1, updatedAt: now };
    this.recordChange(from, actor, now);
    this.record('crm.opportunity.reopened', { pipeline_id: this.state.pipelineId, from_stage_id: from, to_stage_id: stage.id, was }, now);
  }

  pullEvents(): DomainEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }

  pullStageChanges(): StageChange[] {
    const changes = this.changes;
    this.changes = [];
    return changes;
  }

  private assertOpen(verb: string): void {
    if (this.isOpen) return;
    throw new ConflictError(
      `Opportunity ${this.state.id} is ${this.state.status} and cannot be ${verb}; reopen it first (POST /v1/crm/opportunities/${this.state.id}/reopen with an open stage_id).`,
    );
  }

  private recordChange(from: string | null, actor: string, now: Date): void {
    this.changes.push({ id: newId('shc'), tenantId: this.state.tenantId, opportunityId: this.state.id, fromStageId: from, toStageId: this.state.stageId, status: this.state.status, changedBy: actor, changedAt: now });
  }

  private record(type: string, payload: Record<string, unknown>, now: Date): void {
    this.pending.push(domainEvent(type, this.state.tenantId, { type: AGGREGATE, id: this.state.id }, { opportunity_id: this.state.id, ...payload }, now));
  }
}

/** What an opportunity of this status can do next. */
export function availableActions(status: OpportunityStatus): OpportunityAction[] {
  return status === 'open' ? ['move', 'win', 'lose'] : ['reopen'];
}
