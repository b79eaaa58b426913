/**
 * `POST /v1/wms/stock-moves` with `type: transfer`: 1–5 units of a random stocked item (of
 * 10,000) from one bench location to the other, in a random direction. The app posts it in one
 * transaction (src/modules/wms/application/moves.ts, posting.ts): the item and the two locations
 * read (the locations share-locked on PostgreSQL), the two balances changed in the one lock
 * order (by location id: the source by a guarded UPDATE, the destination by an upsert), the move
 * inserted and its `wms.stock.moved` event written to the outbox; the baseline runs the same
 * statements in the same order between BEGIN and COMMIT. (After the commit, the app's outbox
 * dispatcher delivers the event in the background: not part of the baseline. The baseline's row
 * is never due (NEVER_DUE), so that dispatcher leaves it alone, and the bench waits, untimed,
 * for the full stack's backlog between slices: see outbox.ts.)
 */
import { monotonicFactory } from 'ulid';
import type { Scenario } from '../scenario';
import { BALANCE_CHANGE, NEVER_DUE, STOCK_MOVES, benchItems, parseQuantity, readBody, seededRandom, timeParam, formatQuantity, type WmsBench } from './items';

type Data = Pick<WmsBench, 'stockedIds' | 'locations'> & { clientId: string };

interface Body {
  type: 'transfer';
  item_id: string;
  quantity: string;
  from_location_id: string;
  to_location_id: string;
}

const body = (data: Data, random: () => number): string => {
  const [a, b] = random() < 0.5 ? data.locations : [data.locations[1], data.locations[0]];
  return JSON.stringify({
    type: 'transfer',
    item_id: data.stockedIds[Math.floor(random() * data.stockedIds.length)],
    quantity: String(1 + Math.floor(random() * 5)),
    from_location_id: a,
    to_location_id: b,
  } satisfies Body);
};

class Short extends Error {}

export const transfer: Scenario<Data> = {
  name: 'transfer',
  label: 'transfer',
  async setup(ctx) {
    const { stockedIds, locations } = await benchItems(ctx);
    return { stockedIds, locations, clientId: ctx.adminClientId };
  },
  request: (data) => ({ path: STOCK_MOVES, method: 'POST', headers: { 'content-type': 'application/json' }, body: body(data, seededRandom(3)), status: 201 }),
  fresh(data) {
    const random = seededRandom(3);
    return () => ({ body: body(data, random) });
  },
  check({ headers, body: move }) {
    if (headers.get('location') !== `${STOCK_MOVES}/${move.id}` || headers.get('etag') !== '"1"') throw new Error('no Location or ETag');
    if (move.type !== 'transfer' || move.cost !== null) throw new Error('not a transfer');
    return { ...move, id: '(id)', posted_at: '(time)' };
  },
  raw({ db, tenantId, data, send }) {
    const ulid = monotonicFactory();
    const postgres = db.kind === 'postgres';
    const items = db.statement<{ id: string }>('bench_wms_stock_items', 'SELECT id, sku, unit, tracking, is_active, reorder_point FROM wms_items WHERE tenant_id = $1 AND id IN ($2)');
    const locations = db.statement<{ id: string; warehouse_id: string; is_active: boolean | number }>(
      'bench_wms_stock_locations',
      `SELECT id, warehouse_id, is_active FROM wms_locations WHERE tenant_id = $1 AND id IN ($2, $3)${postgres ? ' ORDER BY id FOR SHARE' : ''}`,
    );
    const take = db.statement<{ on_hand: string }>('bench_wms_balance_take', BALANCE_CHANGE);
    const put = db.statement(
      'bench_wms_balance_put',
      `INSERT INTO wms_balances (id, tenant_id, item_id, location_id, warehouse_id, lot, on_hand, reserved, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)
         ON CONFLICT (tenant_id, item_id, location_id, lot) DO UPDATE SET on_hand = wms_balances.on_hand + excluded.on_hand, updated_at = excluded.updated_at
         RETURNING on_hand, reserved`,
    );
    const addMove = db.statement(
      'bench_wms_move_insert',
      `INSERT INTO wms_stock_moves (id, tenant_id, type, item_id, quantity, from_location_id, to_location_id, location_ids, lot, serials, unit_cost_amount, cost_amount, currency, reason_code, reservation_id, reference_type, reference_id, reverses_move_id, posted_at, posted_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
    );
    // The app's outbox INSERT (src/platform/events/outbox.ts, outboxWriter: one row, attempts 0), parameterized the same way.
    const addEvent = db.statement(
      'bench_wms_event_insert',
      `INSERT INTO outbox_events (id, tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at, attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)`,
    );
    return {
      matches: (method, path) => method === 'POST' && path === STOCK_MOVES,
      async handle(req, res) {
        const b = JSON.parse(await readBody(req)) as Body;
        const quantity = parseQuantity(b.quantity);
        const now = new Date();
        const at = timeParam(db, now);
        const id = `mov_${ulid()}`;
        const doc = {
          id,
          type: b.type,
          item_id: b.item_id,
          quantity: formatQuantity(quantity),
          from_location_id: b.from_location_id,
          to_location_id: b.to_location_id,
          lot: null,
          serials: [],
          unit_cost: null,
          cost: null,
          reason_code: null,
          reservation_id: null,
          reference: null,
          reverses_move_id: null,
          reversed_by_move_id: null,
          posted_at: now.toISOString(),
          posted_by: data.clientId,
          version: 1,
        };
        const json = JSON.stringify(doc);
        try {
          await db.transaction(async (tx) => {
            const item = await items.one([tenantId, b.item_id], tx);
            const ids = [b.from_location_id, b.to_location_id].sort();
            const found = await locations.all([tenantId, ids[0], ids[1]], tx);
            if (!item || found.length !== 2) throw new Error('unknown item or location');
            const warehouseOf = new Map(found.map((l) => [l.id, l.warehouse_id]));
            // The one lock order: balances by (item, location, lot).
            for (const locationId of ids) {
              if (locationId === b.from_location_id) {
                if (!(await take.one([-quantity, 0, at, tenantId, b.item_id, locationId, ''], tx))) throw new Short();
              } else {
                await put.one([`bal_${ulid()}`, tenantId, b.item_id, locationId, warehouseOf.get(locationId), '', quantity, at], tx);
              }
            }
            await addMove.all(
              [id, tenantId, 'transfer', b.item_id, quantity, b.from_location_id, b.to_location_id, JSON.stringify([b.from_location_id, b.to_location_id]), null, '[]', null, null, null, null, null, null, null, null, at, data.clientId],
              tx,
            );
            await addEvent.all([`evt_${ulid()}`, tenantId, 'wms.stock.moved', 'stock_move', id, json, at, timeParam(db, NEVER_DUE(new Date()))], tx);
          });
        } catch (err) {
          if (err instanceof Short) return send(res, 409, '{"status":409}');
          throw err;
        }
        send(res, 201, json, { Location: `${STOCK_MOVES}/${id}`, ETag: '"1"' });
      },
    };
  },
};
