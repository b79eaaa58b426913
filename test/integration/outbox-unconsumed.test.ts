/**
 * The outbox with no subscriber (the default: no module subscribes and no broker is configured):
 * due events are marked delivered in one statement per batch instead of being leased first. A
 * lease another process still holds is respected; an expired one is not.
 */
import { Op } from 'sequelize';
import { domainEvent } from '../../src/platform/events/domain-event';
import { OutboxEventModel } from '../../src/platform/events/outbox-event.model';
import { Harness, type Admin } from '../support/harness';

let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

const drain = () => h.stratum.kernel.dispatcher.drain();

function row(id: string, extra: Record<string, unknown> = {}) {
  const now = new Date();
  return { id, tenant_id: admin.tenantId, type: 'test.unconsumed', aggregate_type: 'test', aggregate_id: id, payload: '{}', occurred_at: now, attempts: 0, next_attempt_at: now, ...extra };
}

describe('the outbox with no subscriber', () => {
  it('marks a committed event delivered, with no lease left on it', async () => {
    const res = await h.request('POST', '/v1/platform/api-clients', { token: admin.token, json: { name: 'unconsumed', scopes: ['crm:read'] } });
    expect(res.status).toBe(201);
    const id = res.body.api_client.id;
    await drain();
    const event = await OutboxEventModel.findOne({ where: { aggregate_id: id }, raw: true });
    expect(event).toMatchObject({ type: 'platform.api_client.created', lease_owner: null, lease_until: null, last_error: null });
    expect(event!.published_at).not.toBeNull();
  });

  it('leaves an event whose lease another process holds, and takes it once that lease has expired', async () => {
    const held = 'evt_01M00000000000000000HELD1';
    await OutboxEventModel.create(row(held, { lease_owner: 'proc_other', lease_until: new Date(Date.now() + 60_000) }));
    await drain();
    expect(await OutboxEventModel.findByPk(held, { raw: true })).toMatchObject({ published_at: null, lease_owner: 'proc_other' });
    await OutboxEventModel.update({ lease_until: new Date(Date.now() - 1000) }, { where: { id: held } });
    await drain();
    const taken = await OutboxEventModel.findByPk(held, { raw: true });
    expect(taken!.published_at).not.toBeNull();
    expect(taken!.lease_owner).toBeNull();
  });

  it('leaves an event that is not due yet', async () => {
    const later = 'evt_01M00000000000000000LATER';
    await OutboxEventModel.create(row(later, { next_attempt_at: new Date(Date.now() + 3_600_000) }));
    await drain();
    expect((await OutboxEventModel.findByPk(later, { raw: true }))!.published_at).toBeNull();
  });

  it('delivers a backlog larger than one batch in one drain', async () => {
    const ids = Array.from({ length: 1_234 }, (_, i) => `evt_01M000000000000000B${String(i).padStart(5, '0')}`);
    await OutboxEventModel.bulkCreate(ids.map((id) => row(id)));
    await drain();
    expect(await OutboxEventModel.count({ where: { id: { [Op.in]: ids }, published_at: null } })).toBe(0);
  });

  it('commits the events of a unit of work that records more than one INSERT holds (100), all of them, in order', async () => {
    const events = Array.from({ length: 257 }, (_, i) => domainEvent('test.many', admin.tenantId, { type: 'test', id: `many_${i}` }, { i }));
    await h.stratum.kernel.runInUnitOfWork(admin.tenantId, async (uow) => uow.record(...events));
    const rows = await OutboxEventModel.findAll({ where: { type: 'test.many' }, order: [['id', 'ASC']], raw: true });
    expect(rows.map((r) => r.id)).toEqual(events.map((e) => e.id));
    expect(rows.map((r) => JSON.parse(r.payload).i)).toEqual(events.map((_, i) => i));
    expect(rows.every((r) => r.aggregate_id.startsWith('many_') && r.tenant_id === admin.tenantId)).toBe(true);
    await drain();
    expect(await OutboxEventModel.count({ where: { type: 'test.many', published_at: null } })).toBe(0);
  });
});
