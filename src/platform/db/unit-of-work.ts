import type { Transaction } from 'sequelize';
import type { DomainEvent } from '../events/domain-event';
import type { Database } from './database';

/**
 * One business transaction. Repositories take the transaction and the tenant from it; services
 * record the events of the aggregates they changed, and the events are written to the outbox
 * in the same transaction as the change. A failure anywhere rolls all of it back.
 */
export class UnitOfWork {
  private readonly events: DomainEvent[] = [];
  constructor(
    readonly db: Database,
    readonly transaction: Transaction,
    readonly tenantId: string,
  ) {}

  record(...events: DomainEvent[]): void {
    for (const event of events) {
      if (event.tenantId !== this.tenantId) throw new Error(`event ${event.type} belongs to another tenant`);
      this.events.push(event);
    }
  }

  get recordedEvents(): readonly DomainEvent[] {
    return this.events;
  }
}

/**
 * The Idempotency-Key claim of the request a unit of work serves: opaque to services, which
 * pass it on from the handler. The kernel marks it inside the transaction (IdempotencyStore).
 */
export interface IdempotencyClaim {
  tenantId: string;
  key: string;
  token: Date;
}

export type RunInUnitOfWork = <T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>, claim?: IdempotencyClaim) => Promise<T>;

export interface OutboxWriter {
  append(events: readonly DomainEvent[], transaction: Transaction): Promise<void>;
}

/**
 * `markClaim` runs last inside a transaction that serves an idempotent request: the claim is
 * marked committed with the change, or not at all.
 */
export function unitOfWorkRunner(
  db: Database,
  outbox: OutboxWriter,
  afterCommit: () => void,
  markClaim?: (claim: IdempotencyClaim, transaction: Transaction) => Promise<void>,
): RunInUnitOfWork {
  return async (tenantId, work, claim) => {
    let wroteEvents = false;
    const result = await db.transaction(async (transaction) => {
      const uow = new UnitOfWork(db, transaction, tenantId);
      const value = await work(uow);
      if (uow.recordedEvents.length) {
        await outbox.append(uow.recordedEvents, transaction);
        wroteEvents = true;
      }
      if (claim && markClaim) await markClaim(claim, transaction);
      return value;
    });
    if (wroteEvents) afterCommit();
    return result;
  };
}
