/**
 * The full stack's outbox backlog, seen from the bench parent: a direct query on the bench
 * database (its own connection, not the app's code) counting the events still to deliver now.
 * Between measurement slices the parent waits, untimed, until that count is 0, so the full
 * stack's dispatcher (src/platform/events/outbox.ts, in the server child) never delivers a
 * write scenario's events inside the baseline's slice, nor carries one slice's backlog into its
 * own next one. The baseline writes its outbox rows with `next_attempt_at` a hundred years
 * ahead (scenarios/items.ts, NEVER_DUE), so they are never due: no dispatcher delivers them and
 * this count leaves them out.
 */
import { openRawDb, type RawDb } from './raw-server';

/** What one wait for the backlog found. */
export interface Drain {
  /** Undelivered events due when the wait began. */
  backlog: number;
  /** Seconds waited until none was due (or until the cap). */
  seconds: number;
  /** Events still due at the cap (0 when drained). */
  left: number;
}

export interface OutboxWatch {
  /** Waits until no event is due, at most `capSeconds`; never throws for a slow drain (the caller warns). */
  drain(capSeconds: number): Promise<Drain>;
  close(): Promise<void>;
}

/** A time bound as the app stores it: a Date on PostgreSQL, Sequelize's text on SQLite (compared as text). */
const timeParam = (db: RawDb, d: Date): Date | string => (db.kind === 'postgres' ? d : d.toISOString().replace('T', ' ').replace('Z', ' +00:00'));

const POLL_MS = 25;

/** Opens the watcher on the database of `env` (the bench database's DATABASE_URL or SQLITE_PATH). */
export async function watchOutbox(env: NodeJS.ProcessEnv): Promise<OutboxWatch> {
  const db = await openRawDb(env);
  const due = db.statement<{ n: string | number }>(
    'bench_outbox_due',
    'SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL AND next_attempt_at <= $1',
  );
  const count = async () => Number((await due.one([timeParam(db, new Date())]))?.n ?? 0);
  return {
    async drain(capSeconds) {
      const t0 = process.hrtime.bigint();
      const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e9;
      const backlog = await count();
      let left = backlog;
      while (left > 0 && elapsed() < capSeconds) {
        await new Promise((ok) => setTimeout(ok, POLL_MS));
        left = await count();
      }
      return { backlog, seconds: backlog ? elapsed() : 0, left };
    },
    close: () => db.close(),
  };
}
