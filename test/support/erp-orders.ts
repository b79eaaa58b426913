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

export type Json = Record<string, any>;

export const eur = (amount: number) => ({ amount, currency: 'EUR' });
export const unique = () => Math.random().toString(36).slice(2, 8).toUpperCase();
/** The JSON pointers a 400 names, sorted, once each. */
export const pointersOf = (res: { body: { errors?: { pointer: string }[] } }) => [...new Set((res.body.errors ?? []).map((e) => e.pointer))].sort();

/**
 * The requests an order test makes, as the tenant whose token `token()` gives unless another is
 * passed (the harness and the token are read when a request is made: they are set in beforeAll).
 */
export function orderRequests(harness: () => Harness, token: () => string) {
  const post = (path: string, json: unknown, as = token(), headers: Record<string, string> = {}) => harness().request('POST', `/v1${path}`, { token: as, json, headers });
  return {
    post,
    /** An action with If-Match (when given) and more headers; `via` another app on the same database. */
    act: (path: string, ifMatch: string | undefined, json?: unknown, headers: Record<string, string> = {}, as = token(), via = harness()) =>
      via.request('POST', `/v1${path}`, { token: as, json, headers: { ...(ifMatch ? { 'if-match': ifMatch } : {}), ...headers } }),
    get: (path: string, as = token()) => harness().request('GET', `/v1${path}`, { token: as }),
    patch: (path: string, json: unknown, ifMatch: string | undefined, as = token()) =>
      harness().request('PATCH', `/v1${path}`, { token: as, json, headers: { 'content-type': 'application/merge-patch+json', ...(ifMatch ? { 'if-match': ifMatch } : {}) } }),
    /** A POST that must make what it posts (201); its body. */
    async created(path: string, json: unknown, as = token()): Promise<Json> {
      const res = await post(path, json, as);
      expect(res.status).toBe(201);
      return res.body;
    },
  };
}
