import { Query as PgQuery, types } from 'pg';
import { type RowField as Field, RowShape, ShapedQuery } from '../../src/platform/db/pg-row-shape';

/**
 * The rows of a named statement, built from its kept shape, are the rows pg builds itself: fed
 * the same protocol messages (a RowDescription, DataRows, ReadyForQuery), both queries must call
 * back with equal rows or the same error.
 */
type Values = (string | null)[];

const OID = { int4: 23, int8: 20, text: 25, varchar: 1043, numeric: 1700, bool: 16, timestamptz: 1184, jsonb: 3802 };
const field = (name: string, dataTypeID: number, format = 'text'): Field => ({ name, dataTypeID, format });

interface Answer {
  err?: Error;
  rows?: Record<string, unknown>[];
}

function both(shapes: Map<string, RowShape>, name: string | undefined, fields: Field[], rows: Values[]): { shaped: Answer; pg: Answer } {
  let shapedAnswer: Answer | undefined;
  let pgAnswer: Answer | undefined;
  const shaped = new ShapedQuery(shapes, 'SELECT …', [], (err, result) => void (shapedAnswer = err ? { err } : { rows: result.rows as never }));
  const own = new PgQuery('SELECT …', [], ((err: Error | undefined, result: { rows: Record<string, unknown>[] }) => void (pgAnswer = err ? { err } : { rows: result.rows })) as never);
  if (name) (shaped as unknown as { name: string }).name = (own as unknown as { name: string }).name = name;
  drive(shaped, fields, rows);
  drive(own, fields, rows);
  return { shaped: shapedAnswer!, pg: pgAnswer! };
}

/** Feeds a query one execution's messages, as pg's client would after submitting it. */
function drive(query: PgQuery, fields: Field[], rows: Values[]): void {
  const q = query as unknown as {
    _result: { _types: unknown };
    handleRowDescription(m: { fields: Field[] }): void;
    handleDataRow(m: { fields: Values }): void;
    handleCommandComplete(m: { text: string }, c: unknown): void;
    handleReadyForQuery(c: unknown): void;
  };
  q._result._types = types;
  q.handleRowDescription({ fields });
  for (const values of rows) q.handleDataRow({ fields: values });
  q.handleCommandComplete({ text: `SELECT ${rows.length}` }, {});
  q.handleReadyForQuery({});
}

const COLUMNS = [
  field('id', OID.int4),
  field('big', OID.int8),
  field('label', OID.varchar),
  field('amount', OID.numeric),
  field('flag', OID.bool),
  field('at', OID.timestamptz),
  field('doc', OID.jsonb),
];
const ROWS: Values[] = [
  ['1', '9007199254740993', 'one', '12.500', 't', '2026-12-07 10:00:00.123+00', '{"a":[1]}'],
  ['2', null, null, null, null, null, null],
];

