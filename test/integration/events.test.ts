import { OutboxEventModel, ProcessedEventModel } from '../../src/platform/events/outbox-event.model';
import type { DomainEvent } from '../../src/platform/events/domain-event';
import { ApiClient } from '../../src/modules/platform/domain/api-client';
import { ApiClientRepository } from '../../src/modules/platform/infrastructure/api-client.repository';
import { idsBefore } from '../../src/platform/ids';
import { Harness, type Admin } from '../support/harness';

let h: Harness;
let admin: Admin;
const seen: DomainEvent[] = [];
let failuresLeft = 0;
let flakyCalls = 0;
const slowHandled = new Set<string>();
let onSlowStart: (() => void) | undefined;
let slowGate: Promise<void> | undefined;

beforeAll(async () => {
  h = await Harness.start();
  h.stratum.kernel.dispatcher.subscribe({ name: 'test.recorder', types: '*', handle: async (event) => void seen.push(event) });
  h.stratum.kernel.dispatcher.subscribe({
    name: 'test.flaky',
    types: ['platform.api_client.updated'],
    handle: async () => {
      flakyCalls++;
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new Error('subscriber failed on purpose');
      }
    },
  });
  h.stratum.kernel.dispatcher.subscribe({
    name: 'test.slow',
    types: ['test.slow'],
    handle: async (event) => {
      onSlowStart?.();
      await slowGate;
      await new Promise((resolve) => setTimeout(resolve, 20));
      slowHandled.add(event.id);
    },
  });
  admin = await h.tenant();
});
afterAll(() => h.stop());

const drain = () => h.stratum.kernel.dispatcher.drain();
const create = (name: string) => h.request('POST', '/v1/platform/api-clients', { token: admin.token, json: { name, scopes: ['crm:read'] } });

