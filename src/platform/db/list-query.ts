import type { Transaction } from 'sequelize';
import { searchText } from '../search-text';
import type { Database, Dialect } from './database';

/**
 * One list, declared once: its table, the columns it filters and sorts on, its filters and its
 * sort keys. From that come the query parameters the HTTP layer accepts (src/platform/http/
 * list-params.ts) and tenant-scoped keyset SQL for SQLite and PostgreSQL, so no module writes
 * its own paging SQL.
 *
 * Conventions every list shares:
 * - Ranges: an instant or date column `x` filtered as `x` takes `x_after` (inclusive) and
 *   `x_before` (exclusive), so consecutive windows neither overlap nor leave gaps; an integer
 *   column takes `x_min` and `x_max`, both inclusive, as the names say.
 * - Sorting: `key` ascending, `-key` descending, the id always the tiebreaker in the same
 *   direction; each key wants an index on (tenant_id, key, id). A nullable sort column pages
 *   correctly: NULL orders after every value ascending and first descending (PostgreSQL's own
 *   default, so that index serves both ways), the same on SQLite. The cursor carries the sort
 *   value as JSON, so instants must hold whole milliseconds (written from JavaScript) and
 *   integers fit a JavaScript number.
 * - Text filters compare against a column holding searchText() of the text: case-insensitive
 *   the same way on both databases (SQLite's LOWER() and LIKE fold ASCII only).
 * - A `set` column holds a JSON array of strings (jsonb on PostgreSQL, served by a GIN index;
 *   text on SQLite); a `member` filter keeps the rows whose set holds the value (`?tag=vip`).
 * - Per-tenant fields (a module's custom fields) live in one JSON object column; a list that
 *   declares `fields` takes `<prefix><key>=value` for each field the tenant has, compared by
 *   equality with the field's type (jsonb containment on PostgreSQL, one GIN index for all keys).
 */

export type ColumnType = 'text' | 'integer' | 'instant' | 'date' | 'boolean' | 'set';

export interface ListColumn {
  type: ColumnType;
  nullable?: boolean;
}

export type ListFilter =
  /** `?name=v`: equal (`true`/`false` on a boolean column). */
  | { kind: 'equals'; column: string; values?: readonly string[] }
  /** `?name=a,b` or `?name=a&name=b`: any of them. */
  | { kind: 'in'; column: string; values?: readonly string[] }
  /** `name_after`/`name_before` (instants, dates) or `name_min`/`name_max` (integers). */
  | { kind: 'range'; column: string }
  /**
   * The column holds searchText() of the text. `legacyFallback` names the unfolded column, matched
   * with LOWER() on rows whose folded column is still NULL (written before the column existed).
   */
  | { kind: 'text'; column: string; match: 'contains' | 'prefix'; legacyFallback?: string }
  /** `true`: the column has a value; `false`: it is NULL. */
  | { kind: 'present'; column: string }
  /** `?name=v`: the set column holds v. */
  | { kind: 'member'; column: string };

export interface ListDeclaration {
  /** Binds cursors: a cursor of one list is refused by another. */
  name: string;
  table: string;
  /** The SELECT list, comma-separated column names; it must include `id` and every sort column. */
  select: string;
  /** Every column a filter or sort names (`id`, text and never NULL, is implied). */
  columns: Readonly<Record<string, ListColumn>>;
  /** Keyed by query parameter (a range by the stem of its two parameters). */
  filters: Readonly<Record<string, ListFilter>>;
  sorts: readonly string[];
  /**
   * The column a sort key orders by, when it is not the column of that name: e.g. `name` by
   * `name_key`, the name folded by searchText(), so that the order ignores case the same way
   * on both databases.
   */
  sortColumns?: Readonly<Record<string, string>>;
  /** `key` or `-key`. */
  defaultSort: string;
  /**
   * Per-tenant fields filtered by equality: `?<prefix><key>=value` for each field the caller
   * passes to readListQuery. The contract declares them as one free-form query parameter named
   * `param`.
   */
  fields?: { param: string; prefix: string; column: string };
}

/** One query parameter a list takes, and what it does. */
export interface ListParameter {
  name: string;
  column: string;
  /** How the value reads: the column's type, or boolean for `present`. */
  type: ColumnType;
  op: '=' | 'in' | '>=' | '<' | '<=' | 'contains' | 'prefix' | 'present' | 'member';
  values?: readonly string[];
  legacyFallback?: string;
}

