import { QueryTypes } from 'sequelize';
import { buildListQuery, type ListRequest } from '../../src/platform/db/list-query';
import { OPPORTUNITY_LIST } from '../../src/modules/crm/infrastructure/opportunity.repository';
import { Harness } from '../support/harness';

/**
 * On PostgreSQL, with 50,000 opportunities of one tenant (and some of another, so that
 * tenant_id is not the whole table) and the planner's own choices, each documented opportunity
 * filter and sort reads through an index, and so do the count that archiving an account makes
 * and the pipeline summary: the plans, not timings. Rows are made in SQL (generate_series): the
 * API would take minutes for as many.
 */
const onPostgres = process.env.STRATUM_TEST_DB === 'postgres';
const OPPORTUNITIES = 50_000;

let h: Harness;
let tenantId: string;
let pipelines: { id: string; stages: { id: string }[] }[];
let accounts: string[];

const STAGES = [
  { name: 'Qualification', probability: 10, kind: 'open' },
  { name: 'Proposal', probability: 50, kind: 'open' },
  { name: 'Won', probability: 100, kind: 'won' },
  { name: 'Lost', probability: 0, kind: 'lost' },
];

async function fill(tenant: { tenantId: string; token: string }, count: number, accountCount: number) {
  const api = (path: string, json: unknown) => h.request('POST', `/v1/crm${path}`, { token: tenant.token, json });
  const made = [(await api('/pipelines', { name: 'New', stages: STAGES })).body, (await api('/pipelines', { name: 'Renewals', stages: STAGES })).body];
  const accountIds: string[] = [];
  for (let i = 0; i < accountCount; i++) accountIds.push((await api('/accounts', { name: `Account ${i}` })).body.id);
  const stageIds = made.flatMap((p) => p.stages.map((s: { id: string }) => s.id));
  await h.stratum.kernel.db.sequelize.query(
    `INSERT INTO crm_opportunities (id, tenant_id, name, pipeline_id, stage_id, account_id, amount, currency, expected_close_date, owner_id, tags, custom_fields, status, version, created_at, updated_at)
     SELECT 'opp_' || :prefix || lpad(g::text, 20, '0'), :tenantId, 'Deal ' || g,
       (ARRAY[:pipelines])[1 + g % 2],
       (ARRAY[:stages])[1 + (g % 2) * 4 + (g / 2) % 4],
       (ARRAY[:accounts])[1 + g % :accountCount],
       CASE WHEN g % 7 = 0 THEN NULL ELSE (g * 37) % 1000000 END,
       CASE WHEN g % 7 = 0 THEN NULL ELSE (ARRAY['EUR', 'USD', 'JPY'])[1 + g % 3] END,
       CASE WHEN g % 5 = 0 THEN NULL ELSE DATE '2027-01-01' + (g % 365) END,
       'user-' || (g % 200),
       CASE WHEN g % 100 = 0 THEN '["vip"]'::jsonb ELSE '[]'::jsonb END,
       CASE WHEN g % 50 = 0 THEN '{"source": "web"}'::jsonb ELSE '{}'::jsonb END,
       (ARRAY['open', 'open', 'won', 'lost'])[1 + (g / 2) % 4],
       1, now() - g * interval '1 second', now() - g * interval '1 second'
     FROM generate_series(1, :count) AS g`,
    { replacements: { prefix: tenant.tenantId.slice(-6), tenantId: tenant.tenantId, pipelines: made.map((p) => p.id), stages: stageIds, accounts: accountIds, accountCount, count } },
  );
  return { made, accountIds };
}

