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

export type RunInUnitOfWork = <T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>) => Promise<T>;

export interface OutboxWriter {
  append(events: readonly DomainEvent[], transaction: Transaction): Promise<void>;
}

/**
 * `beforeCommit` runs last inside every transaction (the kernel marks the request's
 * idempotency claim there, so the mark commits with the change or not at all).
 */
export function unitOfWorkRunner(db: Database, outbox: OutboxWriter, afterCommit: () => void, beforeCommit?: (transaction: Transaction) => Promise<void>): RunInUnitOfWork {
  return async (tenantId, work) => {
    let wroteEvents = false;
    const result = await db.transaction(async (transaction) => {
      const uow = new UnitOfWork(db, transaction, tenantId);
      const value = await work(uow);
      if (uow.recordedEvents.length) {
        await outbox.append(uow.recordedEvents, transaction);
        wroteEvents = true;
      }
      if (beforeCommit) await beforeCommit(transaction);
      return value;
    });
    if (wroteEvents) afterCommit();
    return result;
  };
}
