import { defineList, type List, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { date } from '../../../platform/db/rows';
import { StaleVersionError } from '../../../platform/errors';
import { groupBy } from '../../../platform/group-by';
import type { DomainEvent } from '../../../platform/events/domain-event';
import type { OrderHeader } from '../domain/order';

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
  /** The line table and its columns after `tenant_id`, in `lineParams`'s order (`line_<column>`). */
  lineInsert: { table: string; columns: readonly string[] };
  /** The lines of the orders `(${list})`, by order and position. */
  selectLines: (list: string) => string;
  orderIdOf: (line: LineRow) => string;
  toState: (row: Row, lines: Line[]) => State;
  toLine: (row: LineRow) => Line;
  params: (state: Readonly<State>) => Record<string, unknown>;
  lineParams: (state: Readonly<State>, line: Readonly<Line>, position: number) => Record<string, unknown>;
}

/** An order's row: the columns every order table has, and its party's (`customer_id`, `supplier_id`). */
export interface OrderRow {
  id: string;
  tenant_id: string;
  number: string;
  status: string;
  order_date: string | Date;
  currency: string;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
  [party: string]: unknown;
}

/**
 * How a line column reads back: ids and other text as they are, bigint and integer as numbers,
 * booleans from either driver, `ids` a list of ids kept as one space-separated text (null: none).
 */
export type LineColumnKind = 'text' | 'number' | 'boolean' | 'ids';

/** What tells one kind of order's tables from another's. */
export interface OrderTableSpec<State extends OrderHeader<string> & { lines: Line[] }, Line extends { id: string }> {
  what: string;
  /** `erp_sales_orders`; its lines are in `<table minus the s>_lines` (`erp_sales_order_lines`). */
  table: string;
  /** The party column: `customer_id`. */
  party: string;
  statuses: readonly string[];
  /** The line table's reference to its order: `sales_order_id`. */
  orderColumn: string;
  /** The line table's own columns (after id, the order's and position), each the line's field of that name in camelCase. */
  lineColumns: Readonly<Record<string, LineColumnKind>>;
  toState: (header: OrderHeader<string>, partyId: string, lines: Line[]) => State;
  partyOf: (state: Readonly<State>) => string;
}

const camel = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const READ: Record<LineColumnKind, (v: unknown) => unknown> = {
  text: (v) => v,
  number: (v) => Number(v),
  boolean: (v) => v === true || v === 1,
  ids: (v) => (v ? String(v).split(' ') : []),
};
const WRITE: Record<LineColumnKind, (v: unknown) => unknown> = {
  text: (v) => v,
  number: (v) => v,
  boolean: (v) => v,
  ids: (v) => ((v as readonly string[]).length ? (v as readonly string[]).join(' ') : null),
};

/**
 * The list and the SQL of one kind of order, from its table, party column and line columns: the
 * list filters by party, status and order date and sorts by order date or creation (each with
 * its index); rows map to the order's header here, the party and lines by the spec.
 */
