/**
 * Whether an error means the database is down or too busy to answer, not that the request or
 * our code is wrong: the caller gets a 503 with Retry-After instead of a 500. Duck-typed on the
 * error's name and code, because errors arrive from Sequelize (wrapped) and from the drivers
 * directly (the hot reads), and nothing above the database layer should import either.
 */
const SEQUELIZE_NAMES = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionTimedOutError',
  'SequelizeConnectionAcquireTimeoutError',
  'SequelizeHostNotFoundError',
  'SequelizeHostNotReachableError',
  'SequelizeAccessDeniedError',
  'SequelizeInvalidConnectionError',
  // SQLite's SQLITE_BUSY after the busy timeout.
  'SequelizeTimeoutError',
]);
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
// Not SQLITE_LOCKED: a conflict within one connection, a bug rather than a busy database.
const SQLITE_CODES = new Set(['SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL']);
// PostgreSQL SQLSTATEs: shutting down, cannot connect now, too many connections, out of disk or
// memory, and contention that a retry resolves (serialization failure, deadlock, statement or
// lock timeout). Class 08 (connection exceptions) too, except 08P01, a protocol violation: a bug.
const PG_CODES = new Set(['57P01', '57P02', '57P03', '53300', '53100', '53200', '40001', '40P01', '57014', '55P03']);
// A connection refused for good until someone fixes the settings: still a 503 to the caller,
// but logged as an error.
const PG_MISCONFIGURED = new Set(['28P01', '28000', '3D000']);

/** The error and the ones it wraps (Sequelize's `original`/`parent`, `cause`), a few levels deep. */
function* causes(err: unknown): Generator<Record<string, unknown>> {
  for (let e = err as Record<string, unknown> | undefined, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    yield e;
    e = (e.original ?? e.parent ?? e.cause) as Record<string, unknown> | undefined;
  }
}

export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of causes(err)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (typeof e.name === 'string' && SEQUELIZE_NAMES.has(e.name)) return true;
    if (code && (NODE_CODES.has(code) || SQLITE_CODES.has(code) || PG_CODES.has(code) || PG_MISCONFIGURED.has(code) || (code.startsWith('08') && code !== '08P01'))) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    // node-postgres, when the server closed the connection under a query; Sequelize after close();
    // SQLite, a query that reached a connection Sequelize had just closed because a rollback
    // failed under lock contention (the next query opens a new one).
    if (/^Connection terminated|^Client has encountered a connection error|^Client was closed and is not queryable|connection manager was closed|^SQLITE_MISUSE: Database handle is closed/.test(message)) return true;
  }
  return false;
}

/**
 * PostgreSQL gave up on this transaction to resolve contention with another (a deadlock, or a
 * serialization failure): the transaction was rolled back whole, and running it again is safe
 * and will most likely succeed.
 */
export function isTransientConflict(err: unknown): boolean {
  for (const e of causes(err)) if (e.code === '40P01' || e.code === '40001') return true;
  return isStalePreparedStatement(err);
}

/**
 * PostgreSQL refused a prepared statement because the type of a column it answers changed since
 * it was prepared (`ALTER COLUMN … TYPE` by a migration while this process runs): "cached plan
 * must not change result type". Told by its SQLSTATE and the server routine that raises it
 * (not by the message, which the server may translate). Nothing was carried out; the driver
 * prepares the statement afresh, so running it again succeeds (and a transaction that failed on
 * it was rolled back whole, so the unit of work runs it again).
 */
export function isStalePreparedStatement(err: unknown): boolean {
  for (const e of causes(err)) if (e.code === '0A000' && e.routine === 'RevalidateCachedQuery') return true;
  return false;
}

/** The database refuses this server's credentials or does not exist: someone must act. */
export function isDatabaseMisconfigured(err: unknown): boolean {
  for (const e of causes(err)) if (typeof e.code === 'string' && PG_MISCONFIGURED.has(e.code)) return true;
  return false;
}
