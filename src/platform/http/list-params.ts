import { createHash } from 'node:crypto';
import { parseSort, type ColumnType, type FieldFilter, type FieldType, type FilterValue, type List, type ListPage, type ListParameter, type ListPosition, type ListRequest } from '../db/list-query';
import { DEFAULT_LIMIT, type CursorCodec } from './pagination';
import { HttpProblem, pointerToken, type FieldError } from './problem';

export const MAX_LIMIT = 200;
/** An `in` filter binds one array; past this it is a scan the caller should split. */
const MAX_IN_VALUES = 100;

export interface ListQuery {
  request: ListRequest;
  /** The response body: the page mapped, and a cursor bound like this request (tenant, filters, sort). */
  body<T, R>(page: ListPage<T>, toBody: (item: T) => R): { data: R[]; next_cursor: string | null };
}

/** A value a list refuses; the caller names the parameter. */
class Refused {
  constructor(readonly detail: string) {}
}

const INSTANT_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const INTEGER_TEXT = /^-?(0|[1-9]\d*)$/;

function instant(raw: unknown): Date {
  const date = typeof raw === 'string' && INSTANT_TEXT.test(raw) ? new Date(raw) : undefined;
  // `date-time` admits leap seconds, which JavaScript cannot represent; and an offset can carry
  // 9999-12-31T23:59:59-23:59 into year 10000, which neither database compares right.
  if (!date || Number.isNaN(date.getTime()) || date.getUTCFullYear() > 9999 || date.getUTCFullYear() < 1) {
    throw new Refused('must be an RFC 3339 date-time between years 0001 and 9999 in UTC (no leap second)');
  }
  return date;
}

function calendarDate(raw: unknown): string {
  const m = typeof raw === 'string' ? DATE_TEXT.exec(raw) : null;
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const date = new Date(Date.UTC(2000, mo - 1, d));
  if (!m || y < 1 || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) throw new Refused('must be a date, YYYY-MM-DD');
  return raw as string;
}

/** Ajv has already coerced numbers and booleans the contract declares; text may still come. */
function scalar(type: ColumnType, raw: unknown, values?: readonly string[]): string | number | boolean | Date {
  switch (type) {
    case 'integer': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && INTEGER_TEXT.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n)) throw new Refused('must be an integer in decimal digits');
      return n;
    }
    case 'boolean':
      if (raw === true || raw === 'true') return true;
      if (raw === false || raw === 'false') return false;
      throw new Refused('must be true or false');
    case 'instant':
      return instant(raw);
    case 'date':
      return calendarDate(raw);
    default:
      if (typeof raw !== 'string' || raw === '') throw new Refused('must be non-empty text');
      if (values && !values.includes(raw)) throw new Refused(`must be one of: ${values.join(', ')}`);
      return raw;
  }
}

function filterValue(p: ListParameter, raw: unknown): FilterValue {
  if (p.op !== 'in') {
    if (Array.isArray(raw)) throw new Refused('may be given once');
    return scalar(p.type, raw, p.values);
  }
  const parts = ([] as unknown[]).concat(raw).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
  // In one order, so `a,b` and `b,a` are one filter to the cursor too.
  const values = [...new Set(parts.map((v) => scalar(p.type, v, p.values) as string | number))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (values.length > MAX_IN_VALUES) throw new Refused(`may list at most ${MAX_IN_VALUES} values`);
  return values;
}

function decodePosition(list: List, sort: string, raw: (string | number)[]): ListPosition | undefined {
  const { column, nullable } = parseSort(list, sort)!;
  // A NULL sort value travels as the id alone.
  if (raw.length === 1) return nullable && typeof raw[0] === 'string' ? { value: null, id: raw[0] } : undefined;
  const [value, id] = raw;
  if (raw.length !== 2 || typeof id !== 'string') return undefined;
  const type = list.columns[column].type;
  try {
    if (type === 'instant') instant(value);
    else if (type === 'date') calendarDate(value);
    else if (typeof value !== (type === 'integer' ? 'number' : 'string')) return undefined;
  } catch {
    return undefined;
  }
  return { value, id };
}

const NUMBER_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

function fieldValue(field: FieldType, raw: unknown): string | number | boolean {
  if (Array.isArray(raw)) throw new Refused('may be given once');
  switch (field.type) {
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && NUMBER_TEXT.test(raw) ? Number(raw) : NaN;
      if (!Number.isFinite(n)) throw new Refused('must be a number');
      return n;
    }
    case 'boolean':
      return scalar('boolean', raw) as boolean;
    case 'date':
      return calendarDate(raw);
    default:
      return scalar('text', raw, field.values) as string;
  }
}