export function orderTables<State extends OrderHeader<string> & { lines: Line[] }, Line extends { id: string }>(spec: OrderTableSpec<State, Line>): OrderTables<OrderRow, Record<string, unknown>, State, Line> {
  const { table, party, orderColumn } = spec;
  const lines = `${table.slice(0, -1)}_lines`;
  const header = ['id', 'tenant_id', 'number', party, 'status', 'order_date', 'currency', 'version', 'created_at', 'updated_at'];
  const columns = header.join(', ');
  // Each column's field name and its read and write, worked out once (a line maps per request).
  const own = Object.entries(spec.lineColumns).map(([column, kind]) => ({ column, field: camel(column), param: `line_${column}`, read: READ[kind], write: WRITE[kind] }));
  const lineColumns = ['id', orderColumn, 'position', ...own.map((c) => c.column)];
  const orderParam = `line_${orderColumn}`;
  const placeholder = (c: string) => (c === 'tenant_id' ? ':tenantId' : `:${c}`);
  const list = defineList({
    name: table.replace('_', '.'),
    table,
    select: columns,
    columns: { [party]: { type: 'text' }, status: { type: 'text' }, order_date: { type: 'date' }, created_at: { type: 'instant' } },
    filters: {
      [party]: { kind: 'equals', column: party },
      status: { kind: 'equals', column: 'status', values: spec.statuses },
      order_date: { kind: 'range', column: 'order_date' },
    },
    sorts: ['order_date', 'created_at'],
    defaultSort: '-order_date',
  });
  return {
    what: spec.what,
    list,
    get: `SELECT ${columns} FROM ${table} WHERE tenant_id = :tenantId AND id = :id`,
    insert: `INSERT INTO ${table} (${columns}) VALUES (${header.map(placeholder).join(', ')})`,
    update: `UPDATE ${table} SET ${party} = :${party}, status = :status, order_date = :order_date, currency = :currency, version = :version, updated_at = :updated_at
      WHERE tenant_id = :tenantId AND id = :id AND version = :loaded RETURNING id`,
    deleteLines: `DELETE FROM ${lines} WHERE tenant_id = :tenantId AND ${orderColumn} = :id`,
    lineInsert: { table: lines, columns: lineColumns },
    selectLines: (ids) => `SELECT ${lineColumns.join(', ')} FROM ${lines} WHERE tenant_id = :tenantId AND ${orderColumn} IN (${ids}) ORDER BY ${orderColumn}, position`,
    orderIdOf: (r) => r[orderColumn] as string,
    toLine: (r) => {
      const line: Record<string, unknown> = { id: r.id };
      for (const c of own) line[c.field] = c.read(r[c.column]);
      return line as Line;
    },
    toState: (r, ls) =>
      spec.toState(
        {
          id: r.id,
          tenantId: r.tenant_id,
          number: r.number,
          status: r.status,
          orderDate: day(r.order_date),
          currency: r.currency.trim(),
          version: Number(r.version),
          createdAt: date(r.created_at),
          updatedAt: date(r.updated_at),
        },
        r[party] as string,
        ls,
      ),
    params: (s) => ({ id: s.id, number: s.number, [party]: spec.partyOf(s), status: s.status, order_date: s.orderDate, currency: s.currency, version: s.version, created_at: s.createdAt, updated_at: s.updatedAt }),
    lineParams: (s, l, position) => {
      // In lineColumns' order: id, the order's, position, then the own columns.
      const params: Record<string, unknown> = { line_id: l.id, [orderParam]: s.id, line_position: position };
      for (const c of own) params[c.param] = c.write((l as Record<string, unknown>)[c.field]);
      return params;
    },
  };
}

/** What the repository needs of an order aggregate. */
interface Aggregate<State> {
  readonly id: string;
  readonly snapshot: Readonly<State>;
  pullEvents(): DomainEvent[];
}

/** Lines per multi-row INSERT: well under both databases' limits on parameters (14 columns each). */
const LINES_PER_INSERT = 200;
/** The multi-row INSERT of `count` lines (`:l<i>_<column>`), by table and count. */
const insertSql = new Map<string, string>();

const names = new WeakMap<readonly string[], Map<number | 'line', string[]>>();

/**
 * The parameter names of a table's line columns, made once: `l<row>_<column>` for a row of a
 * multi-row INSERT, `line_<column>` for what `lineParams` gives.
 */
function paramNames(columns: readonly string[], row: number | 'line'): string[] {
  let byRow = names.get(columns);
  if (!byRow) names.set(columns, (byRow = new Map()));
  let list = byRow.get(row);
  if (!list) byRow.set(row, (list = columns.map((c) => (row === 'line' ? `line_${c}` : `l${row}_${c}`))));
  return list;
}

