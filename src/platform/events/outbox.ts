import { randomBytes } from 'node:crypto';
import { Op, Transaction } from 'sequelize';
import type { Logger } from 'pino';
import type { Database } from '../db/database';
import type { OutboxWriter } from '../db/unit-of-work';
import type { DomainEvent } from './domain-event';
import { OutboxEventModel, ProcessedEventModel } from './outbox-event.model';
import { isDatabaseUnavailable } from '../db/unavailable';

export const outboxWriter: OutboxWriter = {
  async append(events, transaction) {
    const now = new Date();
    await OutboxEventModel.bulkCreate(
      events.map((e) => ({
        id: e.id,
        tenant_id: e.tenantId,
        type: e.type,
        aggregate_type: e.aggregateType,
        aggregate_id: e.aggregateId,
        payload: JSON.stringify(e.payload),
        occurred_at: e.occurredAt,
        attempts: 0,
        next_attempt_at: now,
      })),
      { transaction },
    );
  },
};

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
const MAX_BACKOFF_MS = 5 * 60_000;

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
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly pollMs: number,
  ) {}

  subscribe(subscriber: Subscriber): void {
    if (this.subscribers.some((s) => s.name === subscriber.name)) throw new Error(`duplicate subscriber ${subscriber.name}`);
    this.subscribers.push(subscriber);
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.poke(), this.pollMs);
    this.timer.unref();
    this.poke();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Called after a commit that wrote events: deliver them now instead of at the next poll. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.track(this.deliverDue()).catch((err) =>
      isDatabaseUnavailable(err) ? this.logger.warn({ err }, 'outbox dispatch waits for the database') : this.logger.error({ err }, 'outbox dispatch failed'),
    );
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
          this.again = false;
          this.poke();
        }
      });
    return pass;
  }

  private async deliverDue(): Promise<void> {
    for (;;) {
      const batch = await this.lease();
      if (!batch.length) return;
      for (const row of batch) await this.deliver(row);
    }
  }

  private async lease(): Promise<OutboxRow[]> {
    const now = new Date();
    const until = new Date(now.getTime() + LEASE_MS);
    const due = {
      published_at: null,
      next_attempt_at: { [Op.lte]: now },
      [Op.or]: [{ lease_until: null }, { lease_until: { [Op.lt]: now } }],
    };
    const candidates = await OutboxEventModel.findAll({ attributes: ['id'], where: due, order: [['id', 'ASC']], limit: BATCH, raw: true });
    if (!candidates.length) return [];
    // The `due` condition is repeated in the UPDATE: when two processes race for a row,
    // PostgreSQL re-checks it after the first commit and the second one leaves the row alone.
    await OutboxEventModel.update(
      { lease_owner: this.owner, lease_until: until },
      { where: { ...due, id: { [Op.in]: candidates.map((c) => c.id) } } },
    );
    return (await OutboxEventModel.findAll({
      where: { lease_owner: this.owner, lease_until: until, published_at: null },
      order: [['id', 'ASC']],
      raw: true,
    })) as unknown as OutboxRow[];
  }

  private async deliver(row: OutboxRow): Promise<void> {
    // Only rows this process still holds the lease on are updated.
    const mine = { id: row.id, lease_owner: this.owner };
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
          const seen = await ProcessedEventModel.findOne({ where: { subscriber: subscriber.name, event_id: event.id }, transaction, raw: true });
          if (seen) return;
          await subscriber.handle(event, transaction);
          await ProcessedEventModel.create({ subscriber: subscriber.name, event_id: event.id, processed_at: new Date() }, { transaction });
        });
      }
      await OutboxEventModel.update({ published_at: new Date(), lease_owner: null, lease_until: null, last_error: null }, { where: mine });
    } catch (err) {
      const attempts = row.attempts + 1;
      const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts - 1, 16));
      this.logger.warn({ err, eventId: row.id, type: row.type, attempts }, 'event delivery failed; will retry');
      await OutboxEventModel.update(
        {
          attempts,
          next_attempt_at: new Date(Date.now() + backoff),
          lease_owner: null,
          lease_until: null,
          last_error: String((err as Error)?.message ?? err).slice(0, 1000),
        },
        { where: mine },
      );
    }
  }
}
