import { ConflictError, InvalidInputError, type InvalidField, NotFoundError } from '../../../platform/errors';
import { newId } from '../../../platform/ids';
import { type MoneyTotal, totalsByCurrency, weightedAmount } from './money';

export type StageKind = 'open' | 'won' | 'lost';

export interface Stage {
  id: string;
  name: string;
  probability: number;
  kind: StageKind;
}

export interface StageInput {
  name: string;
  probability: number;
  kind: StageKind;
}

export interface PipelineState {
  id: string;
  tenantId: string;
  name: string;
  /** In order. */
  stages: Stage[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export const MAX_STAGES = 50;
/** The probability a closed stage has: a won deal is certain, a lost one is not coming. */
const CLOSED_PROBABILITY: Record<Exclude<StageKind, 'open'>, number> = { won: 100, lost: 0 };

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Why a stage's probability does not fit its kind, or undefined. */
function probabilityProblem(kind: StageKind, probability: number): string | undefined {
  if (kind === 'open') return undefined;
  const required = CLOSED_PROBABILITY[kind];
  return probability === required ? undefined : `must be ${required} for the ${kind} stage`;
}

/**
 * A sales pipeline: the ordered stages an opportunity goes through. It always has exactly one
 * won stage, exactly one lost stage and at least one open stage, and stage names unique within it
 * (ignoring case). The pipeline is one aggregate with one version: a change to any stage is a
 * change of the pipeline. Pipelines publish no events; opportunities do.
 */
export class Pipeline {
  private constructor(private state: PipelineState) {}

  static create(tenantId: string, input: { name: string; stages: readonly StageInput[] }, now = new Date()): Pipeline {
    const problems: InvalidField[] = [];
    input.stages.forEach((s, i) => {
      const p = probabilityProblem(s.kind, s.probability);
      if (p) problems.push({ pointer: `/stages/${i}/probability`, detail: p });
      if (input.stages.findIndex((o) => sameName(o.name, s.name)) < i) problems.push({ pointer: `/stages/${i}/name`, detail: `repeats the name of another stage (${s.name})` });
    });
    for (const kind of ['won', 'lost'] as const) {
      const n = input.stages.filter((s) => s.kind === kind).length;
      if (n !== 1) problems.push({ pointer: '/stages', detail: `must have exactly one ${kind} stage (${n} given)` });
    }
    if (!input.stages.some((s) => s.kind === 'open')) problems.push({ pointer: '/stages', detail: 'must have at least one open stage' });
    if (input.stages.length > MAX_STAGES) problems.push({ pointer: '/stages', detail: `may have at most ${MAX_STAGES} stages` });
    if (problems.length) throw new InvalidInputError(problems);
    return new Pipeline({
      id: newId('pip'),
      tenantId,
      name: input.name,
      stages: input.stages.map((s) => ({ id: newId('stg'), name: s.name, probability: s.probability, kind: s.kind })),
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
  }

  static restore(state: PipelineState): Pipeline {
    return new Pipeline({ ...state, stages: state.stages.map((s) => ({ ...s })) });
  }

  get snapshot(): Readonly<PipelineState> {
    return this.state;
  }

  get id(): string {
    return this.state.id;
  }

  get version(): number {
    return this.state.version;
  }

  /** The stage of this pipeline with that id, or undefined. */
  stage(id: string): Stage | undefined {
    return this.state.stages.find((s) => s.id === id);
  }

  /** Where a new opportunity starts unless told otherwise. */
  get firstOpenStage(): Stage {
    return this.state.stages.find((s) => s.kind === 'open')!;
  }

  get wonStage(): Stage {
    return this.state.stages.find((s) => s.kind === 'won')!;
  }

  get lostStage(): Stage {
    return this.state.stages.find((s) => s.kind === 'lost')!;
  }

  /**
   * The open stage `id` names, for an opportunity to be in; a 400 naming `pointer` when it is no
   * stage of this pipeline or a closed one (closing is `win` and `lose`).
   */
  openStage(id: string, pointer: string): Stage {
    const stage = this.stage(id);
    if (!stage) throw new InvalidInputError([{ pointer, detail: `is not a stage of pipeline ${this.state.id}` }]);
    if (stage.kind !== 'open') throw new InvalidInputError([{ pointer, detail: `is the ${stage.kind} stage: an opportunity is closed by win or lose, not moved there` }]);
    return stage;
  }

  rename(name: string, now = new Date()): void {
    if (name === this.state.name) return;
    this.bump({ ...this.state, name }, now);
  }

  /** Adds an open stage at `position` (the end when absent or past it). */
  addStage(input: StageInput, position: number | undefined, now = new Date()): Stage {
    if (input.kind !== 'open') throw new ConflictError(`Pipeline ${this.state.id} already has its ${input.kind} stage; a pipeline has exactly one.`);
    if (this.state.stages.length >= MAX_STAGES) throw new ConflictError(`Pipeline ${this.state.id} already has ${MAX_STAGES} stages, the most a pipeline may have.`);
    this.assertNameFree(input.name);
    const stage: Stage = { id: newId('stg'), name: input.name, probability: input.probability, kind: 'open' };
    const stages = [...this.state.stages];
    stages.splice(Math.min(position ?? stages.length, stages.length), 0, stage);
    this.bump({ ...this.state, stages }, now);
    return stage;
  }

  changeStage(id: string, changes: { name?: string; probability?: number }, now = new Date()): void {
    const stage = this.existingStage(id);
    if (changes.probability !== undefined) {
      const problem = probabilityProblem(stage.kind, changes.probability);
      if (problem) throw new InvalidInputError([{ pointer: '/probability', detail: problem }]);
    }
    if (changes.name !== undefined && changes.name !== stage.name) this.assertNameFree(changes.name, id);
    const next: Stage = { ...stage, ...(changes.name !== undefined && { name: changes.name }), ...(changes.probability !== undefined && { probability: changes.probability }) };
    if (next.name === stage.name && next.probability === stage.probability) return;
    this.bump({ ...this.state, stages: this.state.stages.map((s) => (s.id === id ? next : s)) }, now);
  }

  /** Puts the stages in the order of `ids`, which must name each stage once. */
  reorder(ids: readonly string[], now = new Date()): void {
    const known = new Set(this.state.stages.map((s) => s.id));
    const problems: InvalidField[] = [];
    ids.forEach((id, i) => {
      if (!known.has(id)) problems.push({ pointer: `/stage_ids/${i}`, detail: `is not a stage of pipeline ${this.state.id}` });
    });
    const missing = this.state.stages.filter((s) => !ids.includes(s.id));
    if (missing.length) problems.push({ pointer: '/stage_ids', detail: `must list every stage once; missing: ${missing.map((s) => s.id).join(', ')}` });
    if (problems.length) throw new InvalidInputError(problems);
    const stages = ids.map((id) => this.stage(id)!);
    if (stages.every((s, i) => s.id === this.state.stages[i].id)) return;
    this.bump({ ...this.state, stages }, now);
  }

  /**
   * Removes an open stage that holds `held` opportunities. When it holds any, `moveTo` must name
   * another open stage of this pipeline; the caller moves them there in the same transaction.
   * Returns that stage (undefined when none was needed).
   */
  removeStage(id: string, held: number, moveTo: string | undefined, now = new Date()): Stage | undefined {
    const stage = this.existingStage(id);
    if (stage.kind !== 'open') throw new ConflictError(`Stage ${id} is the ${stage.kind} stage of pipeline ${this.state.id}; a pipeline always has exactly one.`);
    if (this.state.stages.filter((s) => s.kind === 'open').length === 1) throw new ConflictError(`Stage ${id} is the only open stage of pipeline ${this.state.id}; add another before deleting it.`);
    let target: Stage | undefined;
    if (moveTo !== undefined) {
      if (moveTo === id) throw new InvalidInputError([{ pointer: '/query/move_to', detail: 'must be another stage than the one deleted' }]);
      target = this.openStage(moveTo, '/query/move_to');
    }
    if (held > 0 && !target) {
      throw new ConflictError(`Stage ${id} holds ${held} ${held === 1 ? 'opportunity' : 'opportunities'}; name another open stage to move ${held === 1 ? 'it' : 'them'} to with ?move_to=stg_….`);
    }
    this.bump({ ...this.state, stages: this.state.stages.filter((s) => s.id !== id) }, now);
    return held > 0 ? target : undefined;
  }

  private existingStage(id: string): Stage {
    const stage = this.stage(id);
    if (!stage) throw new NotFoundError(`Pipeline ${this.state.id} has no stage ${id}.`);
    return stage;
  }

  private assertNameFree(name: string, self?: string): void {
    const other = this.state.stages.find((s) => s.id !== self && sameName(s.name, name));
    if (other) throw new ConflictError(`Pipeline ${this.state.id} already has a stage named ${other.name} (${other.id}).`);
  }

  private bump(next: PipelineState, now: Date): void {
    this.state = { ...next, version: this.state.version + 1, updatedAt: now };
  }
}

/** What the summary query counts per stage and currency (currency null: no amount). */
export interface StageGroup {
  stageId: string;
  currency: string | null;
  count: number;
  amount: bigint;
}

export interface StageFigures {
  stage: Stage;
  count: number;
  amounts: MoneyTotal[];
  weightedAmounts: MoneyTotal[];
}

/**
 * A pipeline's figures per stage, in its order: the count, the amounts per currency (never
 * added across currencies) and each weighted by the stage's probability, rounded half to even.
 */
export function summarize(stages: readonly Stage[], groups: readonly StageGroup[]): StageFigures[] {
  return stages.map((stage) => {
    const mine = groups.filter((g) => g.stageId === stage.id);
    const amounts = totalsByCurrency(mine.map((g) => (g.currency === null ? null : { currency: g.currency, amount: g.amount })));
    return {
      stage,
      count: mine.reduce((n, g) => n + g.count, 0),
      amounts,
      weightedAmounts: amounts.map((m) => ({ currency: m.currency, amount: weightedAmount(m.amount, stage.probability) })),
    };
  });
}
