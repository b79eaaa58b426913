import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Harness, type Admin } from '../support/harness';

let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

let keys = 0;
const key = () => `k-${Date.now()}-${keys++}`;
const post = (path: string, json: unknown, headers: Record<string, string> = {}, token = admin.token) => h.request('POST', `/v1/crm${path}`, { token, json, headers });
/** An action: If-Match and a fresh Idempotency-Key unless told otherwise. */
const act = (path: string, json: unknown, ifMatch: string | undefined, token = admin.token, idempotencyKey = key()) =>
  h.request('POST', `/v1/crm${path}`, { token, json, headers: { 'idempotency-key': idempotencyKey, ...(ifMatch ? { 'if-match': ifMatch } : {}) } });
const get = (path: string, token = admin.token) => h.request('GET', `/v1/crm${path}`, { token });
const patch = (path: string, json: unknown, ifMatch: string | undefined, token = admin.token) =>
  h.request('PATCH', `/v1/crm${path}`, { token, json, headers: { 'content-type': 'application/merge-patch+json', ...(ifMatch ? { 'if-match': ifMatch } : {}) } });
const del = (path: string, ifMatch: string | undefined, token = admin.token) => h.request('DELETE', `/v1/crm${path}`, { token, headers: ifMatch ? { 'if-match': ifMatch } : {} });
/** The fields a 400 names, each once (a field may break several keywords). */
const pointers = (body: { errors?: { pointer: string }[] }) => [...new Set((body.errors ?? []).map((e) => e.pointer))].sort();
const names = (body: { data: { name: string }[] }) => body.data.map((o) => o.name);

const STAGES = [
  { name: 'Qualification', probability: 10, kind: 'open' },
  { name: 'Proposal', probability: 50, kind: 'open' },
  { name: 'Negotiation', probability: 75, kind: 'open' },
  { name: 'Won', probability: 100, kind: 'won' },
  { name: 'Lost', probability: 0, kind: 'lost' },
];

interface Setup {
  token: string;
  tenantId: string;
  clientId: string;
  pipeline: { id: string; stages: { id: string; name: string; kind: string }[] };
  account: { id: string };
  contact: string;
}

async function setup(t: Admin = admin): Promise<Setup> {
  const pipeline = (await post('/pipelines', { name: 'Sales', stages: STAGES }, {}, t.token)).body;
  const account = (await post('/accounts', { name: `Acme ${key()}` }, {}, t.token)).body;
  const contact = (await post('/contacts', { first_name: 'Grace', account_id: account.id }, {}, t.token)).body;
  return { token: t.token, tenantId: t.tenantId, clientId: t.clientId, pipeline, account, contact: contact.id };
}

async function open(s: Setup, extra: Record<string, unknown> = {}) {
  const res = await post('/opportunities', { name: 'Deal', pipeline_id: s.pipeline.id, account_id: s.account.id, ...extra }, { 'idempotency-key': key() }, s.token);
  expect(res.status).toBe(201);
  return res.body;
}

/** Every event a change wrote, checked against the contract's webhook schema for its type. */
const document = JSON.parse(readFileSync(join(__dirname, '../../generated/openapi.json'), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'contract', components: document.components, webhooks: document.webhooks });
async function eventsOf(tenantId: string, aggregateId: string) {
  const rows = await h.stratum.kernel.db.select<{ id: string; type: string; tenant_id: string; aggregate_type: string; aggregate_id: string; occurred_at: Date | string; payload: string }>(
    'SELECT id, type, tenant_id, aggregate_type, aggregate_id, occurred_at, payload FROM outbox_events WHERE tenant_id = :tenantId AND aggregate_id = :aggregateId ORDER BY id',
    { tenantId, aggregateId },
  );
  return rows.map((r) => {
    const event = { id: r.id, type: r.type, tenant_id: r.tenant_id, aggregate: { type: r.aggregate_type, id: r.aggregate_id }, occurred_at: new Date(r.occurred_at).toISOString(), data: JSON.parse(r.payload) };
    const validate = ajv.compile({ $ref: `contract#/webhooks/${event.type}/post/requestBody/content/application~1json/schema` });
    expect({ type: event.type, errors: validate(event) ? null : validate.errors }).toEqual({ type: event.type, errors: null });
    return event;
  });
}

