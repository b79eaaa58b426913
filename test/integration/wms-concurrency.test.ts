import { testDbKind } from '../support/databases';
import type { Admin, Harness } from '../support/harness';
import { START_TIMEOUT_MS, startTwoApps, STOP_TIMEOUT_MS, stopTwoApps } from '../support/two-apps';

/**
 * Stock under concurrency: many requests racing on the same balance rows, sent by two app
 * instances on one database (on PostgreSQL; SQLite takes one writer at a time, so there one
 * instance races with itself). Whatever interleaving the database picks: no 500, no negative
 * stock, never more reserved than there is, and every balance equal to the sum of its moves.
 */
let h: Harness;
let other: Harness;
let admin: Admin;

beforeAll(async () => {
  ({ h, other } = await startTwoApps());
  admin = await h.tenant();
}, START_TIMEOUT_MS);
afterAll(() => stopTwoApps(h, other), STOP_TIMEOUT_MS);

type Json = Record<string, any>;
const via = (harness: Harness, method: string, path: string, json?: unknown, headers: Record<string, string> = {}) => harness.request(method, `/v1/wms${path}`, { token: admin.token, json, headers });

async function setup(locations: number) {
  const warehouse = (await via(h, 'POST', '/warehouses', { code: `W-${Math.random().toString(36).slice(2, 8)}`, name: 'Race warehouse' })).body;
  const ids: string[] = [];
  for (let i = 0; i < locations; i++) ids.push((await via(h, 'POST', '/locations', { warehouse_id: warehouse.id, code: `BIN-${i}`, type: 'storage' })).body.id);
  const item = (await via(h, 'POST', '/items', { sku: `RACE-${Math.random().toString(36).slice(2, 8)}`, name: 'Contended item', category: 'finished', unit: 'ea', reorder_point: '3' })).body;
  return { warehouse, locations: ids, item };
}

describe(`WMS stock under concurrency on ${testDbKind()}`, () => {
  it('gives the last unit to exactly one of 20 parallel reservations', async () => {
    const { locations, item } = await setup(1);
    expect((await via(h, 'POST', '/stock-moves', { type: 'receipt', item_id: item.id, quantity: '1', to_location_id: locations[0], unit_cost: { amount: 500, currency: 'EUR' } })).status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => via(i % 2 ? other : h, 'POST', '/reservations', { item_id: item.id, location_id: locations[0], quantity: '1', reference: { type: 'sales_order', id: `SO-${i}` } })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body).toMatchObject({ item_id: item.id, location_id: locations[0], shortfall: '1' });
    const balance = (await via(h, 'GET', `/balances?item_id=${item.id}`)).body.data[0];
    expect(balance).toMatchObject({ on_hand: '1', reserved: '1', available: '0' });
  });

  it('keeps 200 racing transfers, reservations, releases and shipments on three balances exact', async () => {
    const { locations, item } = await setup(3);
    for (const location of locations) {
      expect((await via(h, 'POST', '/stock-moves', { type: 'receipt', item_id: item.id, quantity: '20', to_location_id: location, unit_cost: { amount: 700, currency: 'EUR' } })).status).toBe(201);
    }
    const pick = (n: number, salt: number) => locations[(n * 7 + salt) % 3];
    const reservations: string[] = [];
    const requests = Array.from({ length: 200 }, (_, i) => async () => {
      const app = i % 2 ? other : h;
      const kind = i % 5;
      const from = pick(i, 0);
      let to = pick(i, 1);
      if (to === from) to = pick(i, 2);
      const quantity = String(1 + (i % 4));
      if (kind <= 1) return via(app, 'POST', '/stock-moves', { type: 'transfer', item_id: item.id, quantity, from_location_id: kind === 0 ? from : to, to_location_id: kind === 0 ? to : from });
      if (kind === 2) {
        const res = await via(app, 'POST', '/reservations', { item_id: item.id, location_id: from, quantity, reference: { type: 'sales_order', id: `SO-${i}` } });
        if (res.status === 201) reservations.push(res.body.id);
        return res;
      }
      if (kind === 3) {
        // Later than the rest, so that reservations exist to release or ship.
        await new Promise((resolve) => setTimeout(resolve, 50 + (i % 7) * 40));
        const id = reservations.shift();
        if (!id) return via(app, 'POST', '/stock-moves', { type: 'shipment', item_id: item.id, quantity: '1', from_location_id: from });
        const r = (await via(app, 'GET', `/reservations/${id}`)).body;
        if (i % 10 === 3) return via(app, 'POST', `/reservations/${id}/release`, undefined, { 'if-match': `"${r.version}"` });
        return via(app, 'POST', '/stock-moves', { type: 'shipment', item_id: item.id, quantity: r.remaining, from_location_id: r.location_id, reservation_id: id });
      }
      return via(app, 'POST', '/stock-moves', { type: 'shipment', item_id: item.id, quantity: '1', from_location_id: from });
    });
    // All at once (the harness throws on any 5xx but a 503).
    const results = await Promise.all(requests.map((r) => r()));
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => [200, 201, 409].includes(s))).toBe(true);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(50);

    const balances = (await via(h, 'GET', `/balances?item_id=${item.id}`)).body.data as Json[];
    expect(balances).toHaveLength(3);
    for (const b of balances) {
      expect(Number(b.on_hand)).toBeGreaterThanOrEqual(0);
      expect(Number(b.reserved)).toBeGreaterThanOrEqual(0);
      expect(Number(b.reserved)).toBeLessThanOrEqual(Number(b.on_hand));
    }
    // Every balance equals the sum of its posted moves, the item's totals the sum of its balances.
    const moves: Json[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page: Json = (await via(h, 'GET', `/stock-moves?item_id=${item.id}&limit=100${cursor ? `&cursor=${cursor}` : ''}`)).body;
      moves.push(...page.data);
      cursor = page.next_cursor;
    }
    for (const b of balances) {
      const sum = moves.reduce((total, m) => total + (m.to_location_id === b.location_id ? Number(m.quantity) : 0) - (m.from_location_id === b.location_id ? Number(m.quantity) : 0), 0);
      expect({ location: b.location_id, on_hand: Number(b.on_hand) }).toEqual({ location: b.location_id, on_hand: sum });
    }
    const stock = (await via(h, 'GET', `/items/${item.id}/stock`)).body;
    expect(Number(stock.on_hand)).toBe(balances.reduce((t, b) => t + Number(b.on_hand), 0));
    expect(Number(stock.reserved)).toBe(balances.reduce((t, b) => t + Number(b.reserved), 0));
    expect((await via(h, 'GET', '/stock-check')).body.drift).toEqual([]);
  });
});
