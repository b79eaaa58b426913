import { ConflictError, InvalidInputError, type InvalidField } from '../../../platform/errors';
import { type DomainEvent, domainEvent } from '../../../platform/events/domain-event';
import { newId } from '../../../platform/ids';

export type ActivityKind = 'note' | 'task' | 'call' | 'meeting';

/** The one record an activity is attached to. */
export type Attachment = { accountId: string } | { contactId: string } | { opportunityId: string };

export interface ActivityState {
  id: string;
  tenantId: string;
  kind: ActivityKind;
  subject: string;
  body: string | null;
  dueAt: Date | null;
  completedAt: Date | null;
  occurredAt: Date | null;
  durationMinutes: number | null;
  ownerId: string | null;
  accountId: string | null;
  contactId: string | null;
  opportunityId: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ActivityInput {
  kind: ActivityKind;
  subject: string;
  body?: string | null;
  dueAt?: Date | null;
  completedAt?: Date | null;
  occurredAt?: Date | null;
  durationMinutes?: number | null;
  ownerId?: string | null;
  accountId?: string;
  contactId?: string;
  opportunityId?: string;
}

export interface ActivityPatch {
  subject?: string;
  body?: string | null;
  dueAt?: Date | null;
  occurredAt?: Date;
  durationMinutes?: number | null;
  ownerId?: string | null;
}

const AGGREGATE = 'activity';

/** Which fields belong to which kinds: a field of another kind is refused, naming it. */
const KIND_FIELDS: Record<'dueAt' | 'completedAt' | 'occurredAt' | 'durationMinutes', { pointer: string; kinds: readonly ActivityKind[] }> = {
  dueAt: { pointer: '/due_at', kinds: ['task'] },
  completedAt: { pointer: '/completed_at', kinds: ['task'] },
  occurredAt: { pointer: '/occurred_at', kinds: ['call', 'meeting'] },
  durationMinutes: { pointer: '/duration_minutes', kinds: ['call', 'meeting'] },
};

function kindProblems(kind: ActivityKind, given: Partial<Record<keyof typeof KIND_FIELDS, unknown>>): InvalidField[] {
  return (Object.keys(KIND_FIELDS) as (keyof typeof KIND_FIELDS)[])
    .filter((f) => given[f] !== undefined && given[f] !== null && !KIND_FIELDS[f].kinds.includes(kind))
    .map((f) => ({ pointer: KIND_FIELDS[f].pointer, detail: `is for ${KIND_FIELDS[f].kinds.join(' and ')}s only, not a ${kind}` }));
}

/** Exactly one of the three: the attachment, or a 400 naming the ones sent (or all three). */
export function attachmentOf(input: { accountId?: string; contactId?: string; opportunityId?: string }): Attachment {
  const given = ([['accountId', '/account_id'], ['contactId', '/contact_id'], ['opportunityId', '/opportunity_id']] as const).filter(([k]) => input[k] !== undefined);
  if (given.length !== 1) {
    const named = given.length ? given : ([['accountId', '/account_id'], ['contactId', '/contact_id'], ['opportunityId', '/opportunity_id']] as const);
    throw new InvalidInputError(named.map(([, pointer]) => ({ pointer, detail: 'an activity is attached to exactly one of account_id, contact_id and opportunity_id' })));
  }
  const [key] = given[0];
  return { [key]: input[key]! } as Attachment;
}

/**
 * A note, task, call or meeting on exactly one account, contact or opportunity. Only tasks are
 * completed, once; the fields of one kind are refused on another.
 */
export class Activity {
  private pending: DomainEvent[] = [];

  private constructor(private state: ActivityState) {}

  static record(tenantId: string, input: ActivityInput, now = new Date()): Activity {
    const problems = kindProblems(input.kind, input);
    if (problems.length) throw new InvalidInputError(problems);
    const attachment = attachmentOf(input);
    const meets = input.kind === 'call' || input.kind === 'meeting';
    const activity = new Activity({
      id: newId('act'),
      tenantId,
      kind: input.kind,
      subject: input.subject,
      body: input.body ?? null,
      dueAt: input.dueAt ?? null,
      completedAt: input.completedAt ?? null,
      occurredAt: meets ? (input.occurredAt ?? now) : null,
      durationMinutes: input.durationMinutes ?? null,
      ownerId: input.ownerId ?? null,
      accountId: 'accountId' in attachment ? attachment.accountId : null,
      contactId: 'contactId' in attachment ? attachment.contactId : null,
      opportunityId: 'opportunityId' in attachment ? attachment.opportunityId : null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    const s = activity.state;
    activity.record('crm.activity.created', { kind: s.kind, account_id: s.accountId, contact_id: s.contactId, opportunity_id: s.opportunityId }, now);
    return activity;
  }

  static restore(state: ActivityState): Activity {
    return new Activity({ ...state });
  }

  get snapshot(): Readonly<ActivityState> {
    return this.state;
  }

  get version(): number {
    return this.state.version;
  }

  /** When it shows on a timeline: when a call or meeting happened, else when it was recorded. */
  static timelineAt(s: Pick<ActivityState, 'occurredAt' | 'createdAt'>): Date {
    return s.occurredAt ?? s.createdAt;
  }

  change(patch: ActivityPatch, now = new Date()): void {
    const problems = kindProblems(this.state.kind, patch);
    if (problems.length) throw new InvalidInputError(problems);
    const next: ActivityState = {
      ...this.state,
      ...(patch.subject !== undefined && { subject: patch.subject }),
      ...(patch.body !== undefined && { body: patch.body }),
      ...(patch.dueAt !== undefined && { dueAt: patch.dueAt }),
      ...(patch.occurredAt !== undefined && { occurredAt: patch.occurredAt }),
      ...(patch.durationMinutes !== undefined && { durationMinutes: patch.durationMinutes }),
      ...(patch.ownerId !== undefined && { ownerId: patch.ownerId }),
    };
    if (JSON.stringify(next) === JSON.stringify(this.state)) return;
    this.state = { ...next, version: this.state.version + 1, updatedAt: now };
  }

  complete(now = new Date()): void {
    if (this.state.kind !== 'task') throw new ConflictError(`Activity ${this.state.id} is a ${this.state.kind}; only tasks are completed.`);
    if (this.state.completedAt) throw new ConflictError(`Task ${this.state.id} was completed at ${this.state.completedAt.toISOString()} already.`);
    this.state = { ...this.state, completedAt: now, version: this.state.version + 1, updatedAt: now };
    this.record('crm.activity.completed', { completed_at: now.toISOString() }, now);
  }

  pullEvents(): DomainEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }

  private record(type: string, payload: Record<string, unknown>, now: Date): void {
    this.pending.push(domainEvent(type, this.state.tenantId, { type: AGGREGATE, id: this.state.id }, { activity_id: this.state.id, ...payload }, now));
  }
}
