/**
 * What the CRM account scenarios share: the bench tenant's accounts (made once per run by the
 * modules' bench seed, BENCH_ACCOUNTS of them, default 100,000), the SQL's columns, and one
 * baseline route that answers both list forms with the SQL the app runs.
 */
import type { BenchContext, RawContext, RawRoute } from '../scenario';
import { benchSeed } from './bench-seed';

export const ACCOUNTS = '/v1/crm/accounts';
export const PAGE = 50;
const COLUMNS =
  'id, tenant_id, name, name_key, domain, industry, website, phone, billing_address, shipping_address, owner_id, tags, external_id, custom_fields, archived_at, version, created_at, updated_at';

/** The accounts, seeded once per run, and a name word that a `q` search finds in some of them. */
export function benchAccounts(ctx: BenchContext): Promise<{ owner: string; term: string }> {
  return ctx.once('crm-accounts', async () => {
    await benchSeed(ctx);
    // The first word of the first account's name by name: a surname (faker), in a few hundred names.
    const res = await ctx.api('GET', `${ACCOUNTS}?limit=1&sort=-name`);
    const first = ((await res.json()) as { data: { name: string }[] }).data[0];
    return { owner: 'user-007', term: first.name.split(/[\s,-]+/)[0].toLowerCase() };
  });
}

interface AccountRow {
  id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  website: string | null;
  phone: string | null;
  billing_address: string | null;
  shipping_address: string | null;
  owner_id: string | null;
  tags: unknown;
  external_id: string | null;
  custom_fields: unknown;
  archived_at: Date | string | null;
  version: number | string;
  created_at: Date | string;
  updated_at: Date | string;
}

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
const iso = (v: Date | string) => (v instanceof Date ? v : new Date(v)).toISOString();

/** The contract's Account, mapped exactly as the app maps it. */
function toJson(r: AccountRow) {
  return {
    id: r.id,
    name: r.name,
    domain: r.domain,
    industry: r.industry,
    website: r.website,
    phone: r.phone,
    billing_address: r.billing_address === null ? null : json(r.billing_address),
    shipping_address: r.shipping_address === null ? null : json(r.shipping_address),
    owner_id: r.owner_id,
    tags: json(r.tags),
    external_id: r.external_id,
    custom_fields: json(r.custom_fields),
    archived_at: r.archived_at === null ? null : iso(r.archived_at),
    version: Number(r.version),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

/** One route for both list forms: `owner_id` + `sort=name`, or `q` (newest first). */
export function rawAccountList({ db, tenantId, send }: RawContext<unknown>): RawRoute {
  const live = `SELECT ${COLUMNS} FROM crm_accounts WHERE tenant_id = $1 AND archived_at IS NULL`;
  const byOwner = db.statement<AccountRow>('bench_accounts_owner', `${live} AND owner_id = $2 ORDER BY name_key ASC, id ASC LIMIT $3`);
  const search = db.statement<AccountRow>('bench_accounts_q', `${live} AND search LIKE $2 ESCAPE '\\' ORDER BY created_at DESC, id DESC LIMIT $3`);
  return {
    matches: (method, path) => method === 'GET' && path === ACCOUNTS,
    async handle(_req, res, _path, query) {
      const params = new URLSearchParams(query);
      const limit = Number(params.get('limit') ?? PAGE);
      const owner = params.get('owner_id');
      const rows = owner ? await byOwner.all([tenantId, owner, limit + 1]) : await search.all([tenantId, `%${params.get('q')}%`, limit + 1]);
      const items = rows.slice(0, limit).map(toJson);
      const last = rows[limit - 1];
      // A stand-in for the app's signed cursor: the same position, not signed.
      const next = rows.length > limit && last ? Buffer.from(JSON.stringify([owner ? (last as unknown as { name_key: string }).name_key : iso(last.created_at), last.id])).toString('base64url') : null;
      send(res, 200, JSON.stringify({ data: items, next_cursor: next }));
    },
  };
}

/** Both servers' page, the cursor blanked (signed by the app, a stand-in in the baseline). */
export function checkPage({ body }: { body: any }): unknown {
  if (body.data.length !== PAGE || typeof body.next_cursor !== 'string') throw new Error(`not a full page of ${PAGE} with a cursor (${body.data?.length} accounts)`);
  return { ...body, next_cursor: '(cursor)' };
}
