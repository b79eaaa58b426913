/** `GET /v1/platform/api-clients/{id}`: one row by primary key, always the same client. */
import type { Scenario } from '../scenario';
import { API, COLUMNS, apiClients, toJson, type ApiClientRow } from './api-clients';

export const getApiClient: Scenario<{ clientId: string }> = {
  name: 'get-api-client',
  label: 'get by id',
  async setup(ctx) {
    const ids = await apiClients(ctx);
    return { clientId: ids[Math.floor(ids.length / 2)] ?? ctx.adminClientId };
  },
  request: ({ clientId }) => ({ path: `${API}/${clientId}` }),
  check({ headers, body }) {
    if (headers.get('etag') !== `"${body.version}"`) throw new Error('no ETag');
    return body;
  },
  raw({ db, tenantId, send }) {
    const byId = db.statement<ApiClientRow>('bench_get', `SELECT ${COLUMNS} FROM api_clients WHERE tenant_id = $1 AND id = $2`);
    return {
      matches: (method, path) => method === 'GET' && path.startsWith(`${API}/`),
      async handle(_req, res, path) {
        const row = await byId.one([tenantId, decodeURIComponent(path.slice(API.length + 1))]);
        if (!row) return send(res, 404, '{"status":404}');
        const body = toJson(row);
        send(res, 200, JSON.stringify(body), { ETag: `"${body.version}"` });
      },
    };
  },
};
