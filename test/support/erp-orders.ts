import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Harness } from './harness';

/** What the HTTP tests of sales and purchase orders both read: their events and their journal entries. */

const contract = JSON.parse(readFileSync(join(__dirname, '../../generated/openapi.json'), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'contract', components: contract.components, webhooks: contract.webhooks });

/** The validator of a webhook's payload, as the contract documents it. */
export const webhookSchema = (type: string) => ajv.compile({ $ref: `contract#/webhooks/${type}/post/requestBody/content/application~1json/schema` });

/** The outbox events of `type%` for the aggregates `ids`, in order, each as a webhook delivers it. */
export async function outboxEvents(h: Harness, typePrefix: string, ids: readonly string[]) {
  const rows = await h.stratum.kernel.db.sequelize.query<{ id: string; type: string; tenant_id: string; aggregate_type: string; aggregate_id: string; occurred_at: Date | string; payload: unknown }>(
    'SELECT id, type, tenant_id, aggregate_type, aggregate_id, occurred_at, payload FROM outbox_events WHERE type LIKE :pattern AND aggregate_id IN (:ids) ORDER BY id',
    { replacements: { pattern: `${typePrefix}%`, ids }, type: 'SELECT' as never },
  );
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    tenant_id: r.tenant_id,
    aggregate: { type: r.aggregate_type, id: r.aggregate_id },
    occurred_at: new Date(r.occurred_at).toISOString(),
    data: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, any>,
  }));
}

/** The journal entries a document posted (by source), in order: each its lines as [account code, debit, credit]. */
export async function entriesOf(h: Harness, sourceType: string, sourceId: string): Promise<[string, number, number][][]> {
  const rows = await h.stratum.kernel.db.sequelize.query<{ entry_id: string; code: string; debit: string | number; credit: string | number }>(
    `SELECT l.entry_id, a.code, l.debit, l.credit FROM erp_journal_entries e JOIN erp_journal_lines l ON l.entry_id = e.id JOIN erp_ledger_accounts a ON a.id = l.ledger_account_id
     WHERE e.source_type = :sourceType AND e.source_id = :sourceId ORDER BY e.number, l.line_no`,
    { replacements: { sourceType, sourceId }, type: 'SELECT' as never },
  );
  const entries = new Map<string, [string, number, number][]>();
  for (const r of rows) entries.set(r.entry_id, [...(entries.get(r.entry_id) ?? []), [r.code, Number(r.debit), Number(r.credit)]]);
  return [...entries.values()];
}
