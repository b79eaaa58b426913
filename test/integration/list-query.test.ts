import { DataTypes, QueryTypes } from 'sequelize';
import { buildListQuery, defineList, parseSort, selectPage, type List, type ListPosition } from '../../src/platform/db/list-query';
import { readListQuery } from '../../src/platform/http/list-params';
import { HttpProblem } from '../../src/platform/http/problem';
import { newId } from '../../src/platform/ids';
import { searchText } from '../../src/platform/search-text';
import { API_CLIENT_LIST } from '../../src/modules/platform/infrastructure/api-client.repository';
import { Harness } from '../support/harness';
import { AMOUNTS, DATES, INSTANTS, NAMES, compareBy, pick, random } from '../support/list-fixtures';

/**
 * The list-query piece on both databases, on a table of its own with every column type and
 * filter kind, paged through the kernel's HTTP-layer reader exactly as a handler does. The
 * API-client list through the real app: api-client-list.test.ts.
 */
let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
  await h.stratum.kernel.db.sequelize.getQueryInterface().createTable('lq_things', {
    id: { type: DataTypes.STRING(40), primaryKey: true },
    tenant_id: { type: DataTypes.STRING(40), allowNull: false },
    name: { type: DataTypes.STRING(100), allowNull: false },
    name_search: { type: DataTypes.STRING(100), allowNull: true },
    amount: { type: DataTypes.INTEGER, allowNull: false },
    happened_at: { type: DataTypes.DATE, allowNull: false },
    due_on: { type: DataTypes.DATEONLY, allowNull: true },
    archived_at: { type: DataTypes.DATE, allowNull: true },
    flagged: { type: DataTypes.BOOLEAN, allowNull: false },
    kind: { type: DataTypes.STRING(10), allowNull: false },
  });
});
afterAll(() => h.stop());

const THINGS = defineList({
  name: 'test.things',
  table: 'lq_things',
  select: 'id, name, amount, happened_at, due_on, archived_at, flagged, kind',
  columns: {
    name: { type: 'text' },
    name_search: { type: 'text', nullable: true },
    amount: { type: 'integer' },
    happened_at: { type: 'instant' },
    due_on: { type: 'date', nullable: true },
    archived_at: { type: 'instant', nullable: true },
    flagged: { type: 'boolean' },
    kind: { type: 'text' },
  },
  filters: {
    kind: { kind: 'equals', column: 'kind', values: ['a', 'b', 'c'] },
    kinds: { kind: 'in', column: 'kind', values: ['a', 'b', 'c'] },
    amounts: { kind: 'in', column: 'amount' },
    amount: { kind: 'range', column: 'amount' },
    happened: { kind: 'range', column: 'happened_at' },
    due: { kind: 'range', column: 'due_on' },
    q: { kind: 'text', column: 'name_search', match: 'contains' },
    starts: { kind: 'text', column: 'name_search', match: 'prefix' },
    flagged: { kind: 'equals', column: 'flagged' },
    archived: { kind: 'present', column: 'archived_at' },
  },
  sorts: ['name', 'amount', 'happened_at', 'due_on', 'archived_at'],
  defaultSort: 'name',
});

interface Thing {
  id: string;
  tenant_id: string;
  name: string;
  name_search: string;
  amount: number;
  happened_at: Date;
  due_on: string | null;
  archived_at: Date | null;
  flagged: boolean;
  kind: string;
}

function thing(tenantId: string): Thing {
  const name = pick(NAMES);
  return {
    id: newId('thg'),
    tenant_id: tenantId,
    name,
    name_search: searchText(name),
    amount: pick(AMOUNTS),
    happened_at: pick(INSTANTS),
    due_on: random(4) === 0 ? null : pick(DATES),
    archived_at: random(3) === 0 ? null : pick(INSTANTS),
    flagged: random(2) === 0,
    kind: pick(['a', 'b', 'c']),
  };
}

async function insert(rows: object[]): Promise<void> {
  if (rows.length) await h.stratum.kernel.db.sequelize.getQueryInterface().bulkInsert('lq_things', rows as never[]);
}

async function seeded(count: number): Promise<{ tenantId: string; rows: Map<string, Thing> }> {
  const tenantId = newId('ten');
  const rows = Array.from({ length: count }, () => thing(tenantId));
  await insert(rows);
  return { tenantId, rows: new Map(rows.map((r) => [r.id, r])) };
}

