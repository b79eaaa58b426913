import createClient from 'openapi-fetch';
import type { paths } from '../../generated/api';
import { Harness, type Admin } from '../support/harness';

/**
 * A warehouse day through a typed client (openapi-fetch over the generated types, nothing
 * hand-written): receive, put away, reserve, ship, count, reverse — and the stock check is clean.
 */
let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

describe('the WMS through a typed client', () => {
  it('receives, puts away, reserves, ships, counts and reverses, and the ledger agrees', async () => {
    const api = createClient<paths>({ baseUrl: `${h.baseUrl}/v1`, headers: { authorization: `Bearer ${admin.token}` } });
    const warehouse = (await api.POST('/wms/warehouses', { body: { code: 'HAM-1', name: 'Hamburg DC' } })).data!;
    const location = async (code: string, type: 'receiving' | 'storage' | 'picking' | 'shipping') =>
      (await api.POST('/wms/locations', { body: { warehouse_id: warehouse.id, code, type } })).data!.id;
    const dock = await location('DOCK-1', 'receiving');
    const bin = await location('A-01-01', 'storage');
    const item = (await api.POST('/wms/items', { body: { sku: 'CHAIR-OAK', name: 'Oak chair', category: 'finished', unit: 'ea', reorder_point: '4' } })).data!;

    // Receive 10 at 42.00 (retried with its key: posted once), put 8 away.
    const receipt = { type: 'receipt' as const, item_id: item.id, quantity: '10', to_location_id: dock, unit_cost: { amount: 4200, currency: 'EUR' as const }, reference: { type: 'purchase_order', id: 'PO-77' } };
    const received = await api.POST('/wms/stock-moves', { params: { header: { 'Idempotency-Key': 'po-77-receipt' } }, body: receipt });
    const again = await api.POST('/wms/stock-moves', { params: { header: { 'Idempotency-Key': 'po-77-receipt' } }, body: receipt });
    expect(again.data?.id).toBe(received.data?.id);
    const putAway = await api.POST('/wms/stock-moves', { body: { type: 'transfer', item_id: item.id, quantity: '8', from_location_id: dock, to_location_id: bin } });
    expect(putAway.response.status).toBe(201);

    // Reserve 5 for an order anywhere in the warehouse: the bin has the most.
    const reserved = await api.POST('/wms/reservations', { body: { item_id: item.id, warehouse_id: warehouse.id, quantity: '5', reference: { type: 'sales_order', id: 'SO-1' } } });
    expect(reserved.data).toMatchObject({ location_id: bin, status: 'active' });
    const tooMuch = await api.POST('/wms/reservations', { body: { item_id: item.id, location_id: bin, quantity: '4' } });
    expect(tooMuch.response.status).toBe(409);
    expect(tooMuch.error).toMatchObject({ shortfall: '1', location_id: bin });

    // Ship the order against its reservation: the cost of goods at the average.
    const shipped = await api.POST('/wms/stock-moves', { body: { type: 'shipment', item_id: item.id, quantity: '5', from_location_id: bin, reservation_id: reserved.data!.id, reference: { type: 'sales_order', id: 'SO-1' } } });
    expect(shipped.data).toMatchObject({ cost: { amount: 21000, currency: 'EUR' } });
    expect((await api.GET('/wms/reservations/{reservation_id}', { params: { path: { reservation_id: reserved.data!.id } } })).data?.status).toBe('consumed');

    // Count the bin: 2 found where 3 should be.
    const count = await api.POST('/wms/cycle-counts', { body: { location_id: bin, lines: [{ item_id: item.id, counted_quantity: '2' }] } });
    const posted = await api.POST('/wms/cycle-counts/{cycle_count_id}/post', { params: { path: { cycle_count_id: count.data!.id }, header: { 'If-Match': '"1"' } } });
    expect(posted.data?.lines[0]).toMatchObject({ expected_quantity: '3', difference: '-1' });

    // Reverse the count's adjustment: the chair turned up after all.
    const adjustment = posted.data!.lines[0].stock_move_id!;
    const reversed = await api.POST('/wms/stock-moves/{stock_move_id}/reverse', { params: { path: { stock_move_id: adjustment }, header: { 'If-Match': '"1"' } } });
    expect(reversed.data).toMatchObject({ reverses_move_id: adjustment, to_location_id: bin });

    const stock = await api.GET('/wms/items/{item_id}/stock', { params: { path: { item_id: item.id } } });
    expect(stock.data).toMatchObject({ on_hand: '5', reserved: '0', available: '5', unit_cost: { amount: 4200, currency: 'EUR' }, value: { amount: 21000, currency: 'EUR' }, locations: 2 });
    const ledger = await api.GET('/wms/stock-moves', { params: { query: { item_id: item.id, sort: 'posted_at', limit: 10 } } });
    expect(ledger.data?.data.map((m) => m.type)).toEqual(['receipt', 'transfer', 'shipment', 'adjustment', 'adjustment']);
    const check = await api.GET('/wms/stock-check');
    expect(check.data?.drift).toEqual([]);
  });
});
