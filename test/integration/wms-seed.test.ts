import { gtinProblem } from '../../src/modules/wms/domain/gtin';
import { wmsSeeder } from '../../src/modules/wms/application/seed';
import type { SeedOptions } from '../../src/platform/module';
import { Harness } from '../support/harness';

let h: Harness;

beforeAll(async () => {
  h = await Harness.start();
});
afterAll(() => h.stop());

const quiet: SeedOptions['progress'] = () => ({ tick: () => undefined, done: () => undefined });
/** Fewer items than the demo's 2,000, to keep the test quick; the moves scale with them. */
const ITEMS = 300;

async function all<T>(token: string, path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: { data: T[]; next_cursor: string | null } } = await h.request('GET', `${path}${path.includes('?') ? '&' : '?'}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(res.status).toBe(200);
    out.push(...res.body.data);
    cursor = res.body.next_cursor;
  } while (cursor);
  return out;
}

interface Item {
  id: string;
  sku: string;
  name: string;
  category: string;
  unit: string;
  tracking: string;
  barcode: string | null;
  reorder_point: string;
  is_active: boolean;
}
interface Move {
  type: string;
  item_id: string;
  quantity: string;
  from_location_id: string | null;
  to_location_id: string | null;
  lot: string | null;
  serials: string[];
  unit_cost: { amount: number } | null;
  reference: { type: string; id: string } | null;
}

describe('the WMS demo seed', () => {
  it('fills a tenant with a warehouse, items and their stock history the contract accepts, the same every time, adds nothing the second time, and leaves no drift', async () => {
    const seed = wmsSeeder(h.stratum.kernel.db, h.stratum.kernel.runInUnitOfWork);
    const a = await h.tenant();
    const b = await h.tenant();
    const first = await seed(a.tenantId, { profile: 'demo', items: ITEMS, progress: quiet });
    expect(first).toEqual({ warehouses: 1, locations: 82, items: ITEMS, stock_moves: expect.any(Number) });
    expect(first.stock_moves).toBeGreaterThan(ITEMS / 2);
    expect(await seed(a.tenantId, { profile: 'demo', items: ITEMS, progress: quiet })).toEqual({ warehouses: 0, locations: 0, items: 0, stock_moves: 0 });
    expect(await seed(b.tenantId, { profile: 'demo', items: ITEMS, progress: quiet })).toEqual(first);

    // The location tree: receiving, storage zones with their bins, picking, shipping.
    const locations = await all<{ id: string; code: string; type: string; parent_id: string | null }>(a.token, '/v1/wms/locations');
    expect(locations).toHaveLength(82);
    const code = new Map(locations.map((l) => [l.id, l.code]));
    expect(new Set(locations.map((l) => l.type))).toEqual(new Set(['receiving', 'storage', 'picking', 'shipping']));
    expect(locations.find((l) => l.code === 'A-01-1')?.parent_id).toBe(locations.find((l) => l.code === 'A')?.id);

    // The items, read back through the API (every answer checked against the contract), the same in both tenants.
    const itemsA = await all<Item>(a.token, '/v1/wms/items');
    const itemsB = await all<Item>(b.token, '/v1/wms/items');
    expect(itemsA).toHaveLength(ITEMS);
    const bySku = (list: Item[]) => Object.fromEntries(list.map(({ id: _id, ...rest }) => [rest.sku, rest]));
    expect(bySku(itemsB)).toEqual(bySku(itemsA));
    expect(itemsA.every((i) => i.sku.startsWith('DEMO-'))).toBe(true);
    expect(new Set(itemsA.map((i) => i.unit))).toEqual(new Set(['ea', 'kg', 'l', 'm']));
    expect(new Set(itemsA.map((i) => i.category))).toEqual(new Set(['raw', 'component', 'finished', 'packaging', 'consumable']));
    expect(itemsA.filter((i) => i.tracking === 'lot').length).toBeGreaterThan(5);
    expect(itemsA.some((i) => i.tracking === 'serial')).toBe(true);
    const barcodes = itemsA.flatMap((i) => (i.barcode ? [i.barcode] : []));
    expect(barcodes.length).toBeGreaterThan(ITEMS / 2);
    expect(barcodes.filter((g) => gtinProblem(g))).toEqual([]);
    expect(itemsA.filter((i) => i.reorder_point !== '0').length).toBeGreaterThan(ITEMS / 2);

    // The ledger: the same moves in both tenants (by reference), receipts into receiving, put away into bins, some replenished to pick faces.
    const movesA = await all<Move>(a.token, '/v1/wms/stock-moves');
    const movesB = await all<Move>(b.token, '/v1/wms/stock-moves');
    expect(movesA).toHaveLength(first.stock_moves);
    const skuOfA = new Map(itemsA.map((i) => [i.id, i.sku]));
    const skuOfB = new Map(itemsB.map((i) => [i.id, i.sku]));
    const codeB = new Map((await all<{ id: string; code: string }>(b.token, '/v1/wms/locations')).map((l) => [l.id, l.code]));
    const ledger = (moves: Move[], sku: Map<string, string>, where: Map<string, string>) =>
      Object.fromEntries(
        moves.map((m) => [m.reference!.id, [m.type, sku.get(m.item_id), m.quantity, m.from_location_id && where.get(m.from_location_id), m.to_location_id && where.get(m.to_location_id), m.lot, m.serials, m.unit_cost?.amount ?? null]]),
      );
    expect(ledger(movesB, skuOfB, codeB)).toEqual(ledger(movesA, skuOfA, code));
    const receipts = movesA.filter((m) => m.type === 'receipt');
    expect(receipts.length).toBeGreaterThan(50);
    expect(receipts.every((m) => code.get(m.to_location_id!)!.startsWith('RCV-') && m.reference!.type === 'purchase_order')).toBe(true);
    expect(movesA.some((m) => m.type === 'transfer' && code.get(m.to_location_id!)!.startsWith('PICK-'))).toBe(true);
    expect(movesA.some((m) => m.lot !== null)).toBe(true);

    // Balances, valuation and ledger agree.
    const check = await h.request('GET', '/v1/wms/stock-check', { token: a.token });
    expect(check.status).toBe(200);
    expect(check.body.drift).toEqual([]);
    expect(check.body.balances_checked).toBeGreaterThan(receipts.length / 2);
    expect(check.body.items_checked).toBeGreaterThan(50);
    const stocked = await h.request('GET', `/v1/wms/items/${receipts[0].item_id}/stock`, { token: a.token });
    expect(stocked.body.value?.currency).toBe('EUR');
    expect(Number(stocked.body.on_hand)).toBeGreaterThan(0);
  }, 120_000);
});
