import type { Database } from '../../../platform/db/database';
import { groupBy } from '../../../platform/group-by';

/** Seeded records of a table by external id (`seed-acc-…`): what a seed run need not make again. */
export async function seededIds(db: Database, table: 'crm_accounts' | 'crm_contacts', tenantId: string, prefix: string): Promise<Map<string, string>> {
  const rows = await db.select<{ id: string; external_id: string }>(`SELECT id, external_id FROM ${table} WHERE tenant_id = :tenantId AND external_id LIKE :pattern`, { tenantId, pattern: `${prefix}%` });
  return new Map(rows.map((r) => [r.external_id, r.id]));
}

/** The seeded contacts of each seeded account, in seed order. */
export async function seededContactsByAccount(db: Database, tenantId: string): Promise<Map<string, string[]>> {
  const rows = await db.select<{ id: string; account_id: string }>("SELECT id, account_id FROM crm_contacts WHERE tenant_id = :tenantId AND external_id LIKE 'seed-con-%' ORDER BY external_id", { tenantId });
  return groupBy(rows, (r) => r.account_id, (r) => r.id);
}

/** After a bulk load on PostgreSQL: fresh planner statistics, so lists use their indexes at once. */
export async function refreshStatistics(db: Database, table: string): Promise<void> {
  if (db.dialect === 'postgres') await db.sequelize.query(`ANALYZE ${table}`);
}