describe('rows of a named statement from its kept shape', () => {
  it('are the rows pg builds, every type and null included, on the first execution and every one after', () => {
    const shapes = new Map<string, RowShape>();
    for (let i = 0; i < 3; i++) {
      const { shaped, pg } = both(shapes, 'stratum_1', COLUMNS, ROWS);
      expect(shaped).toEqual(pg);
      expect(shaped.rows![0]).toEqual({ id: 1, big: '9007199254740993', label: 'one', amount: '12.500', flag: true, at: new Date('2026-12-07T10:00:00.123Z'), doc: { a: [1] } });
      expect(Object.keys(shaped.rows![1])).toEqual(COLUMNS.map((c) => c.name));
    }
    expect(shapes.size).toBe(1);
  });

  it('makes a new shape when the columns of a name change (a schema changed under the process)', () => {
    const shapes = new Map<string, RowShape>();
    both(shapes, 'stratum_1', [field('id', OID.int4), field('amount', OID.varchar)], [['1', '7']]);
    const first = shapes.get('stratum_1');
    const retyped = both(shapes, 'stratum_1', [field('id', OID.int4), field('amount', OID.int4)], [['1', '7']]);
    expect(retyped.shaped).toEqual({ rows: [{ id: 1, amount: 7 }] });
    expect(retyped.shaped).toEqual(retyped.pg);
    expect(shapes.get('stratum_1')).not.toBe(first);
    const renamed = both(shapes, 'stratum_1', [field('id', OID.int4), field('total', OID.int4)], [['1', '7']]);
    expect(renamed.shaped).toEqual({ rows: [{ id: 1, total: 7 }] });
    const fewer = both(shapes, 'stratum_1', [field('id', OID.int4)], [['1']]);
    expect(fewer.shaped).toEqual({ rows: [{ id: 1 }] });
  });

  it("leaves unnamed statements, binary columns and a column named __proto__ to pg's own path", () => {
    const shapes = new Map<string, RowShape>();
    const unnamed = both(shapes, undefined, COLUMNS, ROWS);
    expect(unnamed.shaped).toEqual(unnamed.pg);
    const binary = both(shapes, 'stratum_2', [field('id', OID.int4), field('raw', 17, 'binary')], [['1', 'ab']]);
    expect(binary.shaped).toEqual(binary.pg);
    const proto = both(shapes, 'stratum_3', [field('__proto__', OID.text), field('id', OID.int4)], [['x', '1']]);
    expect(Object.prototype.hasOwnProperty.call(proto.shaped.rows![0], '__proto__')).toBe(true);
    expect(proto.shaped).toEqual(proto.pg);
    expect(shapes.size).toBe(0);
  });

  it('holds any column name a statement can give: quotes, backslashes, line breaks, non-ASCII, a name given twice', () => {
    const shapes = new Map<string, RowShape>();
    const names = ['a"b', 'c\\d', 'e\nf', "g'h", '} ; throw 1; {', 'ünï', '', 'constructor', 'x', 'x'];
    const fields = names.map((name, i) => field(name, i % 2 ? OID.int4 : OID.text));
    const values: Values = names.map((_, i) => String(i));
    for (let i = 0; i < 2; i++) {
      const { shaped, pg } = both(shapes, 'stratum_5', fields, [values]);
      expect(shaped).toEqual(pg);
      expect(Object.keys(shaped.rows![0])).toEqual(Object.keys(pg.rows![0]));
      expect(shaped.rows![0]['} ; throw 1; {']).toBe('4');
      // A name given twice holds the later column, as pg's rows do.
      expect(shaped.rows![0].x).toBe(9);
    }
    expect(shapes.size).toBe(1);
  });

  it('answers with the error of a value its parser refuses, as pg does, and keeps no half-built rows', () => {
    const shapes = new Map<string, RowShape>();
    const bad: Values[] = [['1', null, null, null, null, null, '{"a":'], ['2', null, null, null, null, null, null]];
    const { shaped, pg } = both(shapes, 'stratum_4', COLUMNS, bad);
    expect(shaped.err).toBeInstanceOf(SyntaxError);
    expect(shaped.err!.message).toBe(pg.err!.message);
    expect(shaped.rows).toBeUndefined();
  });
});

/** pg's Connection as a query's prepare sees it, recording the messages it would send. */
function recordingConnection() {
  const sent: string[] = [];
  const connection = {
    parsedStatements: {} as Record<string, string>,
    submittedNamedStatements: {} as Record<string, string>,
    stream: {},
    parse: (m: { name: string }) => void sent.push(`Parse ${m.name}`),
    bind: (m: { statement: string; values: unknown[]; valueMapper: (v: unknown) => unknown }) => void sent.push(`Bind ${m.statement} ${JSON.stringify(m.values.map(m.valueMapper))}`),
    describe: (m: { type: string }) => void sent.push(`Describe ${m.type}`),
    execute: () => void sent.push('Execute'),
    sync: () => void sent.push('Sync'),
    close: (m: { name: string }) => void sent.push(`Close ${m.name}`),
  };
  return { connection, sent };
}

