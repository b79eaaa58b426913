/** `GET /v1/wms/items/{id}`: one item by primary key, a different one of 10,000 (every tenth of the tenant's) each request. */
import type { Scenario } from '../scenario';
import { ITEM_COLUMNS, ITEMS, benchItems, itemJson, seededRandom, type ItemRow, type WmsBench } from './items';

export const getItem: Scenario<Pick<WmsBench, 'itemIds'>> = {
  name: 'get-item',
  label: 'get item',
  async setup(ctx) {
    const { itemIds } = await benchItems(ctx);
    return { itemIds };
  },
  request: ({ itemIds }) => ({ path: `${ITEMS}/${itemIds[0]}` }),
  fresh({ itemIds }) {
    const random = seededRandom(1);
    return () => ({ path: `${ITEMS}/${itemIds[Math.floor(random() * itemIds.length)]}` });
  },
  check({ headers, body }) {
    if (headers.get('etag') !== `"${body.version}"`) throw new Error('no ETag');
    return body;
  },
  raw({ db, tenantId, send }) {
    const byId = db.statement<ItemRow>('bench_wms_item', `SELECT ${ITEM_COLUMNS} FROM wms_items WHERE tenant_id = $1 AND id = $2`);
    return {
      matches: (method, path) => method === 'GET' && path.startsWith(`${ITEMS}/`),
      async handle(_req, res, path) {
        const row = await byId.one([tenantId, decodeURIComponent(path.slice(ITEMS.length + 1))]);
        if (!row) return send(res, 404, '{"status":404}');
        const body = itemJson(row);
        send(res, 200, JSON.stringify(body), { ETag: `"${body.version}"` });
      },
    };
  },
};
