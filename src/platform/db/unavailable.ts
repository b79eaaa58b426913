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
const SQLITE_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL']);
// PostgreSQL SQLSTATEs: shutting down, cannot connect now, too many connections, out of disk or memory.
const PG_CODES = new Set(['57P01', '57P02', '57P03', '53300', '53100', '53200']);

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as Record<string, unknown> | undefined, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (typeof e.name === 'string' && SEQUELIZE_NAMES.has(e.name)) return true;
    if (code && (NODE_CODES.has(code) || SQLITE_CODES.has(code) || PG_CODES.has(code) || code.startsWith('08'))) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    // node-postgres, when the server closed the connection under a query; Sequelize after close().
    if (/^Connection terminated|^Client has encountered a connection error|connection manager was closed/.test(message)) return true;
    e = (e.original ?? e.parent ?? e.cause) as Record<string, unknown> | undefined;
  }
  return false;
}
