import { randomBytes } from 'node:crypto';
import type { Transaction } from 'sequelize';
import type { Logger } from 'pino';
import type { Database } from '../db/database';
import type { OutboxWriter } from '../db/unit-of-work';
import type { DomainEvent } from './domain-event';
import { isDatabaseUnavailable } from '../db/unavailable';
import { idsBefore } from '../ids';

const OUTBOX_COLUMNS = 'id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at, attempts, next_attempt_at';

/**
 * The events of a unit of work, written in its transaction by multi-row INSERTs on the driver
 * (a prepared statement per number of events; one event is the common case).
 */
export function outboxWriter(db: Database): OutboxWriter {
  return {
    async append(events, transaction) {
      const now = new Date();
      for (let start = 0; start < events.length; start += EVENTS_PER_INSERT) {
        const chunk = events.slice(start, start + EVENTS_PER_INSERT);
        await db.select(outboxInsert(chunk.length), eventsParams(chunk, now), transaction);
      }
    },
  };
}

/**
 * Events per INSERT: a unit of work's events go in INSERTs of at most this many (seven parameters
 * each, far below either database's limit on parameters), so there are at most this many
 * statement texts to prepare.
 */
const EVENTS_PER_INSERT = 100;

function eventsParams(events: readonly DomainEvent[], now: Date): Record<string, unknown> {
  const params: Record<string, unknown> = { now };
  events.forEach((e, i) => {
    const [id, tenant, type, aggType, aggId, payload, at] = eventParams(i);
    params[id] = e.id;
    params[tenant] = e.tenantId;
    params[type] = e.type;
    params[aggType] = e.aggregateType;
    params[aggId] = e.aggregateId;
    params[payload] = JSON.stringify(e.payload);
    params[at] = e.occurredAt;
  });
  return params;
}

/** The parameter names of the i-th event of an INSERT, made once. */
const eventNames: string[][] = [];
const eventParams = (i: number) => (eventNames[i] ??= ['id', 'tenant', 'type', 'aggType', 'aggId', 'payload', 'at'].map((name) => `${name}${i}`));

/** The INSERT of n events, made once per n. */
const inserts: string[] = [];
function outboxInsert(n: number): string {
  return (inserts[n] ??= `INSERT INTO outbox_events (${OUTBOX_COLUMNS}) VALUES ${Array.from({ length: n }, (_, i) => `(${eventParams(i).map((name) => `:${name}`).join(', ')}, 0, :now)`).join(', ')}`);
}

/**
 * A subscriber reacts to committed events. It runs inside its own transaction, together with
 * the record that it has handled the event: a redelivered event is skipped, so each subscriber
 * sees each event once even though delivery is at least once.
 */
export interface Subscriber {
  /** Stable, unique name: the key of its processed-events record. */
  name: string;
  /** Event types it wants, or '*' for all. */
  types: readonly string[] | '*';
  handle(event: DomainEvent, transaction: Transaction): Promise<void>;
}

interface OutboxRow {
  id: string;
  tenant_id: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  payload: string;
  occurred_at: Date | string;
  attempts: number;
}

const LEASE_MS = 30_000;
const BATCH = 50;
/** Events marked delivered per statement when no subscriber is there to hand them to. */
const UNCONSUMED_BATCH = 500;
const MAX_BACKOFF_MS = 5 * 60_000;
/** How long a poke waits for more commits to deliver with: their events share one lease. */
const POKE_DELAY_MS = 5;
/** How often delivered events older than the retention are deleted (at most; on the poll). */
const PURGE_EVERY_MS = 10 * 60_000;
const PURGE_BATCH = 5_000;

/**
 * Delivers committed outbox events to in-process subscribers, at least once. Several processes
 * may run one each: a batch is leased before delivery, so two processes do not work on the same
 * event at the same time, and an expired lease (a crashed process) is taken over.
 */