function linesInsert(table: string, columns: readonly string[], count: number): string {
  const key = `${table}:${count}`;
  let sql = insertSql.get(key);
  if (!sql) {
    const rows = Array.from({ length: count }, (_, i) => `(:tenantId, ${paramNames(columns, i).map((name) => `:${name}`).join(', ')})`);
    sql = `INSERT INTO ${table} (tenant_id, ${columns.join(', ')}) VALUES ${rows.join(', ')}`;
    insertSql.set(key, sql);
  }
  return sql;
}

/**
 * Orders of one tenant with their lines, for every kind of order: the order row versioned, the
 * lines written whole with it — and only when they changed: an action that changes the order's
 * row alone (finalize, void, a payment) writes that row and nothing else; one that changes a
 * line (confirm sets reservation ids) replaces the lines in two statements.
 */
export abstract class OrderRepository<Row extends { id: string }, LineRow, State extends { id: string; lines: Line[] }, Line, A extends Aggregate<State>> extends TenantRepository {
  protected abstract readonly tables: OrderTables<Row, LineRow, State, Line>;
  protected abstract restore(state: State): A;
  /** The lines each order had when `get` read it, as their written parameters: what `save` compares. */
  private readonly loadedLines = new WeakMap<A, string>();

  /** Inside a unit of work on PostgreSQL the order row is locked: every change of it takes turns. */
  async get(id: string): Promise<A | null> {
    const state = await this.read(id, true);
    if (!state) return null;
    const order = this.restore(state);
    this.loadedLines.set(order, this.linesSignature(state));
    return order;
  }

  state(id: string): Promise<State | null> {
    return this.read(id, false);
  }

  async add(order: A): Promise<void> {
    await this.execute(this.tables.insert, this.tables.params(order.snapshot));
    await this.writeLines(order.snapshot);
    this.record(order.pullEvents());
  }

  /**
   * Saves the order if it is still at `loadedVersion` (else 412), and its lines as they are now
   * (unless they are as `get` read them).
   */
  async save(order: A, loadedVersion: number): Promise<void> {
    await this.saveHeader(order, loadedVersion);
    const state = order.snapshot;
    const signature = this.linesSignature(state);
    if (this.loadedLines.get(order) === signature) return;
    await this.execute(this.tables.deleteLines, { id: order.id });
    await this.writeLines(state);
    this.loadedLines.set(order, signature);
  }

  /** Saves the order's own row only (its lines unchanged: a payment of an invoice) if it is still at `loadedVersion` (else 412). */
  async saveHeader(order: A, loadedVersion: number): Promise<void> {
    const updated = await this.execute<{ id: string }>(this.tables.update, { ...this.tables.params(order.snapshot), loaded: loadedVersion });
    if (updated.length !== 1) throw new StaleVersionError(`${this.tables.what} ${order.id} was changed by another request; get it again and retry.`);
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
    if (!orderIds.length) return new Map();
    const { list, params: ids } = this.inList('o', [...new Set(orderIds)]);
    return groupBy(await this.select<LineRow>(this.tables.selectLines(list), ids), this.tables.orderIdOf, this.tables.toLine);
  }

  /** The lines as they would be written, in one string: equal strings, nothing to write. */
  private linesSignature(s: Readonly<State>): string {
    return JSON.stringify(s.lines.map((l, position) => this.tables.lineParams(s, l, position)));
  }

  /** The lines in multi-row INSERTs (one for up to LINES_PER_INSERT lines). */
  private async writeLines(s: Readonly<State>): Promise<void> {
    const { table, columns } = this.tables.lineInsert;
    for (let start = 0; start < s.lines.length; start += LINES_PER_INSERT) {
      const chunk = s.lines.slice(start, start + LINES_PER_INSERT);
      const params: Record<string, unknown> = {};
      const from = paramNames(columns, 'line');
      chunk.forEach((l, i) => {
        const line = this.tables.lineParams(s, l, start + i);
        const to = paramNames(columns, i);
        for (let c = 0; c < columns.length; c++) params[to[c]] = line[from[c]];
      });
      await this.execute(linesInsert(table, columns, chunk.length), params);
    }
  }
}