describe('domain events through the outbox', () => {
  it('writes the event with the change and delivers it after commit', async () => {
    const id = (await create('evented')).body.api_client.id;
    const row = await OutboxEventModel.findOne({ where: { aggregate_id: id }, raw: true });
    expect(row).toMatchObject({ type: 'platform.api_client.created', tenant_id: admin.tenantId, aggregate_type: 'api_client' });
    await drain();
    const event = seen.find((e) => e.aggregateId === id);
    expect(event).toMatchObject({ type: 'platform.api_client.created', tenantId: admin.tenantId, payload: { api_client_id: id, name: 'evented', scopes: ['crm:read'] } });
    expect(event!.id).toMatch(/^evt_/);
    const published = await OutboxEventModel.findByPk(row!.id, { raw: true });
    expect(published!.published_at).not.toBeNull();
  });

  it('writes neither data nor events when the unit of work fails', async () => {
    const before = await OutboxEventModel.count();
    let id = '';
    await expect(
      h.stratum.kernel.runInUnitOfWork(admin.tenantId, async (uow) => {
        const client = ApiClient.register({ tenantId: admin.tenantId, name: 'doomed', description: null, scopes: ['crm:read'], secretHash: 'x' });
        id = client.id;
        await ApiClientRepository.in(uow).add(client);
        throw new Error('fails after the write');
      }),
    ).rejects.toThrow('fails after the write');
    expect(await OutboxEventModel.count()).toBe(before);
    expect((await h.request('GET', `/v1/platform/api-clients/${id}`, { token: admin.token })).status).toBe(404);
  });

  it('records no event for a refused change', async () => {
    const id = (await create('stale')).body.api_client.id;
    const res = await h.request('PATCH', `/v1/platform/api-clients/${id}`, { token: admin.token, json: { name: 'x' }, headers: { 'if-match': '"5"' } });
    expect(res.status).toBe(412);
    expect(await OutboxEventModel.count({ where: { aggregate_id: id, type: 'platform.api_client.updated' } })).toBe(0);
  });

  it('retries a failing subscriber without redelivering to the ones that succeeded', async () => {
    const id = (await create('flaky')).body.api_client.id;
    failuresLeft = 1;
    flakyCalls = 0;
    await h.request('PATCH', `/v1/platform/api-clients/${id}`, { token: admin.token, json: { name: 'flaky 2' }, headers: { 'if-match': '"1"' } });
    await drain();
    const row = await OutboxEventModel.findOne({ where: { aggregate_id: id, type: 'platform.api_client.updated' }, raw: true });
    expect(row!.published_at).toBeNull();
    expect(row!.attempts).toBe(1);
    expect(row!.last_error).toContain('on purpose');
    // make it due now instead of after the backoff
    await OutboxEventModel.update({ next_attempt_at: new Date(0) }, { where: { id: row!.id } });
    await drain();
    expect(flakyCalls).toBe(2);
    expect(seen.filter((e) => e.id === row!.id)).toHaveLength(1);
    expect((await OutboxEventModel.findByPk(row!.id, { raw: true }))!.published_at).not.toBeNull();
  });

  it('skips an event a subscriber already handled when it is delivered again', async () => {
    const id = (await create('twice')).body.api_client.id;
    await drain();
    const row = await OutboxEventModel.findOne({ where: { aggregate_id: id }, raw: true });
    // at-least-once: simulate a crash after the subscribers ran but before the event was marked
    await OutboxEventModel.update({ published_at: null }, { where: { id: row!.id } });
    await drain();
    expect(seen.filter((e) => e.id === row!.id)).toHaveLength(1);
    expect(await ProcessedEventModel.count({ where: { event_id: row!.id } })).toBe(1);
  });

  it('does not let one unreadable event block the ones after it', async () => {
    const now = new Date();
    await OutboxEventModel.create({ id: 'evt_0000000000BROKENPAY1OAD0', tenant_id: admin.tenantId, type: 'platform.api_client.updated', aggregate_type: 'api_client', aggregate_id: 'cli_x', payload: '{not json', occurred_at: now, attempts: 0, next_attempt_at: now });
    const id = (await create('after broken')).body.api_client.id;
    await drain();
    expect(seen.some((e) => e.aggregateId === id)).toBe(true);
    const broken = await OutboxEventModel.findByPk('evt_0000000000BROKENPAY1OAD0', { raw: true });
    expect(broken!.published_at).toBeNull();
    expect(broken!.attempts).toBe(1);
    expect(broken!.lease_owner).toBeNull();
  });

  it('returns from drain only when no pass is still delivering, even one a poke started meanwhile', async () => {
    // A poke while drain is handling one event must not start a second pass alongside it: that
    // pass would lease the next event, drain's own pass would find nothing more due and return
    // while the next event is still being handled. The second event becomes due while the first
    // is held in its handler (no write by the test meanwhile: on SQLite the handler's
    // transaction holds the write lock).
    const now = new Date();
    const dueAt = new Date(now.getTime() + 300);
    const row = (id: string, i: number, due: Date) => ({ id, tenant_id: admin.tenantId, type: 'test.slow', aggregate_type: 'test', aggregate_id: `t_${i}`, payload: '{}', occurred_at: now, attempts: 0, next_attempt_at: due });
    const first = 'evt_0000000000000000SLOW0001';
    const second = 'evt_0000000000000000SLOW0002';
    await OutboxEventModel.create(row(first, 1, now));
    await OutboxEventModel.create(row(second, 2, dueAt));
    const started = new Promise<void>((resolve) => (onSlowStart = resolve));
    let release = () => undefined as void;
    slowGate = new Promise<void>((resolve) => (release = resolve));
    const drained = drain();
    await started; // drain's pass is handling the first event, held at the gate
    onSlowStart = undefined;
    while (Date.now() <= dueAt.getTime() + 20) await new Promise((resolve) => setTimeout(resolve, 20));
    h.stratum.kernel.dispatcher.poke();
    release();
    slowGate = undefined;
    await drained;
    expect([...slowHandled]).toEqual([first, second]);
    expect((await OutboxEventModel.findByPk(second, { raw: true }))!.published_at).not.toBeNull();
  });

  it('deletes delivered events older than the retention with their subscribers\' records, never an undelivered one', async () => {
    const day = 24 * 3600_000;
    const old = new Date(Date.now() - 8 * day); // the default retention is 7 days
    const future = new Date(Date.now() + 365 * day);
    const event = (id: string, published: Date | null, due: Date) => ({ id, tenant_id: admin.tenantId, type: 'test.old', aggregate_type: 'test', aggregate_id: 't_old', payload: '{}', occurred_at: old, attempts: 0, next_attempt_at: due, published_at: published });
    const oldDelivered = `${idsBefore('evt', old)}0000000000000001`;
    const oldWaiting = `${idsBefore('evt', old)}0000000000000002`;
    const recentDelivered = `${idsBefore('evt', new Date(Date.now() - day))}0000000000000003`;
    await OutboxEventModel.create(event(oldDelivered, old, old));
    await OutboxEventModel.create(event(oldWaiting, null, future));
    await OutboxEventModel.create(event(recentDelivered, new Date(), old));
    for (const id of [oldDelivered, oldWaiting]) await ProcessedEventModel.create({ subscriber: 'test.recorder', event_id: id, processed_at: old });
    await h.stratum.kernel.dispatcher.purgeDelivered();
    const left = (await OutboxEventModel.findAll({ where: { aggregate_id: 't_old' }, raw: true })).map((r) => r.id).sort();
    expect(left).toEqual([oldWaiting, recentDelivered].sort());
    const records = (await ProcessedEventModel.findAll({ where: { subscriber: 'test.recorder' }, raw: true })).map((r) => r.event_id);
    expect(records).toContain(oldWaiting);
    expect(records).not.toContain(oldDelivered);
    await OutboxEventModel.destroy({ where: { aggregate_id: 't_old' } });
  });
});
