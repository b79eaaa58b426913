import { newId } from '../ids';

/** Something that happened to an aggregate, named `module.aggregate.past_tense_verb`. */
export interface DomainEvent<P = Record<string, unknown>> {
  id: string;
  type: string;
  tenantId: string;
  aggregateType: string;
  aggregateId: string;
  occurredAt: Date;
  payload: P;
}

export function domainEvent<P extends Record<string, unknown>>(
  type: string,
  tenantId: string,
  aggregate: { type: string; id: string },
  payload: P,
  occurredAt = new Date(),
): DomainEvent<P> {
  return { id: newId('evt'), type, tenantId, aggregateType: aggregate.type, aggregateId: aggregate.id, occurredAt, payload };
}
