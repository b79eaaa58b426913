/**
 * `POST /v1/wms/items`: a new item with every field set, a new SKU each request (the tenant's
 * items grow by the thousands during the run; they sort after the seeded ones). The app checks
 * the body and the GTIN, then inserts the item in a transaction of its own (BEGIN, INSERT,
 * COMMIT), as the baseline does.
 */
import { monotonicFactory } from 'ulid';
import type { Scenario } from '../scenario';
import { ITEMS, benchItems, boolParam, itemJson, parseQuantity, readBody, timeParam } from './items';

/** SKUs unique across the run's servers, rounds and runs on one database. */
const RUN = `${Date.now().toString(36)}${process.pid.toString(36)}`.toUpperCase();
let made = 0;
const nextSku = () => `BENCH-NEW-${RUN}-${++made}`;

const ITEM = {
  name: 'Gear housing, cast aluminium',
  description: 'Housing for the 24 V gear motor, machined bores, powder-coated RAL 7035.',
  category: 'component',
  unit: 'ea',
  weight_grams: 1250,
  length_mm: 220,
  width_mm: 140,
  height_mm: 90,
  barcode: '4006381333931',
  supplier_email: 'orders@bench-castings.example',
  reorder_point: '25',
  tracking: 'none',
};

interface Body {
  sku: string;
  name: string;
  description?: string | null;
  category: string;
  unit?: string;
  weight_grams?: number | null;
  length_mm?: number | null;
  width_mm?: number | null;
  height_mm?: number | null;
  barcode?: string | null;
  supplier_email?: string | null;
  reorder_point?: string;
  tracking?: string;
  is_active?: boolean;
}

export const createItem: Scenario = {
  name: 'create-item',
  label: 'create item',
  async setup(ctx) {
    // The tenant's items as every WMS scenario sees them (the seed, once per run).
    await benchItems(ctx);
    return undefined;
  },
  request: () => ({ path: ITEMS, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: nextSku(), ...ITEM }), status: 201 }),
  fresh: () => () => ({ body: JSON.stringify({ sku: nextSku(), ...ITEM }) }),
  check({ headers, body }) {
    if (headers.get('location') !== `${ITEMS}/${body.id}` || headers.get('etag') !== '"1"') throw new Error('no Location or ETag');
    if (!body.sku.startsWith('BENCH-NEW-')) throw new Error(`not the sku sent: ${body.sku}`);
    // New each time: the id, the SKU sent, the time.
    return { ...body, id: '(id)', sku: '(sku)', created_at: '(time)', updated_at: '(time)' };
  },
  raw({ db, tenantId, send }) {
    const ulid = monotonicFactory();
    const insert = db.statement(
      'bench_wms_item_insert',
      `INSERT INTO wms_items (id, tenant_id, sku, sku_key, name, name_key, description, category, unit, weight_grams, length_mm, width_mm, height_mm, barcode, supplier_email, reorder_point, tracking, is_active, search, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
    );
    return {
      matches: (method, path) => method === 'POST' && path === ITEMS,
      async handle(req, res) {
        const b = JSON.parse(await readBody(req)) as Body;
        const now = new Date();
        // The folded keys as the app stores them (skuKey(), searchText(): NFC, lower case).
        const skuKey = b.sku.normalize('NFC').toLowerCase();
        const nameKey = b.name.normalize('NFC').toLowerCase();
        const row = {
          id: `itm_${ulid()}`,
          sku: b.sku,
          sku_key: skuKey,
          name: b.name,
          description: b.description ?? null,
          category: b.category,
          unit: b.unit ?? 'ea',
          weight_grams: b.weight_grams ?? null,
          length_mm: b.length_mm ?? null,
          width_mm: b.width_mm ?? null,
          height_mm: b.height_mm ?? null,
          barcode: b.barcode ?? null,
          supplier_email: b.supplier_email ?? null,
          reorder_point: parseQuantity(b.reorder_point ?? '0'),
          tracking: b.tracking ?? 'none',
          is_active: b.is_active ?? true,
          version: 1,
          created_at: now,
          updated_at: now,
        };
        const t = timeParam(db, now);
        await db.transaction((tx) =>
          insert.all(
            [
              row.id, tenantId, row.sku, skuKey, row.name, nameKey, row.description, row.category, row.unit, row.weight_grams, row.length_mm, row.width_mm, row.height_mm,
              row.barcode, row.supplier_email, row.reorder_point, row.tracking, boolParam(db, row.is_active), `${skuKey}\n${nameKey}`, row.version, t, t,
            ],
            tx,
          ),
        );
        send(res, 201, JSON.stringify(itemJson(row)), { Location: `${ITEMS}/${row.id}`, ETag: '"1"' });
      },
    };
  },
};