describe('CRM opportunities', () => {
  it('opens an opportunity in the first open stage, with its history and event', async () => {
    const s = await setup();
    const res = await post(
      '/opportunities',
      {
        name: 'Northwind — 200 seats',
        pipeline_id: s.pipeline.id,
        account_id: s.account.id,
        amount: { amount: 4500000, currency: 'EUR' },
        expected_close_date: '2027-03-31',
        owner_id: 'user-4711',
        tags: ['expansion', 'expansion'],
        primary_contact_id: s.contact,
      },
      { 'idempotency-key': 'create-1' },
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      stage_id: s.pipeline.stages[0].id,
      status: 'open',
      amount: { amount: 4500000, currency: 'EUR' },
      expected_close_date: '2027-03-31',
      tags: ['expansion'],
      custom_fields: {},
      lost_reason: null,
      closed_at: null,
      available_actions: ['move', 'win', 'lose'],
      version: 1,
    });
    expect(res.body.id).toMatch(/^opp_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(res.headers.get('location')).toBe(`/v1/crm/opportunities/${res.body.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    expect((await get(`/opportunities/${res.body.id}`)).body).toEqual(res.body);
    const replay = await post('/opportunities', { name: 'Northwind — 200 seats', pipeline_id: s.pipeline.id, account_id: s.account.id, amount: { amount: 4500000, currency: 'EUR' }, expected_close_date: '2027-03-31', owner_id: 'user-4711', tags: ['expansion', 'expansion'], primary_contact_id: s.contact }, { 'idempotency-key': 'create-1' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(res.body.id);
    const history = await get(`/opportunities/${res.body.id}/stage-history`);
    expect(history.body).toEqual({ data: [{ opportunity_id: res.body.id, from_stage_id: null, to_stage_id: s.pipeline.stages[0].id, status: 'open', changed_by: admin.clientId, changed_at: res.body.created_at }], next_cursor: null });
    expect((await eventsOf(admin.tenantId, res.body.id)).map((e) => e.type)).toEqual(['crm.opportunity.created']);
    // In a given open stage.
    expect((await open(s, { stage_id: s.pipeline.stages[2].id })).stage_id).toBe(s.pipeline.stages[2].id);
  });

  it('refuses bad input naming each field, unknown and foreign references, and writes nothing', async () => {
    const t = await h.tenant();
    const s = await setup(t);
    const base = { name: 'Deal', pipeline_id: s.pipeline.id, account_id: s.account.id };
    const bad = await post(
      '/opportunities',
      { ...base, name: 'x'.repeat(201), amount: { amount: 10.5, currency: 'EURO' }, expected_close_date: '2027-02-30', tags: ['a,b'], owner_id: 'has space', colour: 'red', status: 'won' },
      {},
      t.token,
    );
    expect(bad.status).toBe(400);
    expect(pointers(bad.body)).toEqual(['/amount/amount', '/amount/currency', '/colour', '/expected_close_date', '/name', '/owner_id', '/status', '/tags/0']);
    expect((await post('/opportunities', { ...base, amount: { amount: 100, currency: 'XXX' } }, {}, t.token)).status).toBe(400);
    expect((await post('/opportunities', { ...base, amount: { amount: -1, currency: 'EUR' } }, {}, t.token)).status).toBe(400);
    expect((await post('/opportunities', { ...base, amount: 100 }, {}, t.token)).status).toBe(400);
    expect((await post('/opportunities', { name: 'x', pipeline_id: s.pipeline.id }, {}, t.token)).status).toBe(400);
    expect((await post('/opportunities', { ...base, name: 7 }, {}, t.token)).status).toBe(400);
    const wonStage = await post('/opportunities', { ...base, stage_id: s.pipeline.stages[3].id }, {}, t.token);
    expect(wonStage.status).toBe(400);
    expect(pointers(wonStage.body)).toEqual(['/stage_id']);
    const other = await setup(await h.tenant());
    const foreignStage = await post('/opportunities', { ...base, stage_id: other.pipeline.stages[0].id }, {}, t.token);
    expect(foreignStage.status).toBe(400);
    expect(pointers(foreignStage.body)).toEqual(['/stage_id']);
    // Another tenant's pipeline, account or contact, or none at all: a 400 naming the field.
    const otherContact = (await post('/contacts', { first_name: 'Other' }, {}, other.token)).body;
    expect(otherContact.id).toMatch(/^con_/);
    for (const [field, value] of [
      ['pipeline_id', other.pipeline.id],
      ['account_id', other.account.id],
      ['account_id', 'acc_01M8A3C5E7G9J1K3M5P7R9T1V3'],
      ['primary_contact_id', otherContact.id],
      ['primary_contact_id', 'con_01M8A6C4E6G8J0K2M4P6R8T0V2'],
    ]) {
      const res = await post('/opportunities', { ...base, [field]: value }, {}, t.token);
      expect({ field, value, status: res.status, pointers: pointers(res.body) }).toEqual({ field, value, status: 400, pointers: [`/${field}`] });
    }
    const contact = (await post('/contacts', { first_name: 'Ada', last_name: 'Lovelace' }, {}, t.token)).body;
    const withContact = await post('/opportunities', { ...base, primary_contact_id: contact.id }, {}, t.token);
    expect(withContact.status).toBe(201);
    expect(withContact.body.primary_contact_id).toBe(contact.id);
    expect(pointers((await patch(`/opportunities/${withContact.body.id}`, { primary_contact_id: otherContact.id }, '"1"', t.token)).body)).toEqual(['/primary_contact_id']);
    expect((await patch(`/opportunities/${withContact.body.id}`, { primary_contact_id: null }, '"1"', t.token)).body.primary_contact_id).toBeNull();
    expect((await patch(`/opportunities/${withContact.body.id}`, { account_id: other.account.id }, '"2"', t.token)).status).toBe(400);
    const fields = await post('/opportunities', { ...base, custom_fields: { colour: 'red' } }, {}, t.token);
    expect(fields.status).toBe(400);
    expect(pointers(fields.body)).toEqual(['/custom_fields/colour']);
    // Only the one with a contact was written.
    expect((await get('/opportunities', t.token)).body.data.map((o: { id: string }) => o.id)).toEqual([withContact.body.id]);
  });

  it('refuses an archived account, and archiving an account with open opportunities says how many', async () => {
    const s = await setup();
    const o = await open(s);
    await open(s);
    const refused = await del(`/accounts/${s.account.id}`, '"1"');
    expect(refused.status).toBe(409);
    expect(refused.body.open_opportunities).toBe(2);
    const archived = (await post('/accounts', { name: 'Gone' })).body;
    expect((await del(`/accounts/${archived.id}`, '"1"')).status).toBe(204);
    const res = await post('/opportunities', { name: 'x', pipeline_id: s.pipeline.id, account_id: archived.id });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/archived/);
    expect((await patch(`/opportunities/${o.id}`, { account_id: archived.id }, '"1"')).status).toBe(409);
    // Once none is open, the account can be archived; a closed one then cannot be reopened.
    const others = (await get(`/opportunities?account_id=${s.account.id}`)).body.data;
    for (const x of others) expect((await act(`/opportunities/${x.id}/lose`, { reason: 'No budget' }, `"${x.version}"`)).status).toBe(200);
    expect((await del(`/accounts/${s.account.id}`, '"1"')).status).toBe(204);
    const reopen = await act(`/opportunities/${o.id}/reopen`, { stage_id: s.pipeline.stages[0].id }, '"2"');
    expect(reopen.status).toBe(409);
    expect(reopen.body.detail).toMatch(/archived/);
  });

  it('patches an open opportunity as a merge patch; never its stage or pipeline; If-Match required and checked', async () => {
    const s = await setup();
    const o = await open(s, { amount: { amount: 1000, currency: 'USD' }, tags: ['a'] });
    const path = `/opportunities/${o.id}`;
    expect((await patch(path, { name: 'Bigger' }, undefined)).status).toBe(428);
    expect((await patch(path, { name: 'Bigger' }, '"2"')).status).toBe(412);
    const res = await patch(path, { name: 'Bigger', amount: { amount: 2500, currency: 'USD' }, expected_close_date: '2027-01-15', owner_id: 'u9' }, '"1"');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(res.body).toMatchObject({ name: 'Bigger', amount: { amount: 2500, currency: 'USD' }, expected_close_date: '2027-01-15', owner_id: 'u9', tags: ['a'], version: 2 });
    const cleared = await patch(path, { amount: null, expected_close_date: null }, '"2"');
    expect(cleared.body).toMatchObject({ amount: null, expected_close_date: null, version: 3 });
    expect((await patch(path, { amount: null }, '"3"')).body.version).toBe(3);
    for (const field of [{ stage_id: s.pipeline.stages[1].id }, { pipeline_id: s.pipeline.id }, { status: 'won' }]) {
      const refused = await patch(path, field, '"3"');
      expect(refused.status).toBe(400);
      expect(pointers(refused.body)).toEqual([`/${Object.keys(field)[0]}`]);
    }
    expect((await patch(path, { name: '' }, '"3"')).status).toBe(400);
    expect((await patch(path, { tags: 'a' }, '"3"')).status).toBe(400);
  });

  it('moves, wins, loses and reopens, each in the stage history, with its event', async () => {
    const s = await setup();
    const [qual, proposal, negotiation, won, lost] = s.pipeline.stages;
    const o = await open(s, { amount: { amount: 999, currency: 'EUR' } });
    const path = `/opportunities/${o.id}`;
    // move
    expect((await act(`${path}/move`, { stage_id: proposal.id }, undefined)).status).toBe(428);
    expect((await act(`${path}/move`, { stage_id: proposal.id }, '"5"')).status).toBe(412);
    expect(pointers((await act(`${path}/move`, { stage_id: won.id }, '"1"')).body)).toEqual(['/stage_id']);
    expect((await act(`${path}/move`, { stage_id: 'stg_01M8A5B2C4D6E8F0G2H4J6K8M0' }, '"1"')).status).toBe(400);
    expect((await act(`${path}/move`, {}, '"1"')).status).toBe(400);
    const moved = await act(`${path}/move`, { stage_id: proposal.id }, '"1"');
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ stage_id: proposal.id, status: 'open', version: 2 });
    expect((await act(`${path}/move`, { stage_id: proposal.id }, '"2"')).body.version).toBe(2);
    // lose needs a reason
    expect(pointers((await act(`${path}/lose`, {}, '"2"')).body)).toEqual(['/reason']);
    expect(pointers((await act(`${path}/lose`, { reason: '' }, '"2"')).body)).toEqual(['/reason']);
    expect(pointers((await act(`${path}/lose`, { reason: '   ' }, '"2"')).body)).toEqual(['/reason']);
    expect(pointers((await act(`${path}/lose`, { reason: 'x'.repeat(501) }, '"2"')).body)).toEqual(['/reason']);
    const lostRes = await act(`${path}/lose`, { reason: 'Chose a competitor' }, '"2"');
    expect(lostRes.status).toBe(200);
    expect(lostRes.body).toMatchObject({ stage_id: lost.id, status: 'lost', lost_reason: 'Chose a competitor', available_actions: ['reopen'], version: 3 });
    expect(lostRes.body.closed_at).not.toBeNull();
    // closed: no patch, no move, no win, no lose
    const closedPatch = await patch(path, { name: 'x' }, '"3"');
    expect(closedPatch.status).toBe(409);
    expect(closedPatch.body.detail).toMatch(/reopen/);
    expect((await act(`${path}/move`, { stage_id: qual.id }, '"3"')).status).toBe(409);
    expect((await act(`${path}/win`, undefined, '"3"')).status).toBe(409);
    expect((await act(`${path}/lose`, { reason: 'again' }, '"3"')).status).toBe(409);
    // reopen
    expect(pointers((await act(`${path}/reopen`, { stage_id: won.id }, '"3"')).body)).toEqual(['/stage_id']);
    const reopened = await act(`${path}/reopen`, { stage_id: negotiation.id }, '"3"');
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ stage_id: negotiation.id, status: 'open', lost_reason: null, closed_at: null, available_actions: ['move', 'win', 'lose'], version: 4 });
    expect((await act(`${path}/reopen`, { stage_id: qual.id }, '"4"')).status).toBe(409);
    // win (no body)
    expect((await act(`${path}/win`, { please: true }, '"4"')).status).toBe(415);
    const wonRes = await h.request('POST', `/v1/crm${path}/win`, { token: admin.token, headers: { 'if-match': '"4"', 'idempotency-key': 'win-1' } });
    expect(wonRes.status).toBe(200);
    expect(wonRes.body).toMatchObject({ stage_id: won.id, status: 'won', available_actions: ['reopen'], version: 5 });
    // The same key replays the first answer, without acting twice.
    const replay = await h.request('POST', `/v1/crm${path}/win`, { token: admin.token, headers: { 'if-match': '"4"', 'idempotency-key': 'win-1' } });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');

    const history = (await get(`${path}/stage-history`)).body.data;
    expect(history.map((c: { from_stage_id: string | null; to_stage_id: string; status: string }) => [c.from_stage_id, c.to_stage_id, c.status])).toEqual([
      [null, qual.id, 'open'],
      [qual.id, proposal.id, 'open'],
      [proposal.id, lost.id, 'lost'],
      [lost.id, negotiation.id, 'open'],
      [negotiation.id, won.id, 'won'],
    ]);
    for (const c of history) expect(c.changed_by).toBe(admin.clientId);
    const newest = await get(`${path}/stage-history?sort=-changed_at&limit=2`);
    expect(newest.body.data.map((c: { to_stage_id: string }) => c.to_stage_id)).toEqual([won.id, negotiation.id]);
    const older = await get(`${path}/stage-history?sort=-changed_at&limit=2&cursor=${encodeURIComponent(newest.body.next_cursor)}`);
    expect(older.body.data.map((c: { to_stage_id: string }) => c.to_stage_id)).toEqual([lost.id, proposal.id]);
    expect((await get(`${path}/stage-history?status=open`)).status).toBe(400);
    const events = await eventsOf(admin.tenantId, o.id);
    expect(events.map((e) => e.type)).toEqual(['crm.opportunity.created', 'crm.opportunity.stage_changed', 'crm.opportunity.lost', 'crm.opportunity.reopened', 'crm.opportunity.won']);
    expect(events[2].data).toMatchObject({ reason: 'Chose a competitor', from_stage_id: proposal.id, to_stage_id: lost.id });
    expect(events[3].data).toMatchObject({ was: 'lost' });
  });

  it('lets exactly one of a parallel win and lose based on one version through; the other is a 412', async () => {
    const s = await setup();
    for (let round = 0; round < 5; round++) {
      const o = await open(s);
      const [win, lose] = await Promise.all([act(`/opportunities/${o.id}/win`, undefined, '"1"'), act(`/opportunities/${o.id}/lose`, { reason: 'Lost the race' }, '"1"')]);
      expect([win.status, lose.status].sort()).toEqual([200, 412]);
      const after = (await get(`/opportunities/${o.id}`)).body;
      expect(after.version).toBe(2);
      expect(after.status).toBe(win.status === 200 ? 'won' : 'lost');
      const history = (await get(`/opportunities/${o.id}/stage-history`)).body.data;
      expect(history).toHaveLength(2);
      expect((await eventsOf(admin.tenantId, o.id)).map((e) => e.type)).toEqual(['crm.opportunity.created', win.status === 200 ? 'crm.opportunity.won' : 'crm.opportunity.lost']);
    }
  });

  it('never leaves an archived account with an open opportunity when both race', async () => {
    const s = await setup();
    for (let round = 0; round < 5; round++) {
      const account = (await post('/accounts', { name: `Racing ${round}` })).body;
      const [created, archived] = await Promise.all([
        post('/opportunities', { name: 'Race', pipeline_id: s.pipeline.id, account_id: account.id }, { 'idempotency-key': key() }),
        del(`/accounts/${account.id}`, '"1"'),
      ]);
      // Either the opportunity came first (and the archive was refused), or the archive did.
      expect([[201, 409], [409, 204]]).toContainEqual([created.status, archived.status]);
      const openOnes = (await get(`/opportunities?account_id=${account.id}&status=open`)).body.data;
      const now = (await get(`/accounts/${account.id}`)).body;
      expect(now.archived_at !== null && openOnes.length > 0).toBe(false);
    }
  });

  it('deletes a stage that holds opportunities only with move_to, moving them with history; a pipeline with opportunities stays', async () => {
    const s = await setup();
    const [qual, proposal] = s.pipeline.stages;
    const a = await open(s);
    const b = await open(s);
    const p = `/pipelines/${s.pipeline.id}`;
    const refused = await del(`${p}/stages/${qual.id}`, '"1"');
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/holds 2 opportunities/);
    const deleted = await del(`${p}/stages/${qual.id}?move_to=${proposal.id}`, '"1"');
    expect(deleted.status).toBe(200);
    expect(deleted.body.stages.map((st: { id: string }) => st.id)).not.toContain(qual.id);
    for (const o of [a, b]) {
      const now = (await get(`/opportunities/${o.id}`)).body;
      expect(now).toMatchObject({ stage_id: proposal.id, version: 2 });
      const history = (await get(`/opportunities/${o.id}/stage-history`)).body.data;
      expect(history.at(-1)).toMatchObject({ from_stage_id: qual.id, to_stage_id: proposal.id, changed_by: admin.clientId });
      expect((await eventsOf(admin.tenantId, o.id)).map((e) => e.type)).toEqual(['crm.opportunity.created', 'crm.opportunity.stage_changed']);
    }
    const pipelineRefused = await del(p, '"2"');
    expect(pipelineRefused.status).toBe(409);
    expect(pipelineRefused.body.detail).toMatch(/holds 2 opportunities/);
  });

  it('lists with every filter, and sorts by amount, expected close date (nullable) and creation, paging through', async () => {
    const t = await h.tenant();
    const s = await setup(t);
    const other = (await post('/pipelines', { name: 'Renewals', stages: STAGES }, {}, t.token)).body;
    const account2 = (await post('/accounts', { name: 'Beta' }, {}, t.token)).body;
    await post('/custom-fields', { object: 'opportunity', key: 'source', label: 'Source', type: 'enum', options: ['web', 'event'] }, {}, t.token);
    const make = (name: string, extra: Record<string, unknown>) => open(s, { name, ...extra });
    const o1 = await make('one', { amount: { amount: 5000, currency: 'EUR' }, expected_close_date: '2027-01-10', owner_id: 'u1', tags: ['vip'], custom_fields: { source: 'web' } });
    const o2 = await make('two', { amount: { amount: 700, currency: 'USD' }, expected_close_date: '2027-02-01', owner_id: 'u2' });
    const o3 = await make('three', { owner_id: 'u1', tags: ['vip'] });
    const o4 = await make('four', { amount: { amount: 5000, currency: 'USD' }, pipeline_id: other.id, account_id: account2.id, custom_fields: { source: 'event' } });
    const o5 = await make('five', { amount: { amount: 120000, currency: 'JPY' }, expected_close_date: '2027-01-31' });
    await act(`/opportunities/${o2.id}/win`, undefined, '"1"', t.token);
    await act(`/opportunities/${o5.id}/move`, { stage_id: s.pipeline.stages[1].id }, '"1"', t.token);
    const q = async (query: string) => {
      const res = await get(`/opportunities?${query}`, t.token);
      expect(res.status).toBe(200);
      return names(res.body);
    };
    expect(await q('')).toEqual(['five', 'four', 'three', 'two', 'one']);
    expect(await q('sort=created_at')).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(await q(`pipeline_id=${other.id}`)).toEqual(['four']);
    expect(await q(`stage_id=${s.pipeline.stages[1].id}`)).toEqual(['five']);
    expect(await q('status=won')).toEqual(['two']);
    expect(await q('status=open&sort=created_at')).toEqual(['one', 'three', 'four', 'five']);
    expect(await q('owner_id=u1')).toEqual(['three', 'one']);
    expect(await q(`account_id=${account2.id}`)).toEqual(['four']);
    expect(await q('tag=vip')).toEqual(['three', 'one']);
    expect(await q('amount_min=700&amount_max=5000&sort=amount')).toEqual(['two', 'one', 'four']);
    expect(await q('amount_min=5000&currency=USD')).toEqual(['four']);
    expect(await q('currency=JPY')).toEqual(['five']);
    expect(await q('expected_close_date_after=2027-01-10&expected_close_date_before=2027-02-01&sort=expected_close_date')).toEqual(['one', 'five']);
    expect(await q('custom_fields.source=event')).toEqual(['four']);
    // Nullable sorts: no amount (or date) after every value ascending, first descending; ties by id.
    expect(await q('sort=amount')).toEqual(['two', 'one', 'four', 'five', 'three']);
    expect(await q('sort=-amount')).toEqual(['three', 'five', 'four', 'one', 'two']);
    expect(await q('sort=expected_close_date')).toEqual(['one', 'five', 'two', 'three', 'four']);
    expect(await q('sort=-expected_close_date')).toEqual(['four', 'three', 'two', 'five', 'one']);
    for (const sort of ['amount', '-amount', 'expected_close_date', '-expected_close_date', 'created_at', '-created_at']) {
      const all = await q(`sort=${sort}`);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { data: { name: string }[]; next_cursor: string | null } } = await get(`/opportunities?sort=${sort}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, t.token);
        seen.push(...names(res.body));
        cursor = res.body.next_cursor;
      } while (cursor);
      expect({ sort, seen }).toEqual({ sort, seen: all });
    }
    for (const bad of ['status=closed', 'amount_min=-1', 'amount_min=ten', 'currency=EURO', 'expected_close_date_after=2027-13-01', 'sort=name', 'colour=red', 'custom_fields.colour=red', 'custom_fields.source=phone']) {
      expect({ bad, status: (await get(`/opportunities?${bad}`, t.token)).status }).toEqual({ bad, status: 400 });
    }
    // A cursor of one sort is refused by another.
    const page = await get('/opportunities?sort=amount&limit=1', t.token);
    expect((await get(`/opportunities?sort=-amount&limit=1&cursor=${encodeURIComponent(page.body.next_cursor)}`, t.token)).status).toBe(400);
    // Deleting the custom field definition clears its values from opportunities.
    const defs = (await get('/custom-fields?object=opportunity', t.token)).body.data;
    expect((await del(`/custom-fields/${defs[0].id}`, '"1"', t.token)).status).toBe(204);
    const after = (await get(`/opportunities/${o1.id}`, t.token)).body;
    expect(after.custom_fields).toEqual({});
    expect(after.version).toBe(2);
    void o3;
    void o4;
  });

  it('summarises a pipeline per stage: counts, amounts per currency, weighted exactly and rounded half to even', async () => {
    const t = await h.tenant();
    const s = await setup(t);
    const [qual, proposal, negotiation, won, lost] = s.pipeline.stages;
    const make = async (amount: { amount: number; currency: string } | null, stage = qual.id) => open(s, { amount, stage_id: stage });
    // Qualification (10 %): EUR 5 + 10 → 15 × 0.1 = 1.5 → 2 (half to even); USD 25 × 0.1 = 2.5 → 2; one without amount.
    await make({ amount: 5, currency: 'EUR' });
    await make({ amount: 10, currency: 'EUR' });
    await make({ amount: 25, currency: 'USD' });
    await make(null);
    // Proposal (50 %): the largest amounts, beyond what a double holds exactly once summed.
    await make({ amount: 999999999999999, currency: 'EUR' }, proposal.id);
    await make({ amount: 999999999999999, currency: 'EUR' }, proposal.id);
    await make({ amount: 999999999999999, currency: 'EUR' }, proposal.id);
    await make({ amount: 1, currency: 'JPY' }, proposal.id);
    // Won and lost.
    const w = await make({ amount: 4500000, currency: 'EUR' });
    await act(`/opportunities/${w.id}/win`, undefined, '"1"', t.token);
    const l = await make({ amount: 80000, currency: 'EUR' });
    await act(`/opportunities/${l.id}/lose`, { reason: 'Budget' }, '"1"', t.token);
    // Another tenant's opportunities in a like pipeline do not count.
    const o = await setup(await h.tenant());
    await open(o, { amount: { amount: 1000, currency: 'EUR' } });

    const res = await get(`/pipelines/${s.pipeline.id}/summary`, t.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      pipeline_id: s.pipeline.id,
      stages: [
        {
          stage_id: qual.id,
          name: 'Qualification',
          kind: 'open',
          probability: 10,
          count: 4,
          amounts: [
            { amount: 15, currency: 'EUR' },
            { amount: 25, currency: 'USD' },
          ],
          weighted_amounts: [
            { amount: 2, currency: 'EUR' },
            { amount: 2, currency: 'USD' },
          ],
        },
        {
          stage_id: proposal.id,
          name: 'Proposal',
          kind: 'open',
          probability: 50,
          count: 4,
          amounts: [
            { amount: 2999999999999997, currency: 'EUR' },
            { amount: 1, currency: 'JPY' },
          ],
          // 2999999999999997 / 2 = 1499999999999998.5 → …998 (even); 0.5 → 0.
          weighted_amounts: [
            { amount: 1499999999999998, currency: 'EUR' },
            { amount: 0, currency: 'JPY' },
          ],
        },
        { stage_id: negotiation.id, name: 'Negotiation', kind: 'open', probability: 75, count: 0, amounts: [], weighted_amounts: [] },
        { stage_id: won.id, name: 'Won', kind: 'won', probability: 100, count: 1, amounts: [{ amount: 4500000, currency: 'EUR' }], weighted_amounts: [{ amount: 4500000, currency: 'EUR' }] },
        { stage_id: lost.id, name: 'Lost', kind: 'lost', probability: 0, count: 1, amounts: [{ amount: 80000, currency: 'EUR' }], weighted_amounts: [{ amount: 0, currency: 'EUR' }] },
      ],
    });
    expect((await get('/pipelines/pip_01M8A5A0B2C4D6E8F0G2H4J6K8/summary', t.token)).status).toBe(404);
  });

  it('takes activities, which must name an opportunity of the tenant', async () => {
    const s = await setup();
    const o = await open(s);
    const note = await post('/activities', { kind: 'note', subject: 'Call notes', opportunity_id: o.id });
    expect(note.status).toBe(201);
    expect(note.body.opportunity_id).toBe(o.id);
    const other = await setup(await h.tenant());
    const foreign = await open(other);
    for (const id of [foreign.id, 'opp_01M8A6C4E6G8J0K2M4P6R8T0V2']) {
      const res = await post('/activities', { kind: 'note', subject: 'x', opportunity_id: id });
      expect({ id, status: res.status, pointers: pointers(res.body) }).toEqual({ id, status: 400, pointers: ['/opportunity_id'] });
    }
  });

  it("answers 404 for another tenant's opportunity and for unknown ids, and needs the CRM scopes", async () => {
    const s = await setup();
    const o = await open(s);
    const other = await h.tenant();
    const path = `/opportunities/${o.id}`;
    expect((await get(path, other.token)).status).toBe(404);
    expect((await get(`${path}/stage-history`, other.token)).status).toBe(404);
    expect((await patch(path, { name: 'x' }, '"1"', other.token)).status).toBe(404);
    expect((await act(`${path}/win`, undefined, '"1"', other.token)).status).toBe(404);
    expect((await act(`${path}/move`, { stage_id: s.pipeline.stages[1].id }, '"1"', other.token)).status).toBe(404);
    expect((await get('/opportunities/opp_01M8A6C4E6G8J0K2M4P6R8T0V2')).status).toBe(404);
    expect((await get('/opportunities/acc_01M8A6C4E6G8J0K2M4P6R8T0V2')).status).toBe(400);
    expect((await get(path)).body.version).toBe(1);
    const readOnly = await h.token(admin.clientId, admin.secret, 'crm:read');
    expect((await get(path, readOnly)).status).toBe(200);
    expect((await act(`${path}/win`, undefined, '"1"', readOnly)).status).toBe(403);
    expect((await del(path, '"1"')).status).toBe(405);
  });
});
