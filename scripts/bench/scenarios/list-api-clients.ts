/** `GET /v1/platform/api-clients?limit=50`: the first page (51 rows read), with a next cursor. */
import type { Scenario } from '../scenario';
import { API, COLUMNS, apiClients, clientCount, toJson, type ApiClientRow } from './api-clients';

const LIST_LIMIT = 50;

export const listApiClients: Scenario = {
  name: 'list-api-clients',
  label: 'list 50',
  async setup(ctx) {
    if (!(clientCount() > LIST_LIMIT)) throw new Error(`BENCH_CLIENTS must be more than ${LIST_LIMIT}: the list endpoint is measured on a full page with a next cursor`);
    await apiClients(ctx);
    return undefined;
  },
  request: () => ({ path: `${API}?limit=${LIST_LIMIT}` }),
  check({ body }) {
    if (body.data.length !== LIST_LIMIT || typeof body.next_cursor !== 'string') throw new Error('not a full page with a cursor');
    // Signed by the app, a plain stand-in in the baseline.
    return { ...body, next_cursor: '(cursor)' };
  },
  raw({ db, tenantId, send }) {
    const page = db.statement<ApiClientRow>('bench_list', `SELECT ${COLUMNS} FROM api_clients WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`);
    return {
      matches: (method, path) => method === 'GET' && path === API,
      async handle(_req, res, _path, query) {
        const limit = Number(new URLSearchParams(query).get('limit') ?? LIST_LIMIT);
        const rows = await page.all([tenantId, limit + 1]);
        const items = rows.slice(0, limit).map(toJson);
        const last = items[items.length - 1];
        // A stand-in for the app's signed cursor: the same position, not signed.
        const next = rows.length > limit && last ? Buffer.from(JSON.stringify([last.created_at, last.id])).toString('base64url') : null;
        send(res, 200, JSON.stringify({ data: items, next_cursor: next }));
      },
    };
  },
};
