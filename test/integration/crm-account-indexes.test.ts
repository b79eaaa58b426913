import { QueryTypes } from 'sequelize';
import { buildListQuery, type ListRequest } from '../../src/platform/db/list-query';
import { ACCOUNT_LIST } from '../../src/modules/crm/infrastructure/account.repository';
import { Harness } from '../support/harness';

/**
 * On PostgreSQL, with the bench tenant's 100,000 accounts (the CRM's bench seed) and the
 * planner's own choices, each documented account filter and sort reads through an index: the
 * plans, not timings. (SQLite has no trigram or GIN indexes: its `q`, `tag` and custom-field
 * filters read the tenant's rows; see the migration.)
 */
const onPostgres = process.env.STRATUM_TEST_DB === 'postgres';
const ACCOUNTS = 100_000;

let h: Harness;
let tenantId: string;

(onPostgres ? describe : describe.skip)('account lists on PostgreSQL', () => {
  beforeAll(async () => {
    h = await Harness.start();
    tenantId = (await h.tenant('bench')).tenantId;
    // A second tenant, so that tenant_id is not the whole table.
    const other = (await h.tenant()).tenantId;
    const quiet = () => ({ tick: () => undefined, done: () => undefined });
    // No WMS items: only the accounts matter here.
    await h.stratum.seed(other, { profile: 'bench', accounts: 5_000, items: 0, progress: quiet });
    await h.stratum.seed(tenantId, { profile: 'bench', accounts: ACCOUNTS, items: 0, progress: quiet });
  }, 300_000);
  afterAll(() => h?.stop());

  async function plan(request: Partial<ListRequest>): Promise<string[]> {
    const { sql, replacements } = buildListQuery(ACCOUNT_LIST, 'postgres', tenantId, { filters: { archived: false }, sort: '-created_at', limit: 50, ...request });
    const rows = await h.stratum.kernel.db.sequelize.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${sql}`, { replacements, type: QueryTypes.SELECT });
    return rows.map((r) => r['QUERY PLAN'].trim());
  }

  const read = (lines: string[]) => ({
    seqScan: lines.some((l) => /Seq Scan on crm_accounts/.test(l)),
    indexes: [...new Set(lines.flatMap((l) => [...l.matchAll(/(?:Index|Index Only|Bitmap Index) Scan(?: Backward)? (?:using|on) (\w+)/g)].map((m) => m[1])))],
  });

  const cases: [string, Partial<ListRequest>, RegExp][] = [
    ['owner_id, by name', { filters: { archived: false, owner_id: 'user-007' }, sort: 'name' }, /crm_accounts_tenant_owner_name/],
    ['owner_id, newest first', { filters: { archived: false, owner_id: 'user-007' } }, /crm_accounts_tenant_(owner_name|created)/],
    ['industry', { filters: { archived: false, industry: 'Energy' }, sort: '-name' }, /crm_accounts_tenant_industry_name/],
    ['external_id', { filters: { archived: false, external_id: 'seed-acc-0004242' } }, /crm_accounts_tenant_external_id/],
    ['tag', { filters: { archived: false, tag: 'public-sector' } }, /crm_accounts_(tags|tenant_created)/],
    ['q (a rare word)', { filters: { archived: false, q: 'zzyzx-not-there' } }, /crm_accounts_search/],
    ['custom field', { filters: { archived: false }, fieldFilters: [{ key: 'tier', value: 'gold' }] }, /crm_accounts_(custom_fields|tenant_created)/],
    ['archived=true', { filters: { archived: true } }, /crm_accounts_tenant_archived/],
    ['created range', { filters: { archived: false, created_after: new Date('2026-01-01T00:00:00Z'), created_before: new Date('2026-02-01T00:00:00Z') } }, /crm_accounts_tenant_created/],
    ['updated range', { filters: { archived: false, updated_after: new Date('2026-01-01T00:00:00Z') }, sort: 'updated_at' }, /crm_accounts_tenant_updated/],
    ['sort name', { sort: 'name' }, /crm_accounts_tenant_name/],
    ['sort -name', { sort: '-name' }, /crm_accounts_tenant_name/],
    ['sort created_at', { sort: 'created_at' }, /crm_accounts_tenant_created/],
    ['sort -updated_at', { sort: '-updated_at' }, /crm_accounts_tenant_updated/],
    ['sort name, after a cursor', { sort: 'name', after: { value: 'm', id: 'acc_0' } }, /crm_accounts_tenant_name/],
  ];

  it.each(cases)('%s reads through an index, no table scan', async (_name, request, index) => {
    const lines = await plan(request);
    const { seqScan, indexes } = read(lines);
    expect({ seqScan, plan: lines }).toEqual({ seqScan: false, plan: lines });
    expect(indexes.some((i) => index.test(i))).toBe(true);
  });
});
