import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import type { Database } from '../db/database';

export interface FailedAttemptSettings {
  /** Failures per client id and window; 0: not limited per client id. */
  perClientId: number;
  /** Failures per remote address (an IPv6 address by its /64) and window; 0: not limited per address. */
  perAddress: number;
  windowSeconds: number;
}

/** The token endpoint's defaults (config: TOKEN_FAILURES_PER_CLIENT_ID, TOKEN_FAILURES_PER_ADDRESS, TOKEN_FAILURE_WINDOW_SECONDS). */
export const DEFAULT_TOKEN_FAILURE_LIMITS: Readonly<FailedAttemptSettings> = Object.freeze({ perClientId: 10, perAddress: 50, windowSeconds: 60 });

export type FailurePolicy = 'failures-per-client-id' | 'failures-per-address';

/** Where an attempt stands against each limit that applies to it (for the RateLimit fields). */
export interface AttemptStanding {
  limits: { policy: FailurePolicy; limit: number; remaining: number }[];
  windowSeconds: number;
  /** Whole seconds until the window resets (at least 1). */
  resetSeconds: number;
}

interface Counter {
  window: number;
  /** The highest total known here: read from the database, or counted by this process. */
  failures: number;
  /** Attempts of this process being checked right now. */
  inflight: number;
}

interface Subject {
  policy: FailurePolicy;
  key: string;
  limit: number;
}

const PURGE_EVERY_MS = 60_000;
const SWEEP_ABOVE = 50_000;

/**
 * Limits failed attempts at a secret (the token endpoint's client authentication) per client id
 * and per remote address, in fixed windows, so a secret cannot be guessed at full speed.
 *
 * The counts are shared by every process through `failed_attempts` (processes scale out on one
 * database, so shared state lives there): a per-process count would give an attacker N times the attempts
 * behind a load balancer with N processes. Failures are rare and each already costs a scrypt
 * check, so every failure is one upsert; an attempt reads the shared totals first (one indexed
 * select). In memory each process keeps the totals it saw and its own attempts in flight, so one
 * process enforces a limit exactly even for concurrent attempts, a subject over its limit is
 * refused without a read, and N processes overshoot by at most what the others have in flight.
 * A failed read or write is logged, never turned into refused requests.
 */
export class FailedAttempts {
  private readonly counters = new Map<string, Counter>();
  private lastSweep = 0;
  private lastPurge = 0;

  constructor(
    private readonly db: Database,
    private readonly settings: FailedAttemptSettings,
    private readonly logger?: Pick<Logger, 'warn'>,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.settings.perClientId > 0 || this.settings.perAddress > 0;
  }

  /**
   * Starts an attempt for a client id and/or an address. It is refused when either has used up
   * its failures in this window, unless `trusted` (a secret this process has verified before:
   * checking it is no guess, and refusing it would let anyone who knows a client id lock it out).
   */
  async begin(subjects: { clientId?: string; address?: string }, trusted = false): Promise<Attempt> {
    const list = this.subjects(subjects);
    const window = this.windowAt(this.now());
    if (!list.length) return new Attempt(this, list, [], undefined);
    this.sweep(window);
    // Over its limit already: refused without a database read (a flood of guesses stays cheap).
    const early = trusted ? undefined : list.find((s) => this.used(s.key, window) >= s.limit);
    if (early) return new Attempt(this, list, [], early.policy);
    const totals = await this.read(list.map((s) => s.key), window);
    // The window ended during the read: its totals no longer matter.
    if (this.windowAt(this.now()) !== window) return this.begin(subjects, trusted);
    // Decided without awaiting anything: concurrent attempts of this process see each other's `inflight`.
    const counters = list.map((s) => this.counter(s.key, window));
    counters.forEach((c, i) => (c.failures = Math.max(c.failures, totals.get(list[i].key) ?? 0)));
    const over = trusted ? undefined : list.find((s, i) => counters[i].failures + counters[i].inflight >= s.limit);
    if (over) return new Attempt(this, list, [], over.policy);
    for (const c of counters) c.inflight++;
    return new Attempt(this, list, counters, undefined);
  }

  /** @internal Counts one failure against each subject, here at once and in the shared counters. */
  async recordFailure(list: Subject[]): Promise<void> {
    const now = this.now();
    const window = this.windowAt(now);
    for (const s of list) this.counter(s.key, window).failures++;
    const purge = now - this.lastPurge >= PURGE_EVERY_MS;
    try {
      const rows = await this.db.transaction(async (transaction) => {
        const out: { subject: string; failures: number | string }[] = [];
        for (const s of list) {
          // An upsert that answers with the new total (INSERT … RETURNING: SQLite ≥ 3.35 and PostgreSQL).
          out.push(
            ...(await this.db.select<{ subject: string; failures: number | string }>(
              `INSERT INTO failed_attempts (subject, window_start, failures) VALUES (:subject, :window, 1)
               ON CONFLICT (subject, window_start) DO UPDATE SET failures = failed_attempts.failures + 1
               RETURNING subject, failures`,
              { subject: s.key, window },
              transaction,
            )),
          );
        }
        // Rows of ended windows are never read again.
        if (purge) await this.db.select('DELETE FROM failed_attempts WHERE window_start < :before', { before: window }, transaction);
        return out;
      });
      if (purge) this.lastPurge = now;
      for (const row of rows) {
        const c = this.counter(row.subject, window);
        c.failures = Math.max(c.failures, Number(row.failures));
      }
    } catch (err) {
      this.logger?.warn({ err }, 'counting a failed attempt failed');
    }
  }