export interface List extends ListDeclaration {
  readonly parameters: ReadonlyMap<string, ListParameter>;
  /** Every accepted `sort` value: each key, then `-key`. */
  readonly sortOptions: readonly string[];
}

export type FilterValue = string | number | boolean | Date | readonly (string | number)[];

/** Where the previous page ended: the last row's sort value (null for NULL) and id. */
export interface ListPosition {
  value: string | number | null;
  id: string;
}

/** How a per-tenant field reads in a filter. */
export interface FieldType {
  type: 'text' | 'number' | 'boolean' | 'date';
  /** For text: the only values it takes. */
  values?: readonly string[];
}

/** A per-tenant field's value a list is filtered on. */
export interface FieldFilter {
  key: string;
  value: string | number | boolean;
}

/** A list request, already checked against its List: framework-free, for application services. */
export interface ListRequest {
  /** Parsed values by parameter name (`status`, `created_after`, …); absent means unfiltered. */
  filters: Readonly<Record<string, FilterValue>>;
  /** Per-tenant fields by key (the list's `fields`), in key order. */
  fieldFilters?: readonly FieldFilter[];
  sort: string;
  limit: number;
  after?: ListPosition;
}

export interface ListPage<T> {
  items: T[];
  next: ListPosition | null;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** A per-tenant field key, spliced into SQLite's JSON path: identifiers only. */
export const FIELD_KEY = /^[a-z][a-z0-9_]{0,39}$/;
const RESERVED = new Set(['limit', 'cursor', 'sort']);
const ID: ListColumn = { type: 'text' };

/** Checks a declaration once, at load: a mistake here stops the start instead of a request. */
export function defineList(declaration: ListDeclaration): List {
  const fail = (why: string): never => {
    throw new Error(`list ${declaration.name}: ${why}`);
  };
  const column = (name: string): ListColumn => (name === 'id' ? ID : declaration.columns[name]) ?? fail(`${name} is not a declared column`);
  for (const name of [declaration.table, ...Object.keys(declaration.columns), ...Object.keys(declaration.filters)]) {
    if (!IDENTIFIER.test(name)) fail(`${name} is not a plain lower-case identifier`);
  }
  const parameters = new Map<string, ListParameter>();
  const add = (p: ListParameter) => {
    if (parameters.has(p.name) || RESERVED.has(p.name)) fail(`parameter ${p.name} is declared twice or reserved`);
    parameters.set(p.name, p);
  };
  for (const [name, filter] of Object.entries(declaration.filters)) {
    const { type, nullable } = column(filter.column);
    const allowed: Record<ListFilter['kind'], readonly ColumnType[]> = {
      equals: ['text', 'integer', 'boolean', 'date'],
      in: ['text', 'integer'],
      range: ['integer', 'instant', 'date'],
      text: ['text'],
      present: ['text', 'integer', 'instant', 'date', 'boolean'],
      member: ['set'],
    };
    if (!allowed[filter.kind].includes(type)) fail(`a ${filter.kind} filter cannot take the ${type} column ${filter.column}`);
    const base = { column: filter.column, type };
    if (filter.kind === 'equals' || filter.kind === 'in') {
      if (filter.values && type !== 'text') fail(`${name}: values are for text columns`);
      add({ ...base, name, op: filter.kind === 'in' ? 'in' : '=', values: filter.values });
    } else if (filter.kind === 'range') {
      const [low, high] = type === 'integer' ? (['min', 'max'] as const) : (['after', 'before'] as const);
      add({ ...base, name: `${name}_${low}`, op: '>=' });
      add({ ...base, name: `${name}_${high}`, op: type === 'integer' ? '<=' : '<' });
    } else if (filter.kind === 'text') {
      if (filter.legacyFallback && column(filter.legacyFallback).type !== 'text') fail(`${name}: the fallback must be a text column`);
      add({ ...base, name, op: filter.match, legacyFallback: filter.legacyFallback });
    } else if (filter.kind === 'member') {
      add({ ...base, name, type: 'text', op: 'member' });
    } else {
      if (!nullable) fail(`${name}: ${filter.column} is never NULL`);
      add({ ...base, name, type: 'boolean', op: 'present' });
    }
  }
  if (declaration.fields) {
    const { param, prefix, column: fieldColumn } = declaration.fields;
    if (!IDENTIFIER.test(param) || !IDENTIFIER.test(fieldColumn) || !/^[a-z_]+\.$/.test(prefix)) fail('fields: param and column are identifiers, the prefix ends with a dot');
    if (parameters.has(param) || RESERVED.has(param)) fail(`fields: parameter ${param} is declared twice or reserved`);
  }
  const selected = new Set(declaration.select.split(',').map((c) => c.trim()));
  if (!selected.has('id')) fail('the select list must include id');
  for (const key of declaration.sorts) {
    if (key === 'id') fail('id is always the tiebreaker, not a sort key');
    const by = declaration.sortColumns?.[key] ?? key;
    if (column(by).type === 'boolean' || column(by).type === 'set') fail(`${key}: ${column(by).type} columns are not sort keys`);
    if (!selected.has(by)) fail(`the select list must include the sort column ${by}`);
  }
  for (const key of Object.keys(declaration.sortColumns ?? {})) if (!declaration.sorts.includes(key)) fail(`sortColumns names ${key}, which is not a sort key`);
  const sortOptions = [...declaration.sorts, ...declaration.sorts.map((k) => `-${k}`)];
  if (!sortOptions.includes(declaration.defaultSort)) fail(`the default sort ${declaration.defaultSort} is not a sort option`);
  return Object.freeze({ ...declaration, parameters, sortOptions });
}

/** The column and direction of a `sort` value, or undefined when the list has no such key. */
export function parseSort(list: List, sort: string): { column: string; descending: boolean; nullable: boolean } | undefined {
  if (!list.sortOptions.includes(sort)) return undefined;
  const descending = sort.startsWith('-');
  const key = descending ? sort.slice(1) : sort;
  const column = list.sortColumns?.[key] ?? key;
  return { column, descending, nullable: list.columns[column].nullable === true };
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The SQL of one page (one row more than `limit`, to tell whether another page follows). Filter
 * values are always bound, never spliced, and an `in` list is one bound array, so the text of
 * the statement depends only on which filters are present: the database layer prepares it once.
 */
export function buildListQuery(list: List, dialect: Dialect, tenantId: string, request: ListRequest): { sql: string; replacements: Record<string, unknown> } {
  const sort = parseSort(list, request.sort);
  if (!sort) throw new Error(`list ${list.name}: no sort ${request.sort}`);
  const where = ['tenant_id = :tenantId'];
  const replacements: Record<string, unknown> = { tenantId, limit: request.limit + 1 };
  for (const [name, value] of Object.entries(request.filters)) {
    const p = list.parameters.get(name);
    if (!p) throw new Error(`list ${list.name}: no filter ${name}`);
    const key = `p_${name}`;
    const c = p.column;
    switch (p.op) {
      case 'in':
        where.push(dialect === 'postgres' ? `${c} = ANY(:${key})` : `${c} IN (SELECT value FROM json_each(:${key}))`);
        replacements[key] = dialect === 'postgres' ? value : JSON.stringify(value);
        break;
      case 'contains':
      case 'prefix': {
        const like = `${c} LIKE :${key} ESCAPE '\\'`;
        where.push(p.legacyFallback ? `(${like} OR (${c} IS NULL AND LOWER(${p.legacyFallback}) LIKE :${key} ESCAPE '\\'))` : like);
        const text = escapeLike(searchText(String(value)));
        replacements[key] = p.op === 'contains' ? `%${text}%` : `${text}%`;
        break;
      }
      case 'present':
        where.push(`${c} IS ${value ? 'NOT NULL' : 'NULL'}`);
        break;
      case 'member':
        where.push(dialect === 'postgres' ? `${c} @> CAST(:${key} AS jsonb)` : `EXISTS (SELECT 1 FROM json_each(${c}) WHERE json_each.value = :${key})`);
        replacements[key] = dialect === 'postgres' ? JSON.stringify([value]) : value;
        break;
      default:
        where.push(`${c} ${p.op} :${key}`);
        replacements[key] = value;
    }
  }
  if (request.fieldFilters?.length) {
    const column = list.fields?.column;
    if (!column) throw new Error(`list ${list.name}: no per-tenant fields`);
    request.fieldFilters.forEach(({ key, value }, i) => {
      if (!FIELD_KEY.test(key)) throw new Error(`list ${list.name}: field key ${key} is not an identifier`);
      const name = `f_${i}`;
      if (dialect === 'postgres') {
        where.push(`${column} @> CAST(:${name} AS jsonb)`);
        replacements[name] = JSON.stringify({ [key]: value });
      } else {
        // json_extract gives JSON true/false as 1/0.
        where.push(`json_extract(${column}, '$.${key}') = :${name}`);
        replacements[name] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      }
    });
  }
  const c = sort.column;
  const dir = sort.descending ? 'DESC' : 'ASC';
  const op = sort.descending ? '<' : '>';
  const after = request.after;
  if (after) {
    replacements.afterId = after.id;
    if (after.value !== null) replacements.afterValue = list.columns[c].type === 'instant' ? new Date(after.value) : after.value;
  }
  // A part holds values only or NULLs only, so its plain ORDER BY is its index's order on both
  // databases, whichever end each keeps NULLs at.
  const from = `(${c}, id) ${op} (:afterValue, :afterId)`;
  if (!sort.nullable) {
    if (after?.value === null) throw new Error(`list ${list.name}: a NULL position on ${c}, which is never NULL`);
    return { sql: pageSql(list, where, c, dir, after ? from : undefined), replacements };
  }
  // NULL orders after every value: ascending the values come first, descending the NULLs. A page
  // that may reach from one into the other reads both as index ranges and merges them; one
  // condition with OR had PostgreSQL filter every row already passed, page after page.
  const values = { all: `${c} IS NOT NULL`, from };
  const nulls = { all: `${c} IS NULL`, from: `${c} IS NULL AND id ${op} :afterId` };
  const segments = sort.descending ? [nulls, values] : [values, nulls];
  const start = after ? segments.indexOf(after.value === null ? nulls : values) : 0;
  const [first, second] = segments.slice(start).map((s, i) => (after && i === 0 ? s.from : s.all));
  if (!second) return { sql: pageSql(list, where, c, dir, first), replacements };
  const sql = `SELECT * FROM (${pageSql(list, where, c, dir, first)}) AS a UNION ALL SELECT * FROM (${pageSql(list, where, c, dir, second)}) AS b ORDER BY ${c} ${dir} NULLS ${sort.descending ? 'FIRST' : 'LAST'}, id ${dir} LIMIT :limit`;
  return { sql, replacements };
}

/** One part of a page's SQL (a module function: tsx wraps a named closure made per request in a `__name` call). */
function pageSql(list: List, where: readonly string[], column: string, dir: string, condition?: string): string {
  return `SELECT ${list.select} FROM ${list.table} WHERE ${(condition ? [...where, condition] : where).join(' AND ')} ORDER BY ${column} ${dir}, id ${dir} LIMIT :limit`;
}

/** One page of raw rows, and the position after its last row when more follow. */
export async function selectPage<Row extends object>(db: Database, list: List, tenantId: string, request: ListRequest, transaction?: Transaction): Promise<ListPage<Row>> {
  const { sql, replacements } = buildListQuery(list, db.dialect, tenantId, request);
  const rows = await db.select<Row>(sql, replacements, transaction);
  if (rows.length <= request.limit) return { items: rows, next: null };
  const items = rows.slice(0, request.limit);
  return { items, next: positionOf(list, request.sort, items[items.length - 1] as Record<string, unknown>) };
}

function positionOf(list: List, sort: string, row: Record<string, unknown>): ListPosition {
  const { column, nullable } = parseSort(list, sort)!;
  const raw = row[column];
  if (raw === null || raw === undefined) {
    if (!nullable) throw new Error(`list ${list.name}: ${column} is NULL but not declared nullable`);
    return { value: null, id: String(row.id) };
  }
  return { value: positionValue(list.columns[column].type, raw), id: String(row.id) };
}

/** A sort value as the cursor carries it, from what either driver returns. */
function positionValue(type: ColumnType, raw: unknown): string | number {
  switch (type) {
    case 'instant':
      // SQLite returns Sequelize's stored text, pg a Date.
      return (raw instanceof Date ? raw : new Date(raw as string)).toISOString();
    case 'date':
      // Sequelize has pg return dates as text; a bare pg parses them to local midnight.
      return raw instanceof Date ? `${String(raw.getFullYear()).padStart(4, '0')}-${String(raw.getMonth() + 1).padStart(2, '0')}-${String(raw.getDate()).padStart(2, '0')}` : String(raw).slice(0, 10);
    case 'integer':
      return Number(raw);
    default:
      return String(raw);
  }
}