/**
 * Turns an operation's validated query into the list request, refusing (400, naming the
 * parameter) what the list does not declare even when the contract let it through, and binds
 * the cursor to the tenant, the filters and the sort. `fields`: the tenant's per-tenant fields
 * by key, for a list that declares `fields` (`?custom_fields.size=10`).
 */
export function readListQuery(list: List, query: object, tenantId: string, cursors: CursorCodec, fields?: ReadonlyMap<string, FieldType>, scope?: string): ListQuery {
  const errors: FieldError[] = [];
  const refuse = refuser(errors);
  const filters: Record<string, FilterValue> = {};
  const fieldFilters: FieldFilter[] = [];
  const given = query as Record<string, unknown>;
  for (const [name, raw] of Object.entries(given)) {
    if (raw === undefined || name === 'limit' || name === 'cursor' || name === 'sort') continue;
    if (list.fields && name.startsWith(list.fields.prefix)) {
      const key = name.slice(list.fields.prefix.length);
      const field = fields?.get(key);
      if (!field) {
        refuse(name, `is not a field of this list: ${fields?.size ? `the fields are ${[...fields.keys()].map((k) => list.fields!.prefix + k).join(', ')}` : 'none is defined'}`);
        continue;
      }
      try {
        fieldFilters.push({ key, value: fieldValue(field, raw) });
      } catch (err) {
        if (!(err instanceof Refused)) throw err;
        refuse(name, err.detail);
      }
      continue;
    }
    const p = list.parameters.get(name);
    if (!p) {
      refuse(name, 'is not a filter of this list');
      continue;
    }
    try {
      filters[name] = filterValue(p, raw);
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      refuse(name, err.detail);
    }
  }
  const sort = given.sort ?? list.defaultSort;
  if (typeof sort !== 'string' || !parseSort(list, sort)) refuse('sort', `must be one of: ${list.sortOptions.join(', ')}`);
  const limit = given.limit ?? DEFAULT_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) refuse('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
  if (errors.length) {
    const [first] = errors;
    const detail = errors.length === 1 ? `${first.pointer.slice('/query/'.length)} ${first.detail}.` : `${errors.length} query parameters are not valid.`;
    throw new HttpProblem('validation-error', detail, { errors });
  }

  // A fingerprint, not the values: cursors stay short (an `in` list could outgrow the contract's
  // bound on `cursor`) and carry neither the tenant nor the filter text in the clear.
  fieldFilters.sort((a, b) => (a.key < b.key ? -1 : 1));
  // `scope`: the record a sub-list belongs to (an opportunity's stage history): another record's cursor is refused too.
  const canonical = JSON.stringify([list.name, tenantId, sort, Object.entries(filters).sort(([a], [b]) => (a < b ? -1 : 1)), ...(fieldFilters.length ? [fieldFilters] : []), ...(scope ? [scope] : [])]);
  const context = fingerprint(canonical);
  const request: ListRequest = { filters, sort: sort as string, limit: limit as number, ...(fieldFilters.length ? { fieldFilters } : {}) };
  if (typeof given.cursor === 'string') {
    const after = decodePosition(list, request.sort, cursors.decode(given.cursor, context));
    if (!after) throw new HttpProblem('invalid-cursor', 'The cursor is not valid for this list.', { errors: [{ pointer: '/query/cursor', detail: 'not a cursor this list issued' }] });
    request.after = after;
  }
  return new CheckedListQuery(request, context, cursors);
}

/**
 * What readListQuery returns. A class, not an object literal with an arrow per request: tsx
 * (npm start) wraps every named function it creates in a `__name` call (Object.defineProperty).
 */
class CheckedListQuery implements ListQuery {
  constructor(
    readonly request: ListRequest,
    private readonly context: string,
    private readonly cursors: CursorCodec,
  ) {}

  body<T, R>(page: ListPage<T>, toBody: (item: T) => R): { data: R[]; next_cursor: string | null } {
    const next = page.next;
    return { data: page.items.map(toBody), next_cursor: next ? this.cursors.encode(next.value === null ? [next.id] : [next.value, next.id], this.context) : null };
  }
}

function refuser(errors: FieldError[]): (name: string, detail: string) => void {
  return function (name, detail) {
    errors.push({ pointer: `/query/${pointerToken(name)}`, detail });
  };
}

/**
 * The cursor's fingerprint of list, tenant, sort and filters, remembered by its text: a tenant
 * asks for the same few list shapes again and again (one SHA-256 fewer per list request). The
 * memory is bounded: past FINGERPRINTS_KEPT entries it starts over.
 */
const fingerprints = new Map<string, string>();
const FINGERPRINTS_KEPT = 10_000;

function fingerprint(canonical: string): string {
  let known = fingerprints.get(canonical);
  if (known === undefined) {
    known = createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
    if (fingerprints.size >= FINGERPRINTS_KEPT) fingerprints.clear();
    fingerprints.set(canonical, known);
  }
  return known;
}
