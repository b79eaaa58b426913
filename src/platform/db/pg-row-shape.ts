/**
 * Rows of named PostgreSQL statements, built from a shape kept per statement (see ShapedQuery).
 * Used by database.ts only; its own file so that the shape rules are tested without a database.
 */
import { Query as PgQuery } from 'pg';
import { timestamptzParser } from './pg-timestamp';

// pg's own mapping of a JavaScript value to a Bind parameter (its `prepare` passes the same).
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): unknown };

const TIMESTAMPTZ = 1184;
/**
 * pg's built-in parser for `timestamptz`: postgres-date, as pg-types registers it (resolved from
 * pg-types' own place, not read from the registry, which may already hold someone's parser). A
 * statement's shape reads such columns faster, to the same Dates, where that is the parser.
 */
const builtinTimestamptz = require(require.resolve('postgres-date', { paths: [require.resolve('pg-types', { paths: [require.resolve('pg')] })] })) as (raw: string) => unknown;
const fastTimestamptz = timestamptzParser(builtinTimestamptz);

type FieldParser = (raw: string) => unknown;
/** A column of pg's RowDescription message. */
export interface RowField {
  name: string;
  dataTypeID: number;
  format: string;
}

/** A column pg's own path must build: binary, or a name a plain object cannot own. */
const ownPath = (f: RowField): boolean => f.format !== 'text' || f.name === '__proto__';

type RowBuilder = (parsers: FieldParser[], values: (string | null)[]) => Record<string, unknown>;

/**
 * A function building one row as an object literal with the columns' names, in column order:
 * every row is allocated with its final hidden class, and each column is its own store. (A loop
 * of `row[names[i]] = …` is one store site seeing every name: V8's megamorphic keyed store,
 * about 1.5 µs on a 12-column row.) Names are written as JSON strings, which are JavaScript
 * string literals; `__proto__`, which a literal would take as the prototype, never gets here
 * (`ownPath`). Where code generation is disabled (`--disallow-code-generation-from-strings`),
 * the loop.
 */
function rowBuilder(names: readonly string[]): RowBuilder {
  const columns = names.map((name, i) => `${JSON.stringify(name)}: v[${i}] === null ? null : p[${i}](v[${i}])`);
  try {
    return new Function('p', 'v', `'use strict'; return { ${columns.join(', ')} };`) as RowBuilder;
  } catch {
    return (parsers, values) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) {
        const v = values[i];
        row[names[i]] = v === null ? null : parsers[i](v);
      }
      return row;
    };
  }
}

/** What a named statement's rows look like: each column's name and parser, looked up once. */
export class RowShape {
  readonly names: string[];
  readonly typeIds: number[];
  readonly parsers: FieldParser[];
  private readonly build: RowBuilder;
  constructor(fields: RowField[], types: { getTypeParser(oid: number, format: string): FieldParser }) {
    this.names = fields.map((f) => f.name);
    this.typeIds = fields.map((f) => f.dataTypeID);
    this.parsers = fields.map((f) => {
      const parser = types.getTypeParser(f.dataTypeID, 'text');
      // Only in place of pg's own: a parser someone registered for the type is theirs to keep.
      return f.dataTypeID === TIMESTAMPTZ && parser === builtinTimestamptz ? fastTimestamptz : parser;
    });
    this.build = rowBuilder(this.names);
  }
  /** The same columns, of the same types (a schema change under a running process gives others). */
  fits(fields: RowField[]): boolean {
    const n = this.names.length;
    if (fields.length !== n) return false;
    for (let i = 0; i < n; i++) {
      const f = fields[i];
      if (f.name !== this.names[i] || f.dataTypeID !== this.typeIds[i] || f.format !== 'text') return false;
    }
    return true;
  }
  /** A plain object, its keys in column order (a name given twice holds the later column, as pg's rows do). */
  row(values: (string | null)[]): Record<string, unknown> {
    return this.build(this.parsers, values);
  }
}

interface PgQueryInternals {
  name?: string;
  text: string;
  values?: unknown[];
  portal: string;
  binary?: boolean;
  rows?: number;
  _canceledDueToError: unknown;
  _result: { rows: unknown[]; fields: unknown[]; rowAsArray: boolean; _types?: { getTypeParser(oid: number, format: string): FieldParser } };
}

/** What `prepare` sends on: pg's Connection. */
interface PgConnectionInternals {
  parsedStatements: Record<string, string | undefined>;
  bind(config: { portal: string; statement: string; values: unknown[] | undefined; binary: boolean | undefined; valueMapper: (value: unknown) => unknown }): void;
  execute(config: { portal: string; rows: undefined }): void;
  sync(): void;
}

