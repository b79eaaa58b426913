/**
 * What the two API-client scenarios share: the seeded clients, the SQL's columns, and the
 * baseline's mapping of a row to the contract's ApiClient.
 */
import type { BenchContext } from '../scenario';

export const API = '/v1/platform/api-clients';
export const COLUMNS = 'id, tenant_id, name, description, scopes, status, secret_hash, version, created_at, updated_at, secret_rotated_at, revoked_at';

/** API clients in the tenant, its admin included (BENCH_CLIENTS). */
export const clientCount = () => Number(process.env.BENCH_CLIENTS || 200);

/** The ids of the seeded clients (the admin's not among them), made once per run through the API. */
export function apiClients(ctx: BenchContext): Promise<string[]> {
  return ctx.once('api-clients', async () => {
    const count = clientCount();
    const scopes = ['crm:read', 'crm:write', 'wms:read', 'wms:write', 'erp:read', 'erp:write'];
    const ids: string[] = [];
    const create = async (i: number) => {
      const res = await ctx.api('POST', API, {
        name: `bench client ${String(i).padStart(3, '0')}`,
        // The text of the first seeds (the list's bodies, and so the bytes sent, stay the same size).
        description: i % 3 === 0 ? null : `Integration number ${i}, seeded by scripts/bench.ts`,
        scopes: scopes.slice(0, 1 + (i % scopes.length)),
      });
      if (res.status !== 201) throw new Error(`seeding API client ${i} failed: ${res.status} ${await res.text()}`);
      ids.push(((await res.json()) as { api_client: { id: string } }).api_client.id);
    };
    for (let i = 1; i < count; i += 8) {
      await Promise.all(Array.from({ length: Math.min(8, count - i) }, (_, k) => create(i + k)));
    }
    ctx.seeded(`${count} API clients`);
    return ids;
  });
}

export interface ApiClientRow {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  scopes: string;
  status: string;
  secret_hash: string;
  version: number | string;
  created_at: Date | string;
  updated_at: Date | string;
  secret_rotated_at: Date | string | null;
  revoked_at: Date | string | null;
}

/** The response shape of the contract's ApiClient, mapped exactly like the app maps it. */
export function toJson(row: ApiClientRow) {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    name: row.name,
    description: row.description,
    scopes: JSON.parse(row.scopes) as string[],
    status: row.status,
    version: Number(row.version),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    secret_rotated_at: row.secret_rotated_at === null ? null : new Date(row.secret_rotated_at).toISOString(),
    revoked_at: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
  };
}
