import type { Transaction } from 'sequelize';
import type { DomainEvent } from '../events/domain-event';
import type { Database } from './database';
import { isTransientConflict } from './unavailable';

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

  /**
   * Runs `work` in a savepoint of this unit of work's transaction: when it throws, what it wrote
   * and the events it recorded are undone and the transaction goes on (on PostgreSQL too, where
   * a failed statement would otherwise end it); the error is rethrown. For work whose parts
   * succeed or fail alone, such as the items of a batch, all committed (or not) together.
   */
  async savepoint<T>(work: () => Promise<T>): Promise<T> {
    const mark = this.events.length;
    // Sequelize makes a child of a transaction a savepoint on the parent's connection; its
    // commit does nothing, so the savepoint is released here (they would nest otherwise).
    const savepoint = await this.db.sequelize.transaction({ transaction: this.transaction });
    const name = this.db.sequelize.getQueryInterface().quoteIdentifier((savepoint as unknown as { name: string }).name);
    let value: T;
    try {
      value = await work();
    } catch (err) {
      await savepoint.rollback();
      this.events.length = mark;
      throw err;
    }
    await savepoint.commit();
    await this.db.sequelize.query(`RELEASE SAVEPOINT ${name}`, { transaction: this.transaction });
    return value;
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

/** How often a unit of work runs in all when PostgreSQL breaks a deadlock or a serialization conflict (or refuses a stale prepared statement). */
export const UNIT_OF_WORK_ATTEMPTS = 4;

/**
 * `markClaim` runs last inside a transaction that serves an idempotent request: the claim is
 * marked committed with the change, or not at all.
 *
 * A unit of work that PostgreSQL rolled back to break a deadlock or a serialization conflict
 * (`40P01`, `40001`) runs again from the start, after a short random pause, up to
 * UNIT_OF_WORK_ATTEMPTS times in all; `work` must therefore do nothing but database work and
 * pure computation (everything it does was rolled back). After the last attempt the error goes
 * up, and the caller gets a 503 with Retry-After (isDatabaseUnavailable counts both codes).
 * A unit of work that failed on a prepared statement a migration made stale under this process
 * (isStalePreparedStatement) runs again the same way: the driver has prepared it afresh by then.
 */
export function unitOfWorkRunner(
  db: Database,
  outbox: OutboxWriter,
  afterCommit: () => void,
  markClaim?: (claim: IdempotencyClaim, transaction: Transaction) => Promise<void>,
): RunInUnitOfWork {
  return async (tenantId, work, claim) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await runOnce(tenantId, work, claim);
      } catch (err) {
        if (attempt >= UNIT_OF_WORK_ATTEMPTS || !isTransientConflict(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * (2 + Math.random() * 8)));
      }
    }
  };

  async function runOnce<T>(tenantId: string, work: (uow: UnitOfWork) => Promise<T>, claim?: IdempotencyClaim): Promise<T> {
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
  }
}
