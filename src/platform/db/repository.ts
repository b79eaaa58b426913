import type { Transaction } from 'sequelize';
import type { Model, ModelStatic } from 'sequelize';
import { StaleVersionError } from '../errors';
import type { DomainEvent } from '../events/domain-event';
import type { Database } from './database';
import { selectPage, type List, type ListPage, type ListRequest } from './list-query';
import type { UnitOfWork } from './unit-of-work';

/**
 * What every repository of a tenant's records shares, once: the tenant and the unit of work it
 * reads and writes in, plain-SQL reads scoped to the tenant (locking the row on PostgreSQL when
 * a change is decided on it), writes through a model against the version they were based on,
 * events handed to the unit of work, and list pages. A module's repository adds its SQL, its
 * row mapping and its own queries:
 *
 *   class AccountRepository extends TenantRepository { … }
 *   AccountRepository.in(uow)              // inside a unit of work: writes, locked reads
 *   new AccountRepository(db, tenantId)    // reads
 */
export abstract class TenantRepository {
  protected readonly transaction: Transaction | undefined;

  constructor(
    protected readonly db: Database,
    protected readonly tenantId: string,
    protected readonly uow?: UnitOfWork,
  ) {
    this.transaction = uow?.transaction;
  }

  /** The repository working inside `uow` (its tenant, its transaction). */
  static in<R>(this: new (db: Database, tenantId: string, uow?: UnitOfWork) => R, uow: UnitOfWork): R {
    return new this(uow.db, uow.tenantId, uow);
  }

  /**
   * One row by `sql` (`:tenantId` bound for you). Inside a unit of work on PostgreSQL the row is
   * read `FOR UPDATE`: the change about to be decided on it waits for any other.
   */
  protected lockingSelectOne<Row>(sql: string, params: Record<string, unknown>): Promise<Row | undefined> {
    return this.db.selectOne<Row>(`${sql}${this.lock('update')}`, { tenantId: this.tenantId, ...params }, this.transaction);
  }

  /**
   * The locking clause to end a read with: ` FOR UPDATE` (a change is decided on the rows) or
   * ` FOR SHARE` (the rows must not change or go until this unit of work commits), inside a unit
   * of work on PostgreSQL; nothing elsewhere (SQLite's transactions of a process take turns).
   */
  protected lock(mode: 'update' | 'share'): string {
    return this.uow && this.db.dialect === 'postgres' ? (mode === 'update' ? ' FOR UPDATE' : ' FOR SHARE') : '';
  }

  /** One row by `sql` (`:tenantId` bound for you), without a lock. */
  protected selectOne<Row>(sql: string, params: Record<string, unknown>): Promise<Row | undefined> {
    return this.db.selectOne<Row>(sql, { tenantId: this.tenantId, ...params }, this.transaction);
  }

  protected select<Row>(sql: string, params: Record<string, unknown>): Promise<Row[]> {
    return this.db.select<Row>(sql, { tenantId: this.tenantId, ...params }, this.transaction);
  }

  /**
   * A statement that changes rows, in the unit of work's transaction (`:tenantId` bound for
   * you): what `RETURNING` gives back. For writes a model cannot say in one statement, such as
   * an upsert that adds to a counter or an update guarded by a condition.
   */
  protected execute<Row>(sql: string, params: Record<string, unknown>): Promise<Row[]> {
    return this.db.select<Row>(sql, { tenantId: this.tenantId, ...params }, this.writeTransaction());
  }

  /** `values` as named parameters for `IN (…)`: `list` goes in the SQL, `params` with the others. */
  protected inList(prefix: string, values: readonly string[]): { list: string; params: Record<string, string> } {
    const params: Record<string, string> = {};
    values.forEach((v, i) => (params[`${prefix}${i}`] = v));
    return { list: values.map((_, i) => `:${prefix}${i}`).join(', '), params };
  }

  /** A page of `list`, each row mapped. */
  protected async page<Row extends object, T>(list: List, request: ListRequest, map: (row: Row) => T): Promise<ListPage<T>> {
    const page = await selectPage<Row>(this.db, list, this.tenantId, request, this.transaction);
    return { items: page.items.map(map), next: page.next };
  }

  /**
   * Writes `row` over the stored one if that is still at `loadedVersion`; else another request
   * saved in between, and the caller's change is refused (412). `what` names the record.
   */
  protected async updateVersioned(model: ModelStatic<Model>, row: { id: string } & Record<string, unknown>, loadedVersion: number, what: string): Promise<void> {
    const [count] = await model.update(row, { where: { id: row.id, tenant_id: this.tenantId, version: loadedVersion }, transaction: this.writeTransaction() });
    if (count !== 1) throw new StaleVersionError(`${what} was changed by another request; get it again and retry.`);
  }

  /** Deletes the record if it is still at `loadedVersion` (else 412, as updateVersioned). */
  protected async destroyVersioned(model: ModelStatic<Model>, id: string, loadedVersion: number, what: string): Promise<void> {
    const count = await model.destroy({ where: { id, tenant_id: this.tenantId, version: loadedVersion }, transaction: this.writeTransaction() });
    if (count !== 1) throw new StaleVersionError(`${what} was changed by another request; get it again and retry.`);
  }

  /** The events of a saved aggregate go to the outbox with the change. */
  protected record(events: DomainEvent[]): void {
    this.unitOfWork().record(...events);
  }

  protected writeTransaction(): Transaction {
    return this.unitOfWork().transaction;
  }

  private unitOfWork(): UnitOfWork {
    if (!this.uow) throw new Error('writes need a unit of work: use Repository.in(uow)');
    return this.uow;
  }
}
