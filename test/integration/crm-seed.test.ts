import type { SeedOptions } from '../../src/platform/module';
import { Harness } from '../support/harness';

let h: Harness;

beforeAll(async () => {
  h = await Harness.start();
});
afterAll(() => h.stop());

const quiet: SeedOptions['progress'] = () => ({ tick: () => undefined, done: () => undefined });

async function allAccounts(token: string): Promise<{ name: string; external_id: string; custom_fields: object }[]> {
  const out = [];
  let cursor: string | null = null;
  do {
    const res: { body: { data: { name: string; external_id: string; custom_fields: object }[]; next_cursor: string | null } } = await h.request('GET', `/v1/crm/accounts?limit=200&sort=name${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    out.push(...res.body.data);
    cursor = res.body.next_cursor;
  } while (cursor);
  return out;
}

describe('the demo seed', () => {
  it('fills a tenant with records the contract accepts, the same ones every time, and adds nothing the second time', async () => {
    const a = await h.tenant();
    const b = await h.tenant();
    const first = await h.stratum.seed(a.tenantId, { profile: 'demo', progress: quiet });
    // The CRM's part of the report (the other modules seed the tenant too: test/integration/wms-seed.test.ts).
    expect(first).toMatchObject({ custom_fields: 6, accounts: 500, contacts: 1500, activities: 3000, pipelines: 2, opportunities: 800 });
    expect(await h.stratum.seed(a.tenantId, { profile: 'demo', progress: quiet })).toEqual(Object.fromEntries(Object.keys(first).map((k) => [k, 0])));
    await h.stratum.seed(b.tenantId, { profile: 'demo', progress: quiet });

    // Read back through the API (every response checked against the contract).
    const seededA = await allAccounts(a.token);
    const seededB = await allAccounts(b.token);
    expect(seededA).toHaveLength(500);
    const byExternalId = (list: typeof seededA) => Object.fromEntries(list.map((x) => [x.external_id, [x.name, x.custom_fields]]));
    expect(byExternalId(seededB)).toEqual(byExternalId(seededA));
    // Contacts and activities read back through the API too (checked against the contract).
    const contacts = await h.request('GET', '/v1/crm/contacts?limit=200&sort=name', { token: a.token });
    expect(contacts.body.data).toHaveLength(200);
    expect(contacts.body.data.every((c: { account_id: string | null }) => c.account_id)).toBe(true);
    const tasks = await h.request('GET', '/v1/crm/activities?kind=task&completed=false&sort=due_at&limit=200', { token: a.token });
    expect(tasks.body.data.length).toBeGreaterThan(50);
    // Opportunities in every status, walked through their stages (history and summaries read back).
    const pipelines = await h.request('GET', '/v1/crm/pipelines', { token: a.token });
    expect(pipelines.body.data.map((p: { name: string }) => p.name).sort()).toEqual(['New business', 'Renewals']);
    for (const status of ['open', 'won', 'lost']) {
      expect((await h.request('GET', `/v1/crm/opportunities?status=${status}&limit=5`, { token: a.token })).body.data).toHaveLength(5);
    }
    const summary = await h.request('GET', `/v1/crm/pipelines/${pipelines.body.data[0].id}/summary`, { token: a.token });
    expect(summary.status).toBe(200);
    const won = (await h.request('GET', '/v1/crm/opportunities?status=won&limit=1', { token: a.token })).body.data[0];
    const history = await h.request('GET', `/v1/crm/opportunities/${won.id}/stage-history`, { token: a.token });
    expect(history.body.data.length).toBeGreaterThanOrEqual(2);
    expect(history.body.data[history.body.data.length - 1].status).toBe('won');
    const tiers = new Set(seededA.map((x) => (x.custom_fields as { tier?: string }).tier));
    expect([...tiers].sort()).toEqual(['bronze', 'gold', 'platinum', 'silver']);
  }, 120_000);
});