const cursors = () => h.stratum.kernel.cursors;

/** Every page of a query, read and answered as a handler does; `between` runs after each page. */
async function pageAll(list: List, tenantId: string, query: Record<string, unknown>, between?: (page: string[]) => Promise<void>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const read = readListQuery(list, { ...query, ...(cursor ? { cursor } : {}) }, tenantId, cursors());
    const page = await selectPage<{ id: string }>(h.stratum.kernel.db, list, tenantId, read.request);
    const body = read.body(page, (row) => row.id);
    ids.push(...body.data);
    cursor = body.next_cursor;
    if (between && body.data.length) await between(body.data);
  } while (cursor);
  return ids;
}

function refusal(run: () => unknown): { kind: string; pointers: string[] } {
  try {
    run();
  } catch (err) {
    if (err instanceof HttpProblem) return { kind: err.kind, pointers: (err.options.errors ?? []).map((e) => e.pointer) };
    throw err;
  }
  throw new Error('not refused');
}

const SORTS = THINGS.sortOptions;

describe('the list-query piece', () => {
  let big: { tenantId: string; rows: Map<string, Thing> };
  beforeAll(async () => {
    big = await seeded(1000);
  });

  it.each(SORTS)('pages 1,000 rows with many ties by %s: each row once, in order', async (sort) => {
    const ids = await pageAll(THINGS, big.tenantId, { sort, limit: 17 });
    const expected = [...big.rows.values()].sort(compareBy(sort)).map((r) => r.id);
    expect(ids).toEqual(expected);
  });

  it.each(SORTS)('sees every row that stays exactly once by %s while rows come and go', async (sort) => {
    const { tenantId, rows } = await seeded(300);
    const initial = [...rows.keys()];
    const deleted = new Set<string>();
    const ids = await pageAll(THINGS, tenantId, { sort, limit: 11 }, async (page) => {
      const added = Array.from({ length: 3 }, () => thing(tenantId));
      added.forEach((r) => rows.set(r.id, r));
      await insert(added);
      // The row the cursor stands on, and one anywhere (ahead or behind).
      const live = [...rows.keys()].filter((id) => !deleted.has(id));
      const gone = [page[page.length - 1], live[random(live.length)]];
      gone.forEach((id) => deleted.add(id));
      await h.stratum.kernel.db.sequelize.getQueryInterface().bulkDelete('lq_things', { id: gone });
    });
    expect(new Set(ids).size).toBe(ids.length);
    const seen = new Set(ids);
    expect(initial.filter((id) => !deleted.has(id) && !seen.has(id))).toEqual([]);
    const order = ids.map((id) => rows.get(id)!);
    expect([...order].sort(compareBy(sort)).map((r) => r.id)).toEqual(ids);
  });

  it('filters by each kind, alone and combined, while paging', async () => {
    const all = [...big.rows.values()];
    const cases: [Record<string, unknown>, (r: Thing) => boolean][] = [
      [{ kind: 'b' }, (r) => r.kind === 'b'],
      [{ kinds: 'a,c' }, (r) => r.kind !== 'b'],
      [{ kinds: ['c', 'a', 'c'] }, (r) => r.kind !== 'b'],
      [{ amounts: '0,100,7' }, (r) => r.amount === 0 || r.amount === 100],
      [{ amount_min: 100, amount_max: 300 }, (r) => r.amount >= 100 && r.amount <= 300],
      [{ amount_min: '-500', amount_max: '0' }, (r) => r.amount <= 0],
      [{ happened_after: INSTANTS[3].toISOString(), happened_before: INSTANTS[6].toISOString() }, (r) => r.happened_at >= INSTANTS[3] && r.happened_at < INSTANTS[6]],
      [{ happened_after: '2026-01-04T10:30:00.123+01:00' }, (r) => r.happened_at >= INSTANTS[3]],
      [{ due_after: DATES[2], due_before: DATES[5] }, (r) => r.due_on !== null && r.due_on >= DATES[2] && r.due_on < DATES[5]],
      [{ q: 'HA' }, (r) => r.name.includes('ha')],
      [{ starts: 'ch' }, (r) => r.name.startsWith('ch')],
      [{ flagged: true }, (r) => r.flagged],
      [{ flagged: 'false' }, (r) => !r.flagged],
      [{ archived: true }, (r) => r.archived_at !== null],
      [{ archived: false }, (r) => r.archived_at === null],
      [{ kind: 'a', flagged: true, archived: false, amount_min: 0, starts: 'e' }, (r) => r.kind === 'a' && r.flagged && !r.archived_at && r.amount >= 0 && r.name.startsWith('e')],
    ];
    for (const [query, keep] of cases) {
      for (const sort of ['-due_on', 'archived_at']) {
        const expected = all.filter(keep).sort(compareBy(sort)).map((r) => r.id);
        expect({ query, sort, ids: await pageAll(THINGS, big.tenantId, { ...query, sort, limit: 23 }) }).toEqual({ query, sort, ids: expected });
      }
    }
  });

  it('matches text literally and case-insensitively: % _ and \\ are no wildcards', async () => {
    const tenantId = newId('ten');
    const names = ['100%_off', '100 off', '1000 offers', 'back\\slash', 'École Straße'];
    await insert(names.map((name) => ({ ...thing(tenantId), name, name_search: searchText(name) })));
    const found = async (query: Record<string, unknown>) => {
      const ids = await pageAll(THINGS, tenantId, query);
      const rows = await h.stratum.kernel.db.select<{ id: string; name: string }>('SELECT id, name FROM lq_things WHERE tenant_id = :tenantId', { tenantId });
      return rows.filter((r) => ids.includes(r.id)).map((r) => r.name).sort();
    };
    expect(await found({ q: '%_' })).toEqual(['100%_off']);
    expect(await found({ q: '\\' })).toEqual(['back\\slash']);
    expect(await found({ starts: '100 ' })).toEqual(['100 off']);
    expect(await found({ starts: '100' })).toEqual(['100 off', '100%_off', '1000 offers']);
    expect(await found({ starts: 'off' })).toEqual([]);
    expect(await found({ q: 'ÉCOLE STRAßE' })).toEqual(['École Straße']);
  });

  it('refuses a cursor used with other filters, another sort or another tenant', async () => {
    const query = { kind: 'a', sort: 'amount', limit: 5 };
    const first = readListQuery(THINGS, query, big.tenantId, cursors());
    const cursor = first.body(await selectPage(h.stratum.kernel.db, THINGS, big.tenantId, first.request), (r) => r).next_cursor!;
    expect(readListQuery(THINGS, { ...query, cursor }, big.tenantId, cursors()).request.after).toBeDefined();
    for (const [changed, tenant] of [[{ kind: 'b' }, big.tenantId], [{ amount_min: 0 }, big.tenantId], [{ sort: '-amount' }, big.tenantId], [{}, newId('ten')]] as const) {
      expect(refusal(() => readListQuery(THINGS, { ...query, ...changed, cursor }, tenant, cursors()))).toEqual({ kind: 'invalid-cursor', pointers: ['/query/cursor'] });
    }
    // Another list's cursor, even for the same tenant and sort keys.
    expect(refusal(() => readListQuery(API_CLIENT_LIST, { cursor }, big.tenantId, cursors())).kind).toBe('invalid-cursor');
  });

  it('refuses an unknown sort key and each bad filter value itself, naming the parameter', () => {
    const refused = (query: Record<string, unknown>) => refusal(() => readListQuery(THINGS, query, big.tenantId, cursors()));
    const bad: Record<string, unknown>[] = [
      { sort: 'size' }, { sort: '--name' }, { sort: 'flagged' }, { sort: 'id' }, { amount_min: 'abc' }, { amount_max: 1.5 }, { amount_min: '1e3' },
      { flagged: 'maybe' }, { archived: 'yes' }, { kind: 'z' }, { kind: ['a', 'b'] }, { kinds: 'a,,b' }, { kinds: 'a,z' }, { amounts: '1,x' },
      { happened_after: 'yesterday' }, { happened_after: '2016-12-31T23:59:60Z' }, { happened_before: '9999-12-31T23:59:59-23:59' }, { due_after: '2026-02-30' },
      { due_before: '2026-2-3' }, { q: '' }, { colour: 'red' }, { limit: 0 }, { limit: 201 },
    ];
    for (const query of bad) {
      const name = Object.keys(query)[0];
      expect({ query, ...refused(query) }).toEqual({ query, kind: 'validation-error', pointers: [`/query/${name}`] });
    }
    expect(refused({ sort: 'size', kind: 'z', amount_min: 'x' }).pointers.sort()).toEqual(['/query/amount_min', '/query/kind', '/query/sort']);
    // The API-client list refuses what its contract would let through after drifting.
    expect(refusal(() => readListQuery(API_CLIENT_LIST, { status: 'paused' }, big.tenantId, cursors()))).toEqual({ kind: 'validation-error', pointers: ['/query/status'] });
  });

  it('reads every sort, on either side of a cursor, as index ranges: no table scan, no sort of the rows passed', async () => {
    const qi = h.stratum.kernel.db.sequelize.getQueryInterface();
    for (const key of THINGS.sorts) await qi.addIndex('lq_things', ['tenant_id', key, 'id'], { name: `lq_things_${key}` });
    const positions = { name: 'echo', amount: 300, happened_at: INSTANTS[4].toISOString(), due_on: DATES[4], archived_at: INSTANTS[4].toISOString() } as Record<string, string | number>;
    const cases: [List, string, ListPosition | undefined][] = [];
    for (const list of [THINGS, API_CLIENT_LIST]) {
      for (const sort of list.sortOptions) {
        const { column, nullable } = parseSort(list, sort)!;
        const value = positions[column] ?? INSTANTS[4].toISOString();
        cases.push([list, sort, undefined], [list, sort, { value, id: 'x' }], ...(nullable ? [[list, sort, { value: null, id: 'x' }] as [List, string, ListPosition]] : []));
      }
    }
    const { sequelize, dialect } = h.stratum.kernel.db;
    for (const [list, sort, after] of cases) {
      const { sql, replacements } = buildListQuery(list, dialect, 'ten_x', { filters: {}, sort, limit: 10, after });
      const plan = await sequelize.transaction(async (transaction) => {
        // Whether an index can serve it, not whether the planner prefers one on a small table.
        if (dialect === 'postgres') for (const off of ['seqscan', 'bitmapscan', 'sort']) await sequelize.query(`SET LOCAL enable_${off} = off`, { transaction });
        const rows = await sequelize.query<Record<string, string>>(`${dialect === 'postgres' ? 'EXPLAIN (COSTS OFF)' : 'EXPLAIN QUERY PLAN'} ${sql}`, { replacements, type: QueryTypes.SELECT, transaction });
        return rows.map((r) => (r['QUERY PLAN'] ?? r.detail).trim());
      });
      const bad = dialect === 'postgres'
        ? plan.filter((line) => /^(->\s+)?(Seq Scan|Sort(?! Key)|Bitmap)|^Filter:/.test(line))
        // SQLite sorts each part's few rows to merge them (after SCAN a / SCAN b); nothing else.
        : plan.filter((line, i) => new RegExp(`^SCAN ${list.table}`).test(line) || (line.startsWith('USE TEMP B-TREE') && !/^SCAN [ab]$/.test(plan[i - 1])));
      expect({ list: list.name, sort, after: after?.value, bad }).toEqual({ list: list.name, sort, after: after?.value, bad: [] });
    }
  });

  it('refuses declarations it cannot serve, at load', () => {
    const base = { name: 'bad', table: 'lq_things', select: 'id, name', columns: { name: { type: 'text' } }, filters: {}, sorts: ['name'], defaultSort: 'name' } as const;
    expect(() => defineList({ ...base, sorts: ['amount'] })).toThrow(/amount is not a declared column/);
    expect(() => defineList({ ...base, columns: { name: { type: 'text' }, amount: { type: 'integer' } }, sorts: ['amount'] })).toThrow(/select list must include the sort column amount/);
    expect(() => defineList({ ...base, filters: { gone: { kind: 'present', column: 'name' } } })).toThrow(/never NULL/);
    expect(() => defineList({ ...base, filters: { name: { kind: 'range', column: 'name' } } })).toThrow(/range filter cannot take the text column/);
    expect(() => defineList({ ...base, filters: { sort: { kind: 'equals', column: 'name' } } })).toThrow(/reserved/);
    expect(() => defineList({ ...base, table: 'x; DROP TABLE y' })).toThrow(/identifier/);
    expect(() => defineList({ ...base, defaultSort: '-id' })).toThrow(/default sort/);
  });
});
