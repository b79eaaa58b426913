import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Harness, type Admin } from '../support/harness';

/**
 * Every event a CRM change writes to the outbox matches the schema the contract's `webhooks`
 * section documents for its type: envelope and data.
 */
const document = JSON.parse(readFileSync(join(__dirname, '../../generated/openapi.json'), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'contract', components: document.components, webhooks: document.webhooks });
const validatorOf = (type: string) => {
  if (!document.webhooks?.[type]) return undefined;
  return ajv.compile({ $ref: `contract#/webhooks/${type.replace(/~/g, '~0').replace(/\//g, '~1')}/post/requestBody/content/application~1json/schema` });
};

let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

interface OutboxRow {
  id: string;
  type: string;
  tenant_id: string;
  aggregate_type: string;
  aggregate_id: string;
  occurred_at: Date | string;
  payload: string;
}

async function eventsOf(tenantId: string) {
  const rows = await h.stratum.kernel.db.select<OutboxRow>("SELECT id, type, tenant_id, aggregate_type, aggregate_id, occurred_at, payload FROM outbox_events WHERE tenant_id = :tenantId AND type LIKE 'crm.%' ORDER BY id", { tenantId });
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    tenant_id: r.tenant_id,
    aggregate: { type: r.aggregate_type, id: r.aggregate_id },
    occurred_at: new Date(r.occurred_at).toISOString(),
    data: JSON.parse(r.payload),
  }));
}

describe('CRM events', () => {
  it('are written with each change, and each matches its documented webhook schema', async () => {
    const json = (method: string, path: string, body?: unknown, ifMatch?: string) =>
      h.request(method, `/v1/crm${path}`, { token: admin.token, json: body, headers: ifMatch ? { 'if-match': ifMatch } : {} });
    const account = (await json('POST', '/accounts', { name: 'Evented', owner_id: 'u1' })).body;
    expect((await json('PATCH', `/accounts/${account.id}`, { name: 'Evented GmbH', tags: ['x'] }, '"1"')).status).toBe(200);
    // A patch that changes nothing publishes nothing.
    expect((await json('PATCH', `/accounts/${account.id}`, { tags: ['x'] }, '"2"')).status).toBe(200);
    expect((await json('DELETE', `/accounts/${account.id}`, undefined, '"2"')).status).toBe(204);

    const events = await eventsOf(admin.tenantId);
    expect(events.map((e) => e.type)).toEqual(['crm.account.created', 'crm.account.updated', 'crm.account.archived']);
    expect(events[1].data).toEqual({ account_id: account.id, changed: ['name', 'tags'] });
    for (const event of events) {
      const validate = validatorOf(event.type);
      expect({ type: event.type, documented: Boolean(validate) }).toEqual({ type: event.type, documented: true });
      expect({ type: event.type, errors: validate!(event) ? null : validate!.errors }).toEqual({ type: event.type, errors: null });
    }
  });

  it('are not written when the change is refused', async () => {
    const t = await h.tenant();
    const res = await h.request('POST', '/v1/crm/accounts', { token: t.token, json: { name: '' } });
    expect(res.status).toBe(400);
    expect(await eventsOf(t.tenantId)).toEqual([]);
  });
});
