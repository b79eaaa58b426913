import type { ListPage, ListRequest, List } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { StaleVersionError } from '../../../platform/errors';
import type { DomainEvent } from '../../../platform/events/domain-event';

/** A `date` column as YYYY-MM-DD from either driver (SQLite text; pg text through Sequelize, or a local-midnight Date). */
export function day(v: string | Date): string {
  if (v instanceof Date) return `${String(v.getFullYear()).padStart(4, '0')}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`;
  return String(v).slice(0, 10);
}

/** The SQL and the row mapping of one kind of order and its lines. */
export interface OrderTables<Row extends { id: string }, LineRow, State extends { id: string; lines: Line[] }, Line> {
  /** For people: `Sales order`. */
  what: string;
  list: List;
  get: string;
  insert: string;
  /** Guarded by `version = :loaded`, `RETURNING id`. */
  update: string;
  deleteLines: string;
  insertLine: string;
  /** The lines of the orders `(${list})`, by order and position. */
  selectLines: (list: string) => string;
  orderIdOf: (line: LineRow) => string;
  toState: (row: Row, lines: Line[]) => State;
  toLine: (row: LineRow) => Line;
  params: (state: Readonly<State>) => Record<string, unknown>;
  lineParams: (state: Readonly<State>, line: Readonly<Line>, position: number) => Record<string, unknown>;
}

/** What the repository needs of an order aggregate. */
interface Aggregate<State> {
  readonly id: string;
  readonly snapshot: Readonly<State>;
  pullEvents(): DomainEvent[];
}

/**
 * Orders of one tenant with their lines, for every kind of order: the order row versioned, the
 * lines written whole with it.
 */
export abstract class OrderRepository<Row extends { id: string }, LineRow, State extends { id: string; lines: Line[] }, Line, A extends Aggregate<State>> extends TenantRepository {
  protected abstract readonly tables: OrderTables<Row, LineRow, State, Line>;
  protected abstract restore(state: State): A;

  /** Inside a unit of work on PostgreSQL the order row is locked: every change of it takes turns. */
  async get(id: string): Promise<A | null> {
    const state = await this.read(id, true);
    return state ? this.restore(state) : null;
  }

  state(id: string): Promise<State | null> {
    return this.read(id, false);
  }

  async add(order: A): Promise<void> {
    await this.execute(this.tables.insert, this.tables.params(order.snapshot));
    await this.writeLines(order.snapshot);
    this.record(order.pullEvents());
  }

  /** Saves the order if it is still at `loadedVersion` (else 412), and its lines as they are now. */
  async save(order: A, loadedVersion: number): Promise<void> {
    const updated = await this.execute<{ id: string }>(this.tables.update, { ...this.tables.params(order.snapshot), loaded: loadedVersion });
    if (updated.length !== 1) throw new StaleVersionError(`${this.tables.what} ${order.id} was changed by another request; get it again and retry.`);
    await this.execute(this.tables.deleteLines, { id: order.id });
    await this.writeLines(order.snapshot);
    this.record(order.pullEvents());
  }

  async list(request: ListRequest): Promise<ListPage<State>> {
    const page = await this.page<Row, Row>(this.tables.list, request, (r) => r);
    const lines = await this.linesOf(page.items.map((r) => r.id));
    return { items: page.items.map((r) => this.tables.toState(r, lines.get(r.id) ?? [])), next: page.next };
  }

  private async read(id: string, locking: boolean): Promise<State | null> {
    const row = locking ? await this.lockingSelectOne<Row>(this.tables.get, { id }) : await this.selectOne<Row>(this.tables.get, { id });
    return row ? this.tables.toState(row, (await this.linesOf([id])).get(id) ?? []) : null;
  }

  private async linesOf(orderIds: readonly string[]): Promise<Map<string, Line[]>> {
    const out = new Map<string, Line[]>();
    if (!orderIds.length) return out;
    const { list, params: ids } = this.inList('o', [...new Set(orderIds)]);
    for (const r of await this.select<LineRow>(this.tables.selectLines(list), ids)) {
      const orderId = this.tables.orderIdOf(r);
      out.set(orderId, [...(out.get(orderId) ?? []), this.tables.toLine(r)]);
    }
    return out;
  }

  private async writeLines(s: Readonly<State>): Promise<void> {
    for (const [position, l] of s.lines.entries()) await this.execute(this.tables.insertLine, this.tables.lineParams(s, l, position));
  }
}
