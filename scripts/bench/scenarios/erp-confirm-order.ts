/**
 * `POST /v1/erp/sales-orders/{id}/confirm` with `If-Match: "1"`: a draft of 3 lines (1 unit
 * each of three random stocked bench items, at the bench location BENCH-A) confirmed, every
 * line reserved through the WMS in the order's one unit of work. Every request confirms another
 * draft: the setup makes BENCH_ERP_DRAFTS of them (default 30,000) — the first through the API,
 * the others as copies of its shape in SQL (BenchContext.sql: the API would take minutes), each
 * on three other items, the items of a draft in id order (the order the confirm locks them in,
 * as the app's would) — and the requests take them in turn, both servers from the one list.
 * A run that confirms more than there are answers 409 and is reported invalid: raise it.
 *
 * The app (src/modules/erp/application/sales-orders.ts, the WMS's reserve, the order
 * repository's save) runs, in one transaction: the order read FOR UPDATE and its lines; the
 * lines' items in one read; their item-stock rows made if missing (one INSERT) and read FOR
 * UPDATE in item order (one SELECT); the lines' location (FOR SHARE, one read); per line the
 * balance's guarded UPDATE and the reservation's INSERT; per item the item-stock UPDATE; the order's UPDATE guarded by its version, its lines deleted and inserted
 * again in one INSERT (now with their reservation ids), and the four events (three `wms.stock.reserved`, one
 * `erp.sales_order.confirmed`) in one outbox INSERT. The baseline runs the same statements in
 * the same order between BEGIN and COMMIT (SQLite: without the locking clauses, as the app) and
 * answers the same order JSON. Its outbox rows are never due (NEVER_DUE, see transfer.ts).
 */
import { monotonicFactory } from 'ulid';
import type { Scenario } from '../scenario';
import { divideHalfEven, iso, made, money, Refused } from './erp-baseline';
import { BALANCE_CHANGE, benchItems, boolParam, formatQuantity, NEVER_DUE, seededRandom, timeParam } from './items';

const ORDERS = '/v1/erp/sales-orders';
const PRICES = [1000, 2490, 3999];
const draftCount = () => Number(process.env.BENCH_ERP_DRAFTS || 30_000);

interface Data {
  drafts: string[];
}

/** The next draft to confirm, over every server, round and preflight of the run (fresh() runs in the parent only). */
let next = 0;
const path = (data: Data) => `${ORDERS}/${data.drafts[next++ % data.drafts.length]}/confirm`;

interface OrderRow {
  id: string;
  tenant_id: string;
  number: string;
  customer_id: string;
  status: string;
  order_date: string | Date;
  currency: string;
  version: number | string;
  created_at: Date | string;
  updated_at: Date | string;
}

interface LineRow {
  id: string;
  sales_order_id: string;
  position: number | string;
  item_id: string;
  quantity: number | string;
  unit_price: number | string;
  tax_rate_id: string;
  tax_rate: number | string;
  tax_inclusive: boolean | number;
  location_id: string | null;
  warehouse_id: string | null;
  quantity_delivered: number | string;
  quantity_invoiced: number | string;
  reservation_ids: string | null;
}

/** A date column as YYYY-MM-DD, from either driver (pg gives a local-midnight Date). */
function day(v: string | Date): string {
  if (!(v instanceof Date)) return String(v).slice(0, 10);
  return `${String(v.getFullYear()).padStart(4, '0')}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`;
}


/** The contract's SalesOrder, as the app maps a confirmed order (exclusive tax only: the bench's rate). */
function orderJson(o: OrderRow, lines: LineRow[], updatedAt: Date) {
  const currency = o.currency.trim();
  let net = 0n;
  let tax = 0n;
  const docLines = lines.map((l) => {
    if (l.tax_inclusive === true || l.tax_inclusive === 1) throw new Error('the bench baseline computes exclusive tax only');
    const lineNet = divideHalfEven(BigInt(l.quantity) * BigInt(l.unit_price), 1000n);
    const lineTax = divideHalfEven(lineNet * BigInt(l.tax_rate), 100_000n);
    net += lineNet;
    tax += lineTax;
    return {
      id: l.id,
      item_id: l.item_id,
      quantity: formatQuantity(Number(l.quantity)),
      unit_price: money(Number(l.unit_price), currency),
      tax_rate_id: l.tax_rate_id,
      location_id: l.location_id,
      warehouse_id: l.warehouse_id,
      quantity_delivered: formatQuantity(Number(l.quantity_delivered)),
      quantity_invoiced: formatQuantity(Number(l.quantity_invoiced)),
      net: money(lineNet, currency),
      tax: money(lineTax, currency),
      total: money(lineNet + lineTax, currency),
    };
  });
  return {
    id: o.id,
    number: o.number,
    customer_id: o.customer_id,
    status: 'confirmed',
    order_date: day(o.order_date),
    currency,
    lines: docLines,
    net_total: money(net, currency),
    tax_total: money(tax, currency),
    total: money(net + tax, currency),
    available_actions: ['deliver', 'cancel'],
    version: Number(o.version) + 1,
    created_at: iso(o.created_at),
    updated_at: updatedAt.toISOString(),
  };
}

