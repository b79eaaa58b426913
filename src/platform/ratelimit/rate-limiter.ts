import type { Logger } from 'pino';
import type { Database } from '../db/database';

export interface RateLimitSettings {
  /** Requests per API client per window; 0 turns rate limiting off. */
  requests: number;
  windowSeconds: number;
  /** How often counts are added to the shared counters and the totals read back. */
  syncMs: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  windowSeconds: number;
  /** Requests left in this window after this one. */
  remaining: number;
  /** Whole seconds until the window resets (at least 1). */
  resetSeconds: number;
  /** The `RateLimit-Policy` header value, `"per-client";q=<limit>;w=<window>`. */
  policy: string;
}

interface Entry {
  tenantId: string;
  /** Start of the window, in epoch seconds. */
  window: number;
  /** The shared total as last read from the database (this process's flushed counts included). */
  synced: number;
  /** Counted here, being added to the database right now. */
  inflight: number;
  /** Counted here, not yet sent. */
  pending: number;
  /** The first read of the shared total for this window, while it runs. */
  loading?: Promise<void>;
}

const PURGE_EVERY_MS = 60_000;

/**
 * Fixed-window quotas per API client, shared by every process on the database. Each process
 * counts in memory and, every `syncMs`, adds its counts to `rate_limit_counters` and reads the
 * totals back; a client's first request in a window reads the shared total first. So one process
 * enforces the quota exactly, and N processes overshoot by at most what the others counted in
 * one sync interval. The hot path touches the database once per client and window, not per request.
 */
export class RateLimiter {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastPurge = 0;
  private closed = false;
  private readonly policy: string;

  constructor(
    private readonly db: Database,
    private readonly settings: RateLimitSettings,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.policy = `"per-client";q=${settings.requests};w=${settings.windowSeconds}`;
  }

  get enabled(): boolean {
    return this.settings.requests > 0;
  }

  /** Counts one request of the client, unless it is over its quota; without a promise when the window is known. */
  take(tenantId: string, clientId: string): RateDecision | Promise<RateDecision> {
    const now = this.now();
    const w = this.settings.windowSeconds;
    const window = Math.floor(now / 1000 / w) * w;
    let entry = this.entries.get(clientId);
    if (!entry || entry.window !== window) {
      // Counts of an ended window no longer matter to anyone: they are dropped with it.
      const fresh: Entry = { tenantId, window, synced: 0, inflight: 0, pending: 0 };
      fresh.loading = this.read(clientId, window).then((total) => {
        fresh.synced = Math.max(fresh.synced, total);
        fresh.loading = undefined;
      });
      this.entries.set(clientId, (entry = fresh));
    }
    if (entry.loading) {
      const waiting = entry;
      return entry.loading.then(() => this.decide(waiting, now));
    }
    return this.decide(entry, now);
  }

  private decide(entry: Entry, now: number): RateDecision {
    const { requests: limit, windowSeconds } = this.settings;
    const used = entry.synced + entry.inflight + entry.pending;
    const resetSeconds = Math.max(1, Math.ceil(entry.window + windowSeconds - now / 1000));
    if (used >= limit) return { allowed: false, limit, windowSeconds, remaining: 0, resetSeconds, policy: this.policy };
    entry.pending++;
    if (!this.timer) this.schedule();
    return { allowed: true, limit, windowSeconds, remaining: limit - used - 1, resetSeconds, policy: this.policy };
  }

  private async read(clientId: string, window: number): Promise<number> {
    try {
      const row = await this.db.selectOne<{ used: number | string }>('SELECT used FROM rate_limit_counters WHERE client_id = :clientId AND window_start = :window', {
        clientId,
        window,
      });
      return row ? Number(row.used) : 0;
    } catch (err) {
      // A database hiccup must not turn into refused requests: count from zero here.
      this.logger.warn({ err }, 'reading a rate limit counter failed');
      return 0;
    }
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sync();
    }, this.settings.syncMs);
    this.timer.unref();
  }

  /** Adds this process's counts to the shared counters and reads the totals back. */
  sync(): Promise<void> {
    // One flush at a time; a call during a flush waits for it and then flushes what came since.
    const run = (this.flushing ?? Promise.resolve()).then(() => this.flush());
    const tracked = run.catch(() => undefined);
    this.flushing = tracked;
    void tracked.then(() => {
      if (this.flushing === tracked) this.flushing = undefined;
    });
    return run;
  }

  private async flush(): Promise<void> {
    const batch: { clientId: string; entry: Entry; n: number }[] = [];
    for (const [clientId, entry] of this.entries) {
      if (entry.pending > 0 && !entry.loading) {
        batch.push({ clientId, entry, n: entry.pending });
        entry.inflight += entry.pending;
        entry.pending = 0;
      }
    }
    const now = this.now();
    const current = Math.floor(now / 1000 / this.settings.windowSeconds) * this.settings.windowSeconds;
    for (const [clientId, entry] of this.entries) {
      if (entry.window < current && !entry.inflight && !entry.loading) this.entries.delete(clientId);
    }
    const purge = now - this.lastPurge >= PURGE_EVERY_MS;
    if (!batch.length && !purge) return;
    try {
      const totals = await this.db.transaction(async (transaction) => {
        const out: number[] = [];
        for (const { clientId, entry, n } of batch) {
          // An upsert that answers with the new total (INSERT … RETURNING: SQLite ≥ 3.35 and PostgreSQL).
          const [row] = await this.db.select<{ used: number | string }>(
            `INSERT INTO rate_limit_counters (client_id, window_start, tenant_id, used) VALUES (:clientId, :window, :tenantId, :n)
             ON CONFLICT (client_id, window_start) DO UPDATE SET used = rate_limit_counters.used + excluded.used
             RETURNING used`,
            { clientId, window: entry.window, tenantId: entry.tenantId, n },
            transaction,
          );
          out.push(Number(row.used));
        }
        if (purge) {
          // Rows of ended windows are never read again.
          await this.db.select('DELETE FROM rate_limit_counters WHERE window_start < :before', { before: current }, transaction);
        }
        return out;
      });
      if (purge) this.lastPurge = now;
      batch.forEach(({ entry, n }, i) => {
        entry.inflight -= n;
        entry.synced = totals[i];
      });
    } catch (err) {
      // Keep the counts and try again with the next flush.
      for (const { entry, n } of batch) {
        entry.inflight -= n;
        entry.pending += n;
      }
      this.logger.warn({ err }, 'adding to the rate limit counters failed');
      if (batch.length) this.schedule();
    }
  }

  /** Sends what is still counted here (a stopping process's requests still count) and stops. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.closed = true;
    await Promise.all([...this.entries.values()].map((e) => e.loading));
    await this.sync();
  }
}