  /** @internal */
  standingOf(list: Subject[], refusedBy: FailurePolicy | undefined): AttemptStanding {
    const now = this.now();
    const window = this.windowAt(now);
    const { windowSeconds } = this.settings;
    return {
      limits: list.map((s) => ({ policy: s.policy, limit: s.limit, remaining: s.policy === refusedBy ? 0 : Math.max(0, s.limit - (this.counters.get(s.key)?.window === window ? this.counters.get(s.key)!.failures : 0)) })),
      windowSeconds,
      resetSeconds: Math.max(1, Math.ceil(window + windowSeconds - now / 1000)),
    };
  }

  private subjects({ clientId, address }: { clientId?: string; address?: string }): Subject[] {
    const list: Subject[] = [];
    if (clientId && this.settings.perClientId > 0) list.push({ policy: 'failures-per-client-id', key: `client-id:${clientId.slice(0, 150)}`, limit: this.settings.perClientId });
    if (address && this.settings.perAddress > 0) list.push({ policy: 'failures-per-address', key: `address:${addressKey(address)}`, limit: this.settings.perAddress });
    return list;
  }

  private windowAt(now: number): number {
    const w = this.settings.windowSeconds;
    return Math.floor(now / 1000 / w) * w;
  }

  private used(key: string, window: number): number {
    const c = this.counters.get(key);
    return c && c.window === window ? c.failures + c.inflight : 0;
  }

  private counter(key: string, window: number): Counter {
    let c = this.counters.get(key);
    // An attempt still in flight holds its old counter object; the new window starts afresh.
    if (!c || c.window !== window) this.counters.set(key, (c = { window, failures: 0, inflight: 0 }));
    return c;
  }

  /** Drops the counters of ended windows, once a window or when there are many. */
  private sweep(window: number): void {
    if (this.lastSweep === window && this.counters.size < SWEEP_ABOVE) return;
    this.lastSweep = window;
    for (const [key, c] of this.counters) if (c.window !== window && c.inflight === 0) this.counters.delete(key);
  }

  private async read(keys: string[], window: number): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    try {
      const placeholders = keys.map((_, i) => `:s${i}`).join(', ');
      const params: Record<string, unknown> = { window };
      keys.forEach((k, i) => (params[`s${i}`] = k));
      const rows = await this.db.select<{ subject: string; failures: number | string }>(
        `SELECT subject, failures FROM failed_attempts WHERE window_start = :window AND subject IN (${placeholders})`,
        params,
      );
      for (const row of rows) totals.set(row.subject, Number(row.failures));
    } catch (err) {
      // A database hiccup must not turn into refused requests: what this process counted still holds.
      this.logger?.warn({ err }, 'reading the failed attempt counters failed');
    }
    return totals;
  }
}

/** One attempt at a secret: refused, or running until it is `failed()` or `done()`. */
export class Attempt {
  private settled = false;

  constructor(
    private readonly limiter: FailedAttempts,
    private readonly subjects: Subject[],
    private readonly holding: Counter[],
    /** The limit that refused it, if it was refused. */
    readonly refusedBy: FailurePolicy | undefined,
  ) {}

  /** Seconds until the attempt may be made again (the window's end), when refused. */
  get retryAfterSeconds(): number {
    return this.standing().resetSeconds;
  }

  /** The secret was wrong (or the client unknown): counts against the client id and the address. */
  async failed(): Promise<void> {
    if (this.refusedBy || !this.release()) return;
    await this.limiter.recordFailure(this.subjects);
  }

  /** Succeeded, or ended for another reason (an error): counts nothing. */
  done(): void {
    this.release();
  }

  standing(): AttemptStanding {
    return this.limiter.standingOf(this.subjects, this.refusedBy);
  }

  private release(): boolean {
    if (this.settled) return false;
    this.settled = true;
    for (const c of this.holding) c.inflight--;
    return true;
  }
}

/** The address a failure counts against: IPv4 as is (also IPv4-mapped IPv6), IPv6 by its /64. */
export function addressKey(address: string): string {
  let a = address.trim().toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (a.startsWith('::ffff:') && a.includes('.')) return a.slice('::ffff:'.length);
  if (!isIPv6(a)) return a;
  // One host usually holds a whole /64: counting single IPv6 addresses would count nothing.
  const [head, tail] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The IETF RateLimit fields (draft) for an attempt's standing: the policies, and what is left of each. */
export function failureLimitHeaders(standing: AttemptStanding): Record<string, string> {
  if (!standing.limits.length) return {};
  return {
    'RateLimit-Policy': standing.limits.map((l) => `"${l.policy}";q=${l.limit};w=${standing.windowSeconds}`).join(', '),
    RateLimit: standing.limits.map((l) => `"${l.policy}";r=${l.remaining};t=${standing.resetSeconds}`).join(', '),
  };
}