export const erpConfirmOrder: Scenario<Data> = {
  name: 'erp-confirm-order',
  label: 'confirm sales order',
  async setup(ctx) {
    const { stockedIds, locations } = await benchItems(ctx);
    const location = locations[0];
    const warehouseId = ((await (await ctx.api('GET', `/v1/wms/locations/${location}`)).json()) as { warehouse_id: string }).warehouse_id;
    const rate = await made(await ctx.api('POST', '/v1/erp/tax-rates', { name: 'Bench VAT', rate: '19' }), 'tax rate');
    const account = await made(await ctx.api('POST', '/v1/crm/accounts', { name: 'Bench customer' }), 'CRM account');
    const customer = await made(await ctx.api('POST', '/v1/erp/customers', { account_id: account.id, tax_rate_id: rate.id }), 'customer');
    const random = seededRandom(12);
    const pick = () => {
      const ids = new Set<string>();
      while (ids.size < 3) ids.add(stockedIds[Math.floor(random() * stockedIds.length)]);
      return [...ids].sort();
    };
    const first = await made(
      await ctx.api('POST', ORDERS, { customer_id: customer.id, lines: pick().map((item_id, i) => ({ item_id, quantity: '1', unit_price: { amount: PRICES[i], currency: 'EUR' }, location_id: location })) }),
      'draft sales order',
    );
    // The others: copies of the first's shape, numbered after it, in batches of 500.
    const ulid = monotonicFactory();
    const drafts = [first.id as string];
    const total = draftCount();
    const start = Number(String(first.number).slice(-6));
    const now = new Date();
    const year = String(first.number).slice(3, 7);
    for (let n = 1; n < total; n += 500) {
      const orders: string[] = [];
      const lines: string[] = [];
      const params: Record<string, unknown> = { tenantId: ctx.tenantId, customer: customer.id, date: first.order_date, now, rate: rate.id, location, taxRate: 19_000, inclusive: false };
      for (let k = n; k < Math.min(total, n + 500); k++) {
        const id = `so_${ulid()}`;
        drafts.push(id);
        // Ids as literals (ULIDs and the API's ids: letters and digits only), the rest as parameters.
        orders.push(`('${id}', :tenantId, 'SO-${year}-${String(start + k).padStart(6, '0')}', :customer, 'draft', :date, 'EUR', 1, :now, :now)`);
        pick().forEach((item, i) => lines.push(`(:tenantId, 'sol_${ulid()}', '${id}', ${i}, '${item}', 1000, ${PRICES[i]}, :rate, :taxRate, :inclusive, :location, NULL, 0, NULL)`));
      }
      await ctx.sql(`INSERT INTO erp_sales_orders (id, tenant_id, number, customer_id, status, order_date, currency, version, created_at, updated_at) VALUES ${orders.join(', ')}`, params);
      await ctx.sql(
        `INSERT INTO erp_sales_order_lines (tenant_id, id, sales_order_id, position, item_id, quantity, unit_price, tax_rate_id, tax_rate, tax_inclusive, location_id, warehouse_id, quantity_delivered, reservation_ids) VALUES ${lines.join(', ')}`,
        params,
      );
    }
    await ctx.sql(`UPDATE erp_sequences SET last = :last WHERE tenant_id = :tenantId AND series = 'SO' AND year = :year`, { tenantId: ctx.tenantId, last: start + total - 1, year: Number(year) });
    ctx.seeded(`${total} draft sales orders of 3 lines (warehouse ${warehouseId})`);
    return { drafts };
  },
  request: (data) => ({ path: path(data), method: 'POST', headers: { 'if-match': '"1"' }, status: 200 }),
  fresh(data) {
    return () => ({ path: path(data) });
  },
  check({ headers, body: order }) {
    if (headers.get('etag') !== '"2"') throw new Error(`ETag ${headers.get('etag')}, not "2"`);
    if (order.status !== 'confirmed' || order.lines?.length !== 3) throw new Error('not a confirmed order of 3 lines');
    // Each server confirmed another draft (other items, ids and times): the rest must agree.
    return {
      ...order,
      id: '(id)',
      number: '(number)',
      created_at: '(time)',
      updated_at: '(time)',
      lines: order.lines.map((l: Record<string, unknown>) => ({ ...l, id: '(id)', item_id: '(item)' })),
    };
  },
  raw({ db, tenantId, send }) {
    const ulid = monotonicFactory();
    const postgres = db.kind === 'postgres';
    const orderRead = db.statement<OrderRow>(
      'bench_erp_so_read',
      `SELECT id, tenant_id, number, customer_id, status, order_date, currency, version, created_at, updated_at FROM erp_sales_orders WHERE tenant_id = $1 AND id = $2${postgres ? ' FOR UPDATE' : ''}`,
    );
    const linesRead = db.statement<LineRow>(
      'bench_erp_so_lines',
      'SELECT id, sales_order_id, position, item_id, quantity, unit_price, tax_rate_id, tax_rate, tax_inclusive, location_id, warehouse_id, quantity_delivered, quantity_invoiced, reservation_ids FROM erp_sales_order_lines WHERE tenant_id = $1 AND sales_order_id IN ($2) ORDER BY sales_order_id, position',
    );
    // The three lines' items (distinct, in id order: the drafts are made so) in one read, their totals made and locked in two.
    const itemsRead = db.statement<{ id: string; tracking: string; is_active: boolean | number }>('bench_erp_items', 'SELECT id, sku, unit, tracking, is_active, reorder_point FROM wms_items WHERE tenant_id = $1 AND id IN ($2, $3, $4)');
    const itemStockMake = db.statement(
      'bench_erp_item_stock_make',
      'INSERT INTO wms_item_stock (tenant_id, item_id, on_hand, reserved, value_amount, currency, updated_at) VALUES ($1, $2, 0, 0, 0, NULL, $3), ($1, $4, 0, 0, 0, NULL, $3), ($1, $5, 0, 0, 0, NULL, $3) ON CONFLICT (tenant_id, item_id) DO NOTHING',
    );
    const itemStockRead = db.statement<{ item_id: string; on_hand: string; reserved: string; value_amount: string; currency: string | null }>(
      'bench_erp_item_stock_read',
      `SELECT item_id, on_hand, reserved, value_amount, currency FROM wms_item_stock WHERE tenant_id = $1 AND item_id IN ($2, $3, $4) ORDER BY item_id${postgres ? ' FOR UPDATE' : ''}`,
    );
    const locationRead = db.statement<{ id: string; warehouse_id: string; is_active: boolean | number }>(
      'bench_erp_location',
      `SELECT id, warehouse_id, is_active FROM wms_locations WHERE tenant_id = $1 AND id IN ($2)${postgres ? ' ORDER BY id FOR SHARE' : ''}`,
    );
    const take = db.statement('bench_erp_balance_reserve', BALANCE_CHANGE);
    const reservationAdd = db.statement(
      'bench_erp_reservation_insert',
      `INSERT INTO wms_reservations (id, tenant_id, item_id, location_id, warehouse_id, lot, quantity, remaining, status, reference_type, reference_id, expires_at, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    );
    const itemStockWrite = db.statement(
      'bench_erp_item_stock_write',
      'UPDATE wms_item_stock SET on_hand = $1, reserved = $2, value_amount = $3, currency = $4, updated_at = $5 WHERE tenant_id = $6 AND item_id = $7',
    );
    const orderWrite = db.statement<{ id: string }>(
      'bench_erp_so_write',
      'UPDATE erp_sales_orders SET customer_id = $1, status = $2, order_date = $3, currency = $4, version = $5, updated_at = $6 WHERE tenant_id = $7 AND id = $8 AND version = $9 RETURNING id',
    );
    const linesDelete = db.statement('bench_erp_so_lines_delete', 'DELETE FROM erp_sales_order_lines WHERE tenant_id = $1 AND sales_order_id = $2');
    // The three lines in one INSERT, as the order repository writes them.
    const lineRows = Array.from({ length: 3 }, (_, r) => `($1, ${Array.from({ length: 14 }, (_, c) => `$${2 + r * 14 + c}`).join(', ')})`);
    const linesAdd = db.statement(
      'bench_erp_so_lines_insert',
      `INSERT INTO erp_sales_order_lines (tenant_id, id, sales_order_id, position, item_id, quantity, unit_price, tax_rate_id, tax_rate, tax_inclusive, location_id, warehouse_id, quantity_delivered, quantity_invoiced, reservation_ids) VALUES ${lineRows.join(', ')}`,
    );
    const values = Array.from({ length: 4 }, (_, i) => `($${i * 8 + 1}, $${i * 8 + 2}, $${i * 8 + 3}, $${i * 8 + 4}, $${i * 8 + 5}, $${i * 8 + 6}, $${i * 8 + 7}, 0, $${i * 8 + 8})`);
    const eventsAdd = db.statement('bench_erp_events_insert', `INSERT INTO outbox_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at, attempts, next_attempt_at) VALUES ${values.join(', ')}`);
    const prefix = `${ORDERS}/`;
    return {
      matches: (method, p) => method === 'POST' && p.startsWith(prefix) && p.endsWith('/confirm'),
      async handle(req, res, p) {
        req.resume();
        const id = p.slice(prefix.length, -'/confirm'.length);
        const now = new Date();
        const at = timeParam(db, now);
        let json = '';
        try {
          await db.transaction(async (tx) => {
            const order = await orderRead.one([tenantId, id], tx);
            if (!order) throw new Refused(404);
            if (req.headers['if-match'] !== `"${order.version}"`) throw new Refused(412);
            if (order.status !== 'draft') throw new Refused(409);
            const lines = await linesRead.all([tenantId, id], tx);
            const itemIds = lines.map((l) => l.item_id);
            if (lines.length !== 3 || itemIds.some((item, i) => i > 0 && item <= itemIds[i - 1])) throw new Error('a bench draft has three distinct items in id order');
            if ((await itemsRead.all([tenantId, ...itemIds], tx)).length !== 3) throw new Refused(409);
            await itemStockMake.all([tenantId, itemIds[0], at, itemIds[1], itemIds[2]], tx);
            const stock = await itemStockRead.all([tenantId, ...itemIds], tx);
            const [location] = await locationRead.all([tenantId, lines[0].location_id], tx);
            if (!location || lines.some((l) => l.location_id !== location.id)) throw new Refused(409);
            const reservations: { id: string; item_id: string; location_id: string | null; warehouse_id: string; quantity: number }[] = [];
            for (const l of lines) {
              if (!(await take.one([0, Number(l.quantity), at, tenantId, l.item_id, l.location_id, ''], tx))) throw new Refused(409);
              const r = { id: `res_${ulid()}`, item_id: l.item_id, location_id: l.location_id, warehouse_id: location.warehouse_id, quantity: Number(l.quantity) };
              await reservationAdd.all([r.id, tenantId, l.item_id, l.location_id, location.warehouse_id, '', r.quantity, r.quantity, 'active', 'sales_order', id, null, 1, at, at], tx);
              reservations.push(r);
            }
            lines.forEach((l, i) => (l.reservation_ids = reservations[i].id));
            for (const [i, l] of lines.entries()) {
              const s = stock[i];
              await itemStockWrite.all([Number(s.on_hand), Number(s.reserved) + Number(l.quantity), Number(s.value_amount), s.currency, at, tenantId, l.item_id], tx);
            }
            const updated = new Date();
            const doc = orderJson(order, lines, updated);
            json = JSON.stringify(doc);
            if (!(await orderWrite.one([order.customer_id, 'confirmed', doc.order_date, doc.currency, doc.version, timeParam(db, updated), tenantId, id, Number(order.version)], tx))) throw new Refused(409);
            await linesDelete.all([tenantId, id], tx);
            await linesAdd.all(
              [
                tenantId,
                ...lines.flatMap((l) => [l.id, id, Number(l.position), l.item_id, Number(l.quantity), Number(l.unit_price), l.tax_rate_id, Number(l.tax_rate), boolParam(db, l.tax_inclusive === true || l.tax_inclusive === 1), l.location_id, l.warehouse_id, Number(l.quantity_delivered), Number(l.quantity_invoiced), l.reservation_ids]),
              ],
              tx,
            );
            const never = timeParam(db, NEVER_DUE(new Date()));
            const events: unknown[] = [];
            for (const r of reservations) {
              const payload = {
                id: r.id,
                item_id: r.item_id,
                location_id: r.location_id,
                warehouse_id: r.warehouse_id,
                lot: null,
                quantity: formatQuantity(r.quantity),
                remaining: formatQuantity(r.quantity),
                status: 'active',
                reference: { type: 'sales_order', id },
                expires_at: null,
                created_at: now.toISOString(),
                updated_at: now.toISOString(),
                version: 1,
              };
              events.push(`evt_${ulid()}`, tenantId, 'wms.stock.reserved', 'reservation', r.id, JSON.stringify(payload), at, never);
            }
            events.push(`evt_${ulid()}`, tenantId, 'erp.sales_order.confirmed', 'sales_order', id, json, timeParam(db, updated), never);
            await eventsAdd.all(events, tx);
          });
        } catch (err) {
          if (err instanceof Refused) return send(res, err.status, `{"status":${err.status}}`);
          throw err;
        }
        send(res, 200, json, { ETag: '"2"' });
      },
    };
  },
};