(onPostgres ? describe : describe.skip)('opportunity lists on PostgreSQL', () => {
  beforeAll(async () => {
    h = await Harness.start();
    const main = await h.tenant();
    tenantId = main.tenantId;
    await fill(await h.tenant(), 5_000, 5);
    const filled = await fill(main, OPPORTUNITIES, 100);
    pipelines = filled.made;
    accounts = filled.accountIds;
    await h.stratum.kernel.db.sequelize.query('ANALYZE crm_opportunities');
  }, 300_000);
  afterAll(() => h?.stop());

  async function explain(sql: string, replacements: Record<string, unknown>): Promise<string[]> {
    const rows = await h.stratum.kernel.db.sequelize.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${sql}`, { replacements, type: QueryTypes.SELECT });
    return rows.map((r) => r['QUERY PLAN'].trim());
  }

  const read = (lines: string[]) => ({
    seqScan: lines.some((l) => /Seq Scan on crm_opportunities/.test(l)),
    indexes: [...new Set(lines.flatMap((l) => [...l.matchAll(/(?:Index|Index Only|Bitmap Index) Scan(?: Backward)? (?:using|on) (\w+)/g)].map((m) => m[1])))],
  });

  function expectIndexed(lines: string[], index: RegExp) {
    const { seqScan, indexes } = read(lines);
    expect({ seqScan, plan: lines }).toEqual({ seqScan: false, plan: lines });
    expect({ indexes, plan: lines }).toEqual({ indexes: expect.arrayContaining([expect.stringMatching(index)]), plan: lines });
  }

  const cases: [string, () => Partial<ListRequest>, RegExp][] = [
    ['pipeline_id', () => ({ filters: { pipeline_id: pipelines[1].id } }), /crm_opportunities_tenant_(pipeline|created)/],
    ['stage_id', () => ({ filters: { stage_id: pipelines[0].stages[1].id } }), /crm_opportunities_tenant_(stage|created)/],
    ['status', () => ({ filters: { status: 'won' } }), /crm_opportunities_tenant_(status|created)/],
    ['owner_id', () => ({ filters: { owner_id: 'user-042' } }), /crm_opportunities_tenant_owner/],
    ['account_id', () => ({ filters: { account_id: accounts[7] } }), /crm_opportunities_tenant_account/],
    ['tag', () => ({ filters: { tag: 'vip' } }), /crm_opportunities_(tags|tenant_created)/],
    ['custom field', () => ({ filters: {}, fieldFilters: [{ key: 'source', value: 'web' }] }), /crm_opportunities_(custom_fields|tenant_created)/],
    ['amount range, by amount', () => ({ filters: { amount_min: 1000, amount_max: 2000 }, sort: 'amount' }), /crm_opportunities_tenant_amount/],
    ['amount range in one currency', () => ({ filters: { amount_min: 1000, amount_max: 2000, currency: 'EUR' }, sort: 'amount' }), /crm_opportunities_tenant_(currency_amount|amount)/],
    ['expected close date range', () => ({ filters: { expected_close_date_after: '2027-03-01', expected_close_date_before: '2027-03-08' }, sort: 'expected_close_date' }), /crm_opportunities_tenant_close_date/],
    ['sort amount', () => ({ sort: 'amount' }), /crm_opportunities_tenant_amount/],
    ['sort -amount', () => ({ sort: '-amount' }), /crm_opportunities_tenant_amount/],
    ['sort amount, after a cursor among the NULLs', () => ({ sort: 'amount', after: { value: null, id: 'opp_0' } }), /crm_opportunities_tenant_amount/],
    ['sort expected_close_date', () => ({ sort: 'expected_close_date' }), /crm_opportunities_tenant_close_date/],
    ['sort -expected_close_date, after a cursor', () => ({ sort: '-expected_close_date', after: { value: '2027-06-01', id: 'opp_0' } }), /crm_opportunities_tenant_close_date/],
    ['sort created_at', () => ({ sort: 'created_at' }), /crm_opportunities_tenant_created/],
  ];

  it.each(cases)('%s reads through an index, no table scan', async (_name, request, index) => {
    const { sql, replacements } = buildListQuery(OPPORTUNITY_LIST, 'postgres', tenantId, { filters: {}, sort: '-created_at', limit: 50, ...request() });
    expectIndexed(await explain(sql, replacements), index);
  });

  it("counts an account's open opportunities (archiving it) through an index", async () => {
    const sql = "SELECT COUNT(*) AS n FROM crm_opportunities WHERE tenant_id = :tenantId AND account_id = :accountId AND status = 'open'";
    expectIndexed(await explain(sql, { tenantId, accountId: accounts[3] }), /crm_opportunities_tenant_account/);
  });

  it('reads the pipeline summary through an index', async () => {
    const res = await h.request('GET', `/v1/crm/pipelines/${pipelines[0].id}/summary`, { token: (await h.tenant()).token });
    expect(res.status).toBe(404);
    const sql = `SELECT s.id, o.currency, COUNT(o.id) AS n, SUM(o.amount / 1000000000) AS amount_high, SUM(o.amount % 1000000000) AS amount_low
      FROM crm_pipeline_stages s LEFT JOIN crm_opportunities o ON o.tenant_id = s.tenant_id AND o.stage_id = s.id
      WHERE s.tenant_id = :tenantId AND s.pipeline_id = :id GROUP BY s.id, o.currency`;
    expectIndexed(await explain(sql, { tenantId, id: pipelines[0].id }), /crm_opportunities_tenant_stage/);
  });
});
