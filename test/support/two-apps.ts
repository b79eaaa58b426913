import { testDbKind } from './databases';
import { Harness } from './harness';

/** How long starting or stopping two apps may take on a busy machine. */
export const START_TIMEOUT_MS = 180_000;
export const STOP_TIMEOUT_MS = 60_000;

/**
 * Two app instances on one database, for the suites that race real requests across processes:
 * on PostgreSQL a second Harness on the first's database (its own pool, its own outbox
 * dispatcher); on SQLite, which has one writer per process, the same Harness twice (`other` is
 * `h`). Stop them with stopTwoApps.
 */
export async function startTwoApps(): Promise<{ h: Harness; other: Harness }> {
  const h = await Harness.start();
  const other = testDbKind() === 'postgres' ? await Harness.start({}, h.db) : h;
  return { h, other };
}

/** Stops what startTwoApps started (the second app first: the first owns the database). */
export async function stopTwoApps(h: Harness | undefined, other: Harness | undefined): Promise<void> {
  if (other && other !== h) await other.stop();
  await h?.stop();
}
