/**
 * `GET /v1/wms/items?limit=50&cursor=…`: a page of 50 items by SKU, each request from another
 * place in the list (one of its cursors, read by walking all of it once at setup; the first
 * page's request has none).
 */
import type { Scenario } from '../scenario';
import { ITEM_COLUMNS, ITEMS, PAGE, benchItems, itemJson, seededRandom, type ItemRow, type WmsBench } from './items';

export const listItems: Scenario<Pick<WmsBench, 'cursors'>> = {
  name: 'list-items',
  label: 'list items',
  async setup(ctx) {
    const { cursors } = await benchItems(ctx);
    return { cursors };
  },
  request: () => ({ path: `${ITEMS}?limit=${PAGE}` }),
  fresh({ cursors }) {
    const random = seededRandom(2);
    return () => ({ path: `${ITEMS}?limit=${PAGE}&cursor=${cursors[Math.floor(random() * cursors.length)]}` });
  },
  check({ body }) {
    if (body.data.length !== PAGE || typeof body.next_cursor !== 'string') throw new Error(`not a full page of ${PAGE} with a cursor (${body.data?.length} items)`);
    // Signed by the app, a stand-in in the baseline.
    return { ...body, next_cursor: '(cursor)' };
  },
  raw({ db, tenantId, send }) {
    const select = `SELECT ${ITEM_COLUMNS} FROM wms_items WHERE tenant_id = $1`;
    const first = db.statement<ItemRow>('bench_wms_items', `${select} ORDER BY sku_key ASC, id ASC LIMIT $2`);
    const after = db.statement<ItemRow>('bench_wms_items_after', `${select} AND (sku_key, id) > ($2, $3) ORDER BY sku_key ASC, id ASC LIMIT $4`);
    return {
      matches: (method, path) => method === 'GET' && path === ITEMS,
      async handle(_req, res, _path, query) {
        const params = new URLSearchParams(query);
        const limit = Number(params.get('limit') ?? PAGE);
        const cursor = params.get('cursor');
        // The app's cursor is `<base64url JSON {p: [sku_key, id], c}>.<HMAC>`: its position, not verified here.
        const position = cursor ? (JSON.parse(Buffer.from(cursor.split('.')[0], 'base64url').toString('utf8')) as { p: [string, string] }).p : undefined;
        const rows = position ? await after.all([tenantId, position[0], position[1], limit + 1]) : await first.all([tenantId, limit + 1]);
        const items = rows.slice(0, limit).map(itemJson);
        const last = rows[limit - 1];
        // A stand-in for the app's signed cursor: the same position, not signed.
        const next = rows.length > limit && last ? Buffer.from(JSON.stringify({ p: [last.sku_key, last.id] })).toString('base64url') : null;
        send(res, 200, JSON.stringify({ data: items, next_cursor: next }));
      },
    };
  },
};