/**
 * The shape each connection was itself told its prepared statements answer, by name. Only that
 * one holds for the connection: PostgreSQL fixes a prepared statement's columns when the
 * connection prepares it, and another connection may have prepared the same text under another
 * schema since (a column retyped, then retyped back, makes the older connection's statement valid
 * again, without an error, while the newer one's shape is the last one learnt).
 */
const describedOn = new WeakMap<object, Map<string, RowShape>>();

/**
 * pg's Query, with a named statement's row shape kept across executions. pg describes the portal
 * on every execution and, for each, looks every column's parser up again through three layers
 * of type overrides (Sequelize's among them), then builds each row by spreading a dictionary-mode
 * template: about 11 µs on a 12-column get by id. Here the parsers are looked up the first time
 * a statement answers (and again if its columns change), and rows are plain objects. Unnamed
 * statements (BEGIN, COMMIT), array rows, binary columns and a column named `__proto__` (which a
 * plain object cannot hold as its own key) take pg's own path.
 *
 * A parser registered after a statement first answered (`pg.types.setTypeParser`, Sequelize's
 * parsers for types it finds later) is not seen by that statement's shape: register parsers
 * before the first query, as Sequelize does for its own when it connects.
 */
export class ShapedQuery extends PgQuery {
  private shape: RowShape | undefined;
  /** The connection it was sent on: its RowDescription is recorded there (`describedOn`). */
  private connection: object | undefined;
  constructor(
    /** Shapes by statement name, shared by all connections so that each is built once. */
    private readonly shapes: Map<string, RowShape>,
    text: string,
    values: unknown[] | undefined,
    callback: (err: Error | undefined, result: { rows: unknown[] }) => void,
  ) {
    super(text, values, callback as never);
  }

  /**
   * A statement this connection has prepared and described before runs without describing its
   * portal (Bind, Execute, Sync): PostgreSQL never changes the columns a prepared statement
   * answers — when a schema change would, it refuses the statement instead (SQLSTATE 0A000, and
   * database.ts prepares it afresh under a new name) — so the RowDescription it would send each
   * time is the one this connection was given before. That message, pg's parse of it and the
   * shape's check were about 2 µs of every read, and the server's describing too. Anything else,
   * and the first execution on a connection, goes through pg's own prepare (Parse if needed,
   * Describe).
   */
  prepare(connection: PgConnectionInternals): void {
    this.connection = connection;
    const self = this as unknown as PgQueryInternals;
    const name = self.name;
    const shape = name !== undefined && connection.parsedStatements[name] === self.text ? describedOn.get(connection)?.get(name) : undefined;
    if (!shape || self.binary || self.rows || self._result.rowAsArray) {
      (PgQuery.prototype as unknown as { prepare(c: unknown): void }).prepare.call(this, connection);
      return;
    }
    try {
      connection.bind({ portal: self.portal, statement: name!, values: self.values, binary: self.binary, valueMapper: prepareValue });
    } catch (err) {
      // A value pg cannot map (a cyclic object, a throwing toPostgres): nothing was sent. The
      // error is answered once, at the ReadyForQuery the Sync brings, and the statement stays
      // prepared. (pg's own prepare closes the statement it still lists as parsed, and answers twice.)
      self._canceledDueToError = err;
      connection.sync();
      return;
    }
    this.shape = shape;
    connection.execute({ portal: self.portal, rows: undefined });
    connection.sync();
  }

  handleRowDescription(msg: { fields: RowField[] }): void {
    const self = this as unknown as PgQueryInternals;
    const types = self._result._types;
    let shape = self.name ? this.shapes.get(self.name) : undefined;
    if (!shape || !shape.fits(msg.fields)) {
      if (!self.name || !types || self._result.rowAsArray || msg.fields.some(ownPath)) {
        (PgQuery.prototype as unknown as { handleRowDescription(m: unknown): void }).handleRowDescription.call(this, msg);
        return;
      }
      shape = new RowShape(msg.fields, types);
      this.shapes.set(self.name, shape);
    }
    if (this.connection) {
      let described = describedOn.get(this.connection);
      if (!described) describedOn.set(this.connection, (described = new Map()));
      described.set(self.name!, shape);
    }
    self._result.fields = msg.fields;
    this.shape = shape;
  }
  handleDataRow(msg: { fields: (string | null)[] }): void {
    const shape = this.shape;
    if (!shape) {
      (PgQuery.prototype as unknown as { handleDataRow(m: unknown): void }).handleDataRow.call(this, msg);
      return;
    }
    const self = this as unknown as PgQueryInternals;
    if (self._canceledDueToError) return;
    try {
      self._result.rows.push(shape.row(msg.fields));
    } catch (err) {
      self._canceledDueToError = err;
    }
  }
}
