import type { Client as PgClient } from 'pg';
import type { Transaction } from 'sequelize';
import { type RowShape, ShapedQuery } from '../../src/platform/db/pg-row-shape';
import { testDbKind } from '../support/databases';
import { Harness } from '../support/harness';

/**
 * The database layer's transactions, which BEGIN and COMMIT on the driver (a pooled connection
 * on PostgreSQL, one writer connection on SQLite): every path out of one gives its connection
 * back in a usable state.
 */
let h: Harness;
beforeAll(async () => {
  h = await Harness.start({ DB_POOL_MAX: '3' });
  await h.stratum.kernel.db.sequelize.query('CREATE TABLE tx_probe (id INTEGER PRIMARY KEY, note VARCHAR(20) NOT NULL)');
});
afterAll(() => h.stop());

const count = async () => (await h.stratum.kernel.db.select<{ n: number | string }>('SELECT COUNT(*) AS n FROM tx_probe', {}))[0].n;

describe(`transactions on the driver (${testDbKind()})`, () => {
  it('commits what the work wrote, and rolls all of it back when the work throws', async () => {
    const { db } = h.stratum.kernel;
    await db.transaction((t) => db.select('INSERT INTO tx_probe (id, note) VALUES (1, :note)', { note: 'kept' }, t));
    await expect(
      db.transaction(async (t) => {
        await db.select('INSERT INTO tx_probe (id, note) VALUES (2, :note)', { note: 'undone' }, t);
        throw new Error('after the write');
      }),
    ).rejects.toThrow('after the write');
    expect(Number(await count())).toBe(1);
  });

  it('gives the connection back on every failure: many more failed transactions than the pool holds, then one that commits', async () => {
    const { db } = h.stratum.kernel;
    for (let i = 0; i < 12; i++) {
      // A failed statement (a duplicate key) and a thrown error, in turn.
      await expect(
        db.transaction(async (t) => {
          if (i % 2) throw new Error('thrown');
          await db.select('INSERT INTO tx_probe (id, note) VALUES (1, :note)', { note: 'duplicate' }, t);
        }),
      ).rejects.toBeDefined();
    }
    await db.transaction((t) => db.select('INSERT INTO tx_probe (id, note) VALUES (3, :note)', { note: 'after' }, t));
    expect(Number(await count())).toBe(2);
  });

  it('runs Sequelize model and query calls on the transaction it hands out, and refuses them once it ended', async () => {
    const { db } = h.stratum.kernel;
    let ended: unknown;
    await db.transaction(async (t) => {
      await db.sequelize.query("INSERT INTO tx_probe (id, note) VALUES (4, 'via sequelize')", { transaction: t });
      // Visible inside, not yet outside (PostgreSQL: another connection; SQLite: WAL snapshot of the reader).
      expect(Number((await db.select<{ n: number }>('SELECT COUNT(*) AS n FROM tx_probe', {}, t))[0].n)).toBe(3);
      ended = t;
    });
    expect(Number(await count())).toBe(3);
    await expect(db.sequelize.query('SELECT 1', { transaction: ended as never })).rejects.toThrow(/commit has been called/);
  });

  it('keeps savepoints working inside a unit of work', async () => {
    const { db, runInUnitOfWork } = h.stratum.kernel;
    await runInUnitOfWork('t_probe', async (uow) => {
      await db.select('INSERT INTO tx_probe (id, note) VALUES (5, :note)', { note: 'outer' }, uow.transaction);
      await expect(
        uow.savepoint(async () => {
          await db.select('INSERT INTO tx_probe (id, note) VALUES (6, :note)', { note: 'inner' }, uow.transaction);
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
    });
    const ids = (await db.select<{ id: number }>('SELECT id FROM tx_probe ORDER BY id', {})).map((r) => Number(r.id));
    expect(ids).toEqual([1, 3, 4, 5]);
  });

  it('answers many concurrent reads of one statement, each with its own values', async () => {
    const { db } = h.stratum.kernel;
    // More at once than a statement has idle copies: each read gets its row, none another's.
    const ids = Array.from({ length: 80 }, (_, i) => (i % 5) + 1);
    const rows = await Promise.all(ids.map((id) => db.selectOne<{ id: number; note: string }>('SELECT id, note FROM tx_probe WHERE id = :id', { id })));
    rows.forEach((row, i) => expect(row === undefined ? undefined : Number(row.id)).toBe([1, 3, 4, 5].includes(ids[i]) ? ids[i] : undefined));
    // And again, now from the copies kept idle.
    const again = await Promise.all(ids.map((id) => db.selectOne<{ id: number }>('SELECT id, note FROM tx_probe WHERE id = :id', { id })));
    expect(again.map((r) => r && Number(r.id))).toEqual(rows.map((r) => r && Number(r.id)));
  });

  it('prepares a statement afresh after its table was dropped and made again', async () => {
    const { db } = h.stratum.kernel;
    await db.sequelize.query('CREATE TABLE tx_gone (id INTEGER PRIMARY KEY, note VARCHAR(20))');
    await db.sequelize.query("INSERT INTO tx_gone (id, note) VALUES (1, 'first')");
    const read = () => db.select<{ note: string }>('SELECT note FROM tx_gone WHERE id = :id', { id: 1 });
    await Promise.all([read(), read(), read()]);
    await db.sequelize.query('DROP TABLE tx_gone');
    await expect(read()).rejects.toBeDefined();
    await db.sequelize.query('CREATE TABLE tx_gone (id INTEGER PRIMARY KEY, note VARCHAR(20))');
    await db.sequelize.query("INSERT INTO tx_gone (id, note) VALUES (1, 'second')");
    for (let i = 0; i < 4; i++) expect(await read()).toEqual([{ note: 'second' }]);
  });

  it('answers reads and units of work after a migration changed the type of a column they return, under the running process', async () => {
    const { db, runInUnitOfWork } = h.stratum.kernel;
    const postgres = testDbKind() === 'postgres';
    await db.sequelize.query('CREATE TABLE tx_retyped (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL)');
    await db.sequelize.query('INSERT INTO tx_retyped (id, amount) VALUES (1, 7), (2, 8)');
    const read = (id: number, t?: Transaction) => db.selectOne<{ id: number; amount: unknown }>('SELECT id, amount FROM tx_retyped WHERE id = :id', { id }, t);
    const ids = [1, 2, 1, 2, 1, 2];
    // The statement prepared on every connection of the pool (3): more reads at once than it holds, a few times.
    const everywhere = async () => {
      for (let i = 0; i < 3; i++) await Promise.all(ids.map((id) => read(id)));
    };
    /** What a migration does while this process serves (SQLite has no ALTER COLUMN … TYPE: it makes the table again). */
    const retype = async (type: 'TEXT' | 'INTEGER') => {
      if (postgres) return void (await db.sequelize.query(`ALTER TABLE tx_retyped ALTER COLUMN amount TYPE ${type} USING amount::${type}`));
      await db.sequelize.query(`CREATE TABLE tx_retyped_new (id INTEGER PRIMARY KEY, amount ${type} NOT NULL)`);
      await db.sequelize.query(`INSERT INTO tx_retyped_new (id, amount) SELECT id, CAST(amount AS ${type}) FROM tx_retyped`);
      await db.sequelize.query('DROP TABLE tx_retyped');
      await db.sequelize.query('ALTER TABLE tx_retyped_new RENAME TO tx_retyped');
    };
    await everywhere();
    // PostgreSQL refuses a prepared statement whose result type changed ("cached plan must not
    // change result type") on every connection that prepared it: each read here is answered.
    await retype('TEXT');
    expect((await Promise.all(ids.map((id) => read(id)))).map((r) => [Number(r!.id), r!.amount])).toEqual(ids.map((id) => [id, String(id + 6)]));
    await everywhere();

    // In a transaction the refusal aborts it: the unit of work runs it again, once, and it commits.
    await retype('INTEGER');
    let attempts = 0;
    const amount = await runInUnitOfWork('t_probe', async (uow) => {
      attempts++;
      const row = await read(2, uow.transaction);
      await db.select('UPDATE tx_retyped SET amount = :amount WHERE id = 2', { amount: Number(row!.amount) + 1 }, uow.transaction);
      return Number(row!.amount);
    });
    expect(amount).toBe(8);
    expect(attempts).toBe(postgres ? 2 : 1);
    expect(await read(2)).toEqual({ id: 2, amount: 9 });
    await db.sequelize.query('DROP TABLE tx_retyped');
  });

  (testDbKind() === 'postgres' ? it : it.skip)('reads each connection’s rows with the columns that connection was told, when a schema changed and changed back', async () => {
    // Two pooled connections, driven with the driver's own query class: once a connection has
    // been told a statement's columns it no longer asks (no Describe), so what it was told must
    // be its own. Retyped and retyped back, the first connection's statement answers integers
    // again without an error, while the second one prepared the same text under numeric.
    const { db } = h.stratum.kernel;
    type Connection = PgClient & { connection: { describe(m: unknown): void } };
    const cm = db.sequelize.connectionManager as unknown as { getConnection(o: object): Promise<Connection>; releaseConnection(c: Connection): Promise<void> };
    await db.sequelize.query('CREATE TABLE tx_flip (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL)');
    await db.sequelize.query('INSERT INTO tx_flip (id, amount) VALUES (1, 42)');
    const a = await cm.getConnection({ type: 'read' });
    const b = await cm.getConnection({ type: 'read' });
    const described = new Map<Connection, number>([[a, 0], [b, 0]]);
    const restore = [a, b].map((c) => {
      const own = c.connection.describe;
      c.connection.describe = (m: unknown) => {
        described.set(c, described.get(c)! + 1);
        own.call(c.connection, m);
      };
      return () => void (c.connection.describe = own);
    });
    const shapes = new Map<string, RowShape>();
    const run = (c: Connection) =>
      new Promise<unknown[]>((resolve, reject) => {
        const q = new ShapedQuery(shapes, 'SELECT id, amount FROM tx_flip WHERE id = $1', [1], (err, result) => (err ? reject(err) : resolve(result.rows)));
        (q as unknown as { name: string }).name = 'tx_flip_read';
        c.query(q as never);
      });
    const alter = (type: string) => db.sequelize.query(`ALTER TABLE tx_flip ALTER COLUMN amount TYPE ${type}`);
    try {
      expect(await run(a)).toEqual([{ id: 1, amount: 42 }]);
      expect(await run(a)).toEqual([{ id: 1, amount: 42 }]);
      expect(described.get(a)).toBe(1);
      await alter('NUMERIC');
      expect(await run(b)).toEqual([{ id: 1, amount: '42' }]);
      await alter('INTEGER');
      // a: no error from the server, and its own columns (integers), not b's (numeric).
      expect(await run(a)).toEqual([{ id: 1, amount: 42 }]);
      expect(described.get(a)).toBe(1);
      // b: its statement's columns would change, so the server refuses it, as the driver expects.
      await expect(run(b)).rejects.toMatchObject({ code: '0A000' });
    } finally {
      restore.forEach((undo) => undo());
      await cm.releaseConnection(a);
      await cm.releaseConnection(b);
      await db.sequelize.query('DROP TABLE tx_flip');
    }
  });

  (testDbKind() === 'postgres' ? it : it.skip)('parses every column by its type, nulls included, the first time a statement answers and every time after', async () => {
    const { db } = h.stratum.kernel;
    await db.sequelize.query('CREATE TABLE tx_types (id INTEGER PRIMARY KEY, label VARCHAR(20), big BIGINT, amount NUMERIC(12,3), flag BOOLEAN, at TIMESTAMP WITH TIME ZONE, doc JSONB)');
    await db.sequelize.query(`INSERT INTO tx_types VALUES (1, 'one', 9007199254740993, 12.5, true, '2026-12-07T10:00:00.123Z', '{"a":[1]}'), (2, NULL, NULL, NULL, NULL, NULL, NULL)`);
    const expected = [
      { id: 1, label: 'one', big: '9007199254740993', amount: '12.500', flag: true, at: new Date('2026-12-07T10:00:00.123Z'), doc: { a: [1] } },
      { id: 2, label: null, big: null, amount: null, flag: null, at: null, doc: null },
    ];
    // More reads at once than the pool has connections: each connection parses the statement once, and every read on it answers from the kept shape.
    for (let round = 0; round < 3; round++) {
      const all = await Promise.all(Array.from({ length: 6 }, () => db.select('SELECT id, label, big, amount, flag, at, doc FROM tx_types ORDER BY id', {})));
      for (const rows of all) expect(rows).toEqual(expected);
    }
    // Another statement over the same columns, in another order: its own shape.
    expect(await db.select('SELECT flag, id FROM tx_types WHERE id = :id', { id: 1 })).toEqual([{ flag: true, id: 1 }]);
  });

  (testDbKind() === 'postgres' ? it : it.skip)('replaces a connection that died inside a transaction', async () => {
    const { db } = h.stratum.kernel;
    await expect(db.transaction((t) => db.select('SELECT pg_terminate_backend(pg_backend_pid())', {}, t))).rejects.toBeDefined();
    // The pool hands out live connections afterwards: more transactions than it holds.
    for (let i = 0; i < 5; i++) await db.transaction((t) => db.select('SELECT 1 AS one', {}, t));
    expect(Number(await count())).toBe(4);
  });

  (testDbKind() === 'postgres' ? it : it.skip)("takes idle connections without the pool's acquire, keeps the pool's books, and never hands out a dead one", async () => {
    const { db } = h.stratum.kernel;
    type Wrapped = { resource: { _invalid?: boolean; processID: number } };
    const pool = (db.sequelize.connectionManager as unknown as {
      pool: { size: number; available: number; using: number; waiting: number; acquire(): Promise<unknown>; _availableObjects: Wrapped[]; _inUseObjects: Wrapped[] };
    }).pool;
    // Reads and transactions at once, more than the pool (3) holds: some take an idle connection, some wait for one.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 4 ? db.selectOne<{ n: number }>('SELECT :n::int AS n', { n: i }).then((row) => expect(row).toEqual({ n: i })) : db.transaction((t) => db.select('SELECT 1 AS one', {}, t)),
      ),
    );
    expect(pool.size).toBeLessThanOrEqual(3);
    await expect(settled()).resolves.toEqual({ using: 0, waiting: 0, allIdle: true });

    // With a connection idle and nobody waiting, a read and a transaction take it without the pool's acquire.
    const acquire = jest.spyOn(pool, 'acquire');
    try {
      expect(await db.selectOne('SELECT 1 AS one', {})).toEqual({ one: 1 });
      await db.transaction((t) => db.select('SELECT 1 AS one', {}, t));
      expect(acquire).not.toHaveBeenCalled();
    } finally {
      acquire.mockRestore();
    }

    // An idle connection found invalid (its error event seen, not yet destroyed) is never handed
    // out: the read goes to the pool, whose dispatch destroys it.
    await expect(settled()).resolves.toEqual({ using: 0, waiting: 0, allIdle: true });
    const newest = pool._availableObjects[pool._availableObjects.length - 1].resource;
    newest._invalid = true;
    const sizeBefore = pool.size;
    expect(await db.selectOne<{ pid: number }>('SELECT pg_backend_pid() AS pid', {})).not.toEqual({ pid: newest.processID });
    expect([...pool._availableObjects, ...pool._inUseObjects].some((w) => w.resource === newest)).toBe(false);
    expect(pool.size).toBeLessThan(sizeBefore + 1);

    // The backends of the idle connections but one end under the pool (the one that ends them
    // survives): reads as many at once as the pool holds still get live connections.
    const pids = await Promise.all(Array.from({ length: 3 }, () => db.transaction(async (t) => (await db.selectOne<{ pid: number }>('SELECT pg_backend_pid() AS pid', {}, t))!.pid)));
    await db.transaction((t) => db.select(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN (${[...new Set(pids)].join(',')}) AND pid <> pg_backend_pid()`, {}, t));
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let round = 0; round < 2; round++) {
      expect(await Promise.all([0, 1, 2].map((i) => db.selectOne('SELECT :i::int AS i', { i })))).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    }
    await expect(settled()).resolves.toEqual({ using: 0, waiting: 0, allIdle: true });

    /**
     * The pool's counts once it is quiet: the outbox dispatcher's background statement may hold a
     * connection for a moment, and a connection opened for a waiter that another's release served
     * joins the idle ones once open.
     */
    async function settled() {
      for (let i = 0; i < 100 && (pool.using || pool.waiting || pool.available !== pool.size); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      return { using: pool.using, waiting: pool.waiting, allIdle: pool.available === pool.size };
    }
  });
});
