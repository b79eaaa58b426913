import createClient from 'openapi-fetch';
import type { paths } from '../../generated/api';
import { Harness, type Admin } from '../support/harness';

/**
 * The CRM end to end through a typed client, as an SDK user drives it: openapi-fetch over the
 * generated types, no hand-written request or response types. A type error here is a contract
 * an SDK user could not use.
 */
let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

describe('the CRM through a typed client', () => {
  it('defines a field, creates an account and a contact, logs a call, lists, pages and patches', async () => {
    const api = createClient<paths>({
      baseUrl: `${h.baseUrl}/v1`,
      headers: { authorization: `Bearer ${admin.token}` },
      // The contract's object parameters are `style: form, explode: true` (custom_fields.tier=gold);
      // openapi-fetch's default for objects is deepObject.
      querySerializer: { object: { style: 'form', explode: true } },
    });

    const field = await api.POST('/crm/custom-fields', { body: { object: 'account', key: 'tier', label: 'Tier', type: 'enum', options: ['silver', 'gold'] } });
    expect(field.response.status).toBe(201);
    expect(field.data?.key).toBe('tier');

    const account = await api.POST('/crm/accounts', {
      params: { header: { 'Idempotency-Key': 'flow-account-1' } },
      body: { name: 'Typed Traders', domain: 'typed.example', billing_address: { line1: 'Main St 1', country: 'DE' }, custom_fields: { tier: 'gold' } },
    });
    expect(account.response.status).toBe(201);
    const accountId = account.data!.id;
    expect(account.response.headers.get('etag')).toBe('"1"');

    const contact = await api.POST('/crm/contacts', { body: { first_name: 'Grace', last_name: 'Hopper', email: 'grace@typed.example', account_id: accountId } });
    expect(contact.response.status).toBe(201);

    const call = await api.POST('/crm/activities', { body: { kind: 'call', subject: 'Intro', duration_minutes: 15, contact_id: contact.data!.id } });
    expect(call.data?.occurred_at).toEqual(expect.any(String));

    // A refusal is typed too: the problem body.
    const duplicate = await api.POST('/crm/contacts', { body: { first_name: 'Copy', email: 'GRACE@typed.example' } });
    expect(duplicate.response.status).toBe(409);
    expect(duplicate.error?.existing_contact_id).toBe(contact.data!.id);

    const golds = await api.GET('/crm/accounts', { params: { query: { custom_fields: { 'custom_fields.tier': 'gold' }, sort: 'name', limit: 10 } } });
    expect(golds.data?.data.map((a) => a.id)).toEqual([accountId]);

    const patched = await api.PATCH('/crm/accounts/{account_id}', {
      params: { path: { account_id: accountId }, header: { 'If-Match': account.response.headers.get('etag')! } },
      body: { owner_id: 'user-1', custom_fields: { tier: null } },
    });
    expect(patched.data).toMatchObject({ owner_id: 'user-1', custom_fields: {}, version: 2 });

    const stale = await api.PATCH('/crm/accounts/{account_id}', { params: { path: { account_id: accountId }, header: { 'If-Match': '"1"' } }, body: { name: 'x' } });
    expect(stale.response.status).toBe(412);
    expect(stale.error?.type).toBe('/problems/precondition-failed');

    // A pipeline, an opportunity, its actions and the account's timeline.
    const pipeline = await api.POST('/crm/pipelines', {
      body: {
        name: 'Typed sales',
        stages: [
          { name: 'Lead', probability: 10, kind: 'open' },
          { name: 'Proposal', probability: 50, kind: 'open' },
          { name: 'Won', probability: 100, kind: 'won' },
          { name: 'Lost', probability: 0, kind: 'lost' },
        ],
      },
    });
    expect(pipeline.response.status).toBe(201);
    const opp = await api.POST('/crm/opportunities', {
      params: { header: { 'Idempotency-Key': 'flow-opp-1' } },
      body: { name: 'Typed deal', pipeline_id: pipeline.data!.id, account_id: accountId, amount: { amount: 1_250_000, currency: 'EUR' } },
    });
    expect(opp.data).toMatchObject({ status: 'open', available_actions: expect.arrayContaining(['move', 'win', 'lose']) });
    const moved = await api.POST('/crm/opportunities/{opportunity_id}/move', {
      params: { path: { opportunity_id: opp.data!.id }, header: { 'If-Match': '"1"', 'Idempotency-Key': 'flow-move-1' } },
      body: { stage_id: pipeline.data!.stages[1].id },
    });
    expect(moved.data?.stage_id).toBe(pipeline.data!.stages[1].id);
    const lost = await api.POST('/crm/opportunities/{opportunity_id}/lose', {
      params: { path: { opportunity_id: opp.data!.id }, header: { 'If-Match': '"2"', 'Idempotency-Key': 'flow-lose-1' } },
      body: { reason: 'Chose a competitor' },
    });
    expect(lost.data).toMatchObject({ status: 'lost', lost_reason: 'Chose a competitor', available_actions: ['reopen'] });
    const timeline = await api.GET('/crm/accounts/{account_id}/timeline', { params: { path: { account_id: accountId }, query: { limit: 10 } } });
    expect(timeline.data?.data.map((e) => (e.type === 'stage_change' ? e.stage_change?.status : e.activity?.subject))).toEqual(['lost', 'open', 'open', 'Intro']);

    // Paging to the end with the cursor.
    for (let i = 0; i < 4; i++) await api.POST('/crm/accounts', { body: { name: `Page ${i}` } });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.GET('/crm/accounts', { params: { query: { limit: 2, sort: 'name', ...(cursor ? { cursor } : {}) } } });
      seen.push(...page.data!.data.map((a) => a.name));
      cursor = page.data!.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['Page 0', 'Page 1', 'Page 2', 'Page 3', 'Typed Traders']);
  });
});
