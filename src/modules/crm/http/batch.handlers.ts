import type { components } from '../../../../generated/api';
import { checkItems, itemProblem } from '../../../platform/http/batch';
import type { SchemaCheck, SchemaValidators } from '../../../platform/http/contract';
import type { HandlerMap } from '../../../platform/http/handler';
import { tenantOf } from '../../../platform/http/handler-kit';
import type { ProblemBody } from '../../../platform/http/problem';
import type { AccountItem, BatchItem, BatchOutcome, BatchUseCases, ContactItem } from '../application/batch';
import { fromContactBody } from './contacts.handlers';
import { fromAccountPatch } from './accounts.handlers';

type Schemas = components['schemas'];

const fromAccountItem = (b: Schemas['AccountBatchItem']): AccountItem => fromAccountPatch(b);

interface ItemResult {
  index: number;
  status: 'created' | 'updated' | 'failed';
  id: string | null;
  problem: Schemas['Problem'] | null;
}

/**
 * One batch: each item checked against its schema (a bad one fails alone), the valid ones
 * upserted, and one result per item in request order.
 */
async function runBatch<Body, Input>(
  items: readonly unknown[],
  check: SchemaCheck,
  requestId: string,
  toInput: (body: Body) => Input,
  upsert: (items: BatchItem<Input>[]) => Promise<BatchOutcome[]>,
): Promise<{ data: ItemResult[]; summary: { created: number; updated: number; failed: number } }> {
  const { valid, invalid } = checkItems<Body>(items, check, requestId);
  const outcomes = new Map((await upsert(valid.map(({ index, item }) => ({ index, input: toInput(item) })))).map((o) => [o.index, o]));
  const problem = (p: ProblemBody) => p as unknown as Schemas['Problem'];
  const data = items.map((_, index): ItemResult => {
    const refused = invalid.get(index);
    if (refused) return { index, status: 'failed', id: null, problem: problem(refused) };
    const o = outcomes.get(index)!;
    return o.status === 'failed' ? { index, status: 'failed', id: null, problem: problem(itemProblem(o.error, index, requestId)) } : { index, status: o.status, id: o.id, problem: null };
  });
  const count = (status: ItemResult['status']) => data.filter((d) => d.status === status).length;
  return { data, summary: { created: count('created'), updated: count('updated'), failed: count('failed') } };
}

export function batchHandlers(batch: BatchUseCases, schemas: SchemaValidators): HandlerMap {
  // Compiled on first use: the contract is loaded by then.
  let accountItem: SchemaCheck | undefined;
  let contactItem: SchemaCheck | undefined;
  return {
    async upsertAccounts(request) {
      const tenantId = tenantOf(request);
      accountItem ??= schemas.validatorFor('AccountBatchItem');
      const body = await runBatch(request.body.items, accountItem, request.requestId, fromAccountItem, (items) => batch.accounts(tenantId, items, request.claim));
      return { status: 200, body: body as Schemas['AccountBatchResult'] };
    },

    async upsertContacts(request) {
      const tenantId = tenantOf(request);
      contactItem ??= schemas.validatorFor('ContactBatchItem');
      const body = await runBatch<Schemas['ContactBatchItem'], ContactItem>(request.body.items, contactItem, request.requestId, fromContactBody, (items) => batch.contacts(tenantId, items, request.claim));
      return { status: 200, body: body as Schemas['ContactBatchResult'] };
    },
  };
}