describe('a named statement this connection has prepared', () => {
  const text = 'SELECT id, at FROM t WHERE id = $1 AND at > $2';
  const fields = [field('id', OID.int4), field('at', OID.timestamptz)];
  type Internals = {
    _result: { _types: unknown };
    submit(c: unknown): Error | null;
    handleRowDescription(m: { fields: Field[] }): void;
    handleDataRow(m: { fields: Values }): void;
    handleCommandComplete(m: { text: string }, c: unknown): void;
    handleReadyForQuery(c: unknown): void;
  };
  /** One execution: submit, then the server's answer (a RowDescription only if the query asked for one). */
  function execute(shapes: Map<string, RowShape>, connection: unknown, sent: string[], values: unknown[], rows: Values[]) {
    let answer: Answer | undefined;
    const q = new ShapedQuery(shapes, text, values, (err, result) => void (answer = err ? { err } : { rows: result.rows as never }));
    (q as unknown as { name: string }).name = 'stratum_9';
    const internals = q as unknown as Internals;
    internals._result._types = types;
    const from = sent.length;
    expect(internals.submit(connection)).toBeNull();
    if (sent.slice(from).includes('Describe P')) internals.handleRowDescription({ fields });
    for (const v of rows) internals.handleDataRow({ fields: v });
    internals.handleCommandComplete({ text: `SELECT ${rows.length}` }, connection);
    internals.handleReadyForQuery(connection);
    return { answer: answer!, messages: sent.slice(from) };
  }

  it('runs without Describe once its shape is known, and its rows are the same', () => {
    const shapes = new Map<string, RowShape>();
    const { connection, sent } = recordingConnection();
    const at = new Date('2026-12-07T10:00:00.123Z');
    const first = execute(shapes, connection, sent, [1, at], [['1', '2026-12-07 11:00:00.5+01']]);
    // Values mapped as pg maps them (the Date as pg writes it), the second time the same way.
    expect(first.messages).toEqual(['Parse stratum_9', expect.stringMatching(/^Bind stratum_9 \["1","2026-12-07[ T]\d\d:00:00\.123[+-]\d\d:\d\d"\]$/), 'Describe P', 'Execute', 'Sync']);
    expect(first.answer).toEqual({ rows: [{ id: 1, at: new Date('2026-12-07T10:00:00.500Z') }] });
    // The server confirmed the Parse (pg's client records it on ParseComplete).
    connection.parsedStatements.stratum_9 = text;
    const again = execute(shapes, connection, sent, [2, at], [['2', '2026-12-07 10:00:00+00'], ['3', null]]);
    expect(again.messages).toEqual([expect.stringMatching(/^Bind stratum_9 \["2",/), 'Execute', 'Sync']);
    expect(again.messages[0]).toBe(first.messages[1].replace('["1"', '["2"'));
    expect(again.answer).toEqual({ rows: [{ id: 2, at: new Date('2026-12-07T10:00:00.000Z') }, { id: 3, at: null }] });
  });

  it('asks for the description where this connection has not described the statement itself', () => {
    const { connection, sent } = recordingConnection();
    // Prepared on this connection, but never described to it here (a new driver, say).
    connection.parsedStatements.stratum_9 = text;
    const unknownShape = execute(new Map(), connection, sent, [1, null], [['1', null]]);
    expect(unknownShape.messages).toEqual(['Bind stratum_9 ["1",null]', 'Describe P', 'Execute', 'Sync']);
    // A shape kept from another connection: this one has not prepared the statement yet.
    const shapes = new Map<string, RowShape>();
    execute(shapes, connection, sent, [1, null], [['1', null]]);
    const other = recordingConnection();
    const fresh = execute(shapes, other.connection, other.sent, [1, null], [['1', null]]);
    expect(fresh.messages).toEqual(['Parse stratum_9', 'Bind stratum_9 ["1",null]', 'Describe P', 'Execute', 'Sync']);
    expect(fresh.answer).toEqual({ rows: [{ id: 1, at: null }] });
  });

  it('builds each connection’s rows from the columns that connection was told, whatever another learnt since', () => {
    // A column retyped and retyped back: connection A's statement answers int4 again, without an
    // error, while B prepared the same text in between and was told numeric.
    const shapes = new Map<string, RowShape>();
    const a = recordingConnection();
    const b = recordingConnection();
    const int4 = [field('id', OID.int4), field('amount', OID.int4)];
    const numeric = [field('id', OID.int4), field('amount', OID.numeric)];
    const run = (c: ReturnType<typeof recordingConnection>, fields: Field[], rows: Values[]) => {
      let answer: Answer | undefined;
      const q = new ShapedQuery(shapes, text, [1, null], (err, result) => void (answer = err ? { err } : { rows: result.rows as never }));
      (q as unknown as { name: string }).name = 'stratum_9';
      const internals = q as unknown as Internals;
      internals._result._types = types;
      const from = c.sent.length;
      internals.submit(c.connection);
      const messages = c.sent.slice(from);
      if (messages.includes('Describe P')) internals.handleRowDescription({ fields });
      for (const v of rows) internals.handleDataRow({ fields: v });
      internals.handleCommandComplete({ text: `SELECT ${rows.length}` }, c.connection);
      internals.handleReadyForQuery(c.connection);
      c.connection.parsedStatements.stratum_9 = text;
      return { answer: answer!, described: messages.includes('Describe P') };
    };
    expect(run(a, int4, [['1', '42']])).toEqual({ answer: { rows: [{ id: 1, amount: 42 }] }, described: true });
    expect(run(b, numeric, [['1', '42']])).toEqual({ answer: { rows: [{ id: 1, amount: '42' }] }, described: true });
    expect(run(a, int4, [['1', '42']])).toEqual({ answer: { rows: [{ id: 1, amount: 42 }] }, described: false });
    expect(run(b, numeric, [['1', '42']])).toEqual({ answer: { rows: [{ id: 1, amount: '42' }] }, described: false });
  });

  it('answers a value that cannot be bound with its error, once, and keeps the statement for the next execution', () => {
    const shapes = new Map<string, RowShape>();
    const { connection, sent } = recordingConnection();
    execute(shapes, connection, sent, [1, null], [['1', null]]);
    connection.parsedStatements.stratum_9 = text;
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const answers: Answer[] = [];
    const q = new ShapedQuery(shapes, text, [cyclic, null], (err, result) => void answers.push(err ? { err } : { rows: result.rows as never }));
    (q as unknown as { name: string }).name = 'stratum_9';
    const from = sent.length;
    (q as unknown as Internals).submit(connection);
    // Nothing but the Sync: no Bind went out, and the statement is not closed.
    expect(sent.slice(from)).toEqual(['Sync']);
    (q as unknown as Internals).handleReadyForQuery(connection);
    expect(answers).toHaveLength(1);
    expect(answers[0].err!.message).toMatch(/circular/i);
    const next = execute(shapes, connection, sent, [2, null], [['2', null]]);
    expect(next.messages).toEqual(['Bind stratum_9 ["2",null]', 'Execute', 'Sync']);
    expect(next.answer).toEqual({ rows: [{ id: 2, at: null }] });
  });
});

describe('timestamptz columns of a shape', () => {
  it('are read by the fast reader in place of pg’s own parser, and by any parser someone registered', () => {
    const at = field('at', OID.timestamptz);
    const builtin = new RowShape([at], types as never);
    expect(builtin.parsers[0]).not.toBe(types.getTypeParser(OID.timestamptz, 'text'));
    expect(builtin.row(['2026-12-07 10:54:27.791123+05:30'])).toEqual({ at: new Date('2026-12-07T05:24:27.791Z') });
    const custom = (raw: string) => `custom:${raw}`;
    const registered = new RowShape([at], { getTypeParser: (oid: number, format: string) => (oid === OID.timestamptz ? custom : types.getTypeParser(oid, format as 'text')) } as never);
    expect(registered.parsers[0]).toBe(custom);
    expect(registered.row(['2026-12-07 10:54:27+00'])).toEqual({ at: 'custom:2026-12-07 10:54:27+00' });
  });
});