export class OutboxDispatcher {
  private readonly subscribers: Subscriber[] = [];
  private readonly owner = `proc_${randomBytes(8).toString('hex')}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private scheduled: NodeJS.Timeout | undefined;
  private stopped = false;

  private lastPurge = 0;

  /**
   * `retentionMs`: how long a delivered event stays in the outbox (for an operator to look at)
   * before the dispatcher deletes it, with its subscribers' records.
   */
  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly pollMs: number,
    private readonly retentionMs: number = 7 * 24 * 3600_000,
  ) {}

  subscribe(subscriber: Subscriber): void {
    if (this.subscribers.some((s) => s.name === subscriber.name)) throw new Error(`duplicate subscriber ${subscriber.name}`);
    this.subscribers.push(subscriber);
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.pass(), this.pollMs);
    this.timer.unref();
    this.pass();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unschedule();
    await this.running;
  }

  /**
   * Called after a commit that wrote events: deliver them in a moment (POKE_DELAY_MS) instead of
   * at the next poll. The commits of that moment share one pass (a lease and a mark for all of
   * their events, instead of both for each); a commit while a pass runs gets the next pass.
   *
   * With no subscriber nothing waits for the events: they are marked delivered at the next poll,
   * many commits' worth in one statement, rather than a statement every few commits.
   */
  poke(): void {
    if (this.stopped || this.scheduled || !this.subscribers.length) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.scheduled = setTimeout(() => {
      this.scheduled = undefined;
      this.pass();
    }, POKE_DELAY_MS);
  }

  private pass(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.track(this.deliverDue()).catch((err) =>
      isDatabaseUnavailable(err) ? this.logger.warn({ err }, 'outbox dispatch waits for the database') : this.logger.error({ err }, 'outbox dispatch failed'),
    );
  }

  private unschedule(): void {
    if (this.scheduled) clearTimeout(this.scheduled);
    this.scheduled = undefined;
  }

  /**
   * Delivers every due event and returns when no delivery is in progress (tests use it to wait).
   * Its own pass counts as the one delivery in progress, so a poll or a poke meanwhile waits
   * for it instead of running alongside: a drain never returns while an event it could have
   * delivered is still being handled by a concurrent pass.
   */
  async drain(): Promise<void> {
    while (this.running) await this.running;
    // Stopped while it waited: the database may be closing; stop() waited for the last pass.
    if (this.stopped) return;
    // A scheduled pass would deliver nothing this one does not.
    this.unschedule();
    await this.track(this.deliverDue());
    while (this.running) await this.running;
  }

  /** Makes `pass` the delivery in progress; once it settles, a poke that came meanwhile runs. */
  private track(pass: Promise<void>): Promise<void> {
    this.running = pass
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          // Straight away: the commits that asked for it have waited for this pass already.
          this.again = false;
          this.pass();
        }
      });
    return pass;
  }

  private async deliverDue(): Promise<void> {
    // Nobody to hand them to: the due events are delivered (to no one) in one statement each
    // batch, not leased, handed over and marked in two.
    while (!this.subscribers.length) {
      if ((await this.markUnconsumed()) < UNCONSUMED_BATCH) break;
    }
    while (this.subscribers.length) {
      const batch = await this.lease();
      const delivered: string[] = [];
      for (const row of batch) if (await this.deliver(row)) delivered.push(row.id);
      await this.published(delivered);
      // A short batch took every event due when it was leased; one committed since then has
      // asked for the next pass (poke), so no second lease just to find nothing.
      if (batch.length < BATCH) break;
    }
    if (Date.now() - this.lastPurge >= PURGE_EVERY_MS) await this.purgeDelivered();
  }

  /**
   * Leases the next due events to this process, in one statement: rows whose lease another
   * process holds are skipped (PostgreSQL: SKIP LOCKED, and the due condition is re-checked on
   * the locked rows; SQLite: one writer at a time), and an expired lease (a crashed process) is
   * taken over. In id order.
   */
  private async lease(): Promise<OutboxRow[]> {
    const now = new Date();
    const until = new Date(now.getTime() + LEASE_MS);
    const rows = await this.db.execute<OutboxRow>(
      `UPDATE outbox_events SET lease_owner = :owner, lease_until = :until
       WHERE id IN (${this.dueIds(BATCH)})
       RETURNING id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at, attempts`,
      { owner: this.owner, until, now },
    );
    return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * With no subscriber: marks the next due events delivered, skipping those whose lease another
   * process holds (it may have subscribers), as `lease` would take them. Returns how many.
   */
  private async markUnconsumed(): Promise<number> {
    const rows = await this.db.execute<{ id: string }>(
      `UPDATE outbox_events SET published_at = :now, lease_owner = NULL, lease_until = NULL, last_error = NULL
       WHERE id IN (${this.dueIds(UNCONSUMED_BATCH)})
       RETURNING id`,
      { now: new Date() },
    );
    return rows.length;
  }

  /**
   * The ids of the next `limit` due events (`:now`) that no other process holds a lease on, in id
   * order: PostgreSQL locks them, skipping rows another transaction has locked, and re-checks the
   * due condition on what it locked; SQLite has one writer at a time anyway.
   */
  private dueIds(limit: number): string {
    const skipLocked = this.db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    return `SELECT id FROM outbox_events
            WHERE published_at IS NULL AND next_attempt_at <= :now AND (lease_until IS NULL OR lease_until < :now)
            ORDER BY id LIMIT ${limit}${skipLocked}`;
  }

  /** Marks the events delivered, those whose lease this process still holds, in one statement. */
  private async published(ids: string[]): Promise<void> {
    if (!ids.length) return;
    const params: Record<string, unknown> = { owner: this.owner, now: new Date() };
    ids.forEach((id, i) => (params[`id${i}`] = id));
    await this.db.execute(
      `UPDATE outbox_events SET published_at = :now, lease_owner = NULL, lease_until = NULL, last_error = NULL
       WHERE lease_owner = :owner AND id IN (${ids.map((_, i) => `:id${i}`).join(', ')})`,
      params,
    );
  }

  /**
   * Deletes delivered events that occurred before the retention period, a batch at a time, and
   * the subscribers' records of events no longer waiting for delivery (the records only matter
   * while an event may still be redelivered). An event id starts with the time it was made
   * (ULID), so the old ones are a range of the primary key: no index on `published_at` to keep.
   */
  async purgeDelivered(): Promise<void> {
    this.lastPurge = Date.now();
    const cutoff = new Date(Date.now() - this.retentionMs);
    const before = idsBefore('evt', cutoff);
    for (;;) {
      const gone = await this.db.execute<{ id: string }>(
        `DELETE FROM outbox_events WHERE id IN (SELECT id FROM outbox_events WHERE id < :before AND published_at IS NOT NULL ORDER BY id LIMIT ${PURGE_BATCH}) RETURNING id`,
        { before },
      );
      if (gone.length < PURGE_BATCH) break;
    }
    await this.db.execute(
      `DELETE FROM processed_events WHERE processed_at < :cutoff AND NOT EXISTS (SELECT 1 FROM outbox_events o WHERE o.id = processed_events.event_id AND o.published_at IS NULL)`,
      { cutoff },
    );
  }

  /** Hands the event to each subscriber that wants it; false (and a retry later) when one failed. */
  private async deliver(row: OutboxRow): Promise<boolean> {
    try {
      const event: DomainEvent = {
        id: row.id,
        type: row.type,
        tenantId: row.tenant_id,
        aggregateType: row.aggregate_type,
        aggregateId: row.aggregate_id,
        occurredAt: new Date(row.occurred_at),
        payload: JSON.parse(row.payload),
      };
      for (const subscriber of this.subscribers) {
        if (subscriber.types !== '*' && !subscriber.types.includes(event.type)) continue;
        await this.db.transaction(async (transaction) => {
          const seen = await this.db.selectOne('SELECT 1 AS seen FROM processed_events WHERE subscriber = :subscriber AND event_id = :eventId', { subscriber: subscriber.name, eventId: event.id }, transaction);
          if (seen) return;
          await subscriber.handle(event, transaction);
          await this.db.select('INSERT INTO processed_events (subscriber, event_id, processed_at) VALUES (:subscriber, :eventId, :now)', { subscriber: subscriber.name, eventId: event.id, now: new Date() }, transaction);
        });
      }
      return true;
    } catch (err) {
      const attempts = row.attempts + 1;
      const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts - 1, 16));
      this.logger.warn({ err, eventId: row.id, type: row.type, attempts }, 'event delivery failed; will retry');
      // Only a row this process still holds the lease on is updated.
      await this.db.execute(
        `UPDATE outbox_events SET attempts = :attempts, next_attempt_at = :next, lease_owner = NULL, lease_until = NULL, last_error = :error
         WHERE id = :id AND lease_owner = :owner`,
        { attempts, next: new Date(Date.now() + backoff), error: String((err as Error)?.message ?? err).slice(0, 1000), id: row.id, owner: this.owner },
      );
      return false;
    }
  }
}
