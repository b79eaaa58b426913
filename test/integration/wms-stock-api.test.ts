import { ConflictError } from '../../src/platform/errors';
import { wmsModule } from '../../src/modules/wms';
import { Harness, type Admin } from '../support/harness';

/**
 * The interface ERP calls (`use(wmsModule).stock`), inside the caller's unit of work: all or
 * none, and undone with the caller's transaction.
 */
let h: Harness;
let admin: Admin;

beforeAll(async () => {
  h = await Harness.start();
  admin = await h.tenant();
});
afterAll(() => h.stop());

const post = async (path: string, json: unknown) => {
  const res = await h.request('POST', `/v1/wms${path}`, { token: admin.token, json });
  expect(res.status).toBe(201);
  return res.body;
};

describe('the WMS stock interface for other modules', () => {
  it('reserves the lines of a reference all or none, ships them with their cost, and releases the rest', async () => {
    const { stock } = h.stratum.use(wmsModule);
    const run = h.stratum.kernel.runInUnitOfWork;
    const warehouse = await post('/warehouses', { code: 'ERP-1', name: 'Order warehouse' });
    const bin = (await post('/locations', { warehouse_id: warehouse.id, code: 'B1', type: 'storage' })).id;
    const chair = (await post('/items', { sku: 'ERP-CHAIR', name: 'Chair', category: 'finished', unit: 'ea' })).id;
    const table = (await post('/items', { sku: 'ERP-TABLE', name: 'Table', category: 'finished', unit: 'ea' })).id;
    await post('/stock-moves', { type: 'receipt', item_id: chair, quantity: '4', to_location_id: bin, unit_cost: { amount: 1000, currency: 'EUR' } });
    await post('/stock-moves', { type: 'receipt', item_id: table, quantity: '1', to_location_id: bin, unit_cost: { amount: 9000, currency: 'EUR' } });
    const order = { type: 'sales_order', id: 'SO-100' };

    // Two lines short: nothing reserved, each short line named.
    const short = run(admin.tenantId, (uow) =>
      stock.reserve(uow, order, [
        { itemId: chair, quantity: '5', warehouseId: warehouse.id },
        { itemId: table, quantity: '2', locationId: bin },
      ]),
    );
    await expect(short).rejects.toThrow(ConflictError);
    await expect(short).rejects.toMatchObject({
      lines: [0, 1],
      extensions: {
        shortages: [
          { item_id: chair, location_id: null, requested: '5', available: '4', shortfall: '1', lot: null },
          { item_id: table, location_id: bin, requested: '2', available: '1', shortfall: '1', lot: null },
        ],
      },
    });
    // The caller's transaction fails after reserving: the reservations go with it.
    await expect(
      run(admin.tenantId, async (uow) => {
        await stock.reserve(uow, order, [{ itemId: chair, quantity: '1', locationId: bin }]);
        throw new Error('the order could not be saved');
      }),
    ).rejects.toThrow('the order could not be saved');
    const available = async (item: string) => (await h.request('GET', `/v1/wms/items/${item}/stock`, { token: admin.token })).body.available;
    expect(await available(chair)).toBe('4');

    const reserved = await run(admin.tenantId, (uow) =>
      stock.reserve(uow, order, [
        { itemId: chair, quantity: '3', warehouseId: warehouse.id },
        { itemId: table, quantity: '1', locationId: bin },
      ]),
    );
    expect(reserved.map((held) => held.map((r) => [r.itemId, r.quantity, r.status]))).toEqual([
      [[chair, 3000, 'active']],
      [[table, 1000, 'active']],
    ]);
    expect(await available(chair)).toBe('1');

    // Ship 2 of the chairs (the reservation keeps 1), then release what is left.
    const chairReservation = reserved[0][0].id;
    const shipped = await run(admin.tenantId, (uow) => stock.ship(uow, order, 'cli_erp', new Map([[chairReservation, 2000]])));
    expect(shipped.map((s) => [s.reservationId, s.move.type, s.move.quantity, s.move.cost])).toEqual([[chairReservation, 'shipment', 2000, { amount: 2000, currency: 'EUR' }]]);
    const released = await run(admin.tenantId, (uow) => stock.release(uow, order));
    expect(released.map((r) => [r.itemId, r.status])).toEqual([
      [chair, 'released'],
      [table, 'released'],
    ]);
    expect(await available(chair)).toBe('2');
    expect(await available(table)).toBe('1');
    expect((await h.request('GET', '/v1/wms/stock-check', { token: admin.token })).body.drift).toEqual([]);
  });

  it('receives the lines of a reference at their unit cost (the average moves), undone with the caller, bad lines named', async () => {
    const { stock } = h.stratum.use(wmsModule);
    const run = h.stratum.kernel.runInUnitOfWork;
    const warehouse = await post('/warehouses', { code: 'ERP-R', name: 'Receiving' });
    const dock = (await post('/locations', { warehouse_id: warehouse.id, code: 'D1', type: 'storage' })).id;
    const lamp = (await post('/items', { sku: 'ERP-LAMP', name: 'Lamp', category: 'finished', unit: 'ea' })).id;
    const wire = (await post('/items', { sku: 'ERP-WIRE', name: 'Wire', category: 'raw', unit: 'm', tracking: 'lot' })).id;
    await post('/stock-moves', { type: 'receipt', item_id: lamp, quantity: '2', to_location_id: dock, unit_cost: { amount: 1000, currency: 'EUR' } });
    const order = { type: 'purchase_order', id: 'PO-100' };
    const eur = (amount: number) => ({ amount, currency: 'EUR' });
    const totals = async (item: string) => (await h.request('GET', `/v1/wms/items/${item}/stock`, { token: admin.token })).body;

    // Bad lines: each named under /lines/<n>; nothing comes in.
    const bad = run(admin.tenantId, (uow) =>
      stock.receive(uow, order, [
        { itemId: lamp, quantity: '1', locationId: dock, unitCost: eur(1300) },
        { itemId: wire, quantity: '2.5', locationId: dock, unitCost: eur(40) },
      ], 'cli_erp'),
    );
    await expect(bad).rejects.toMatchObject({ fields: [{ pointer: '/lines/1/lot' }] });
    const unknownPlace = run(admin.tenantId, (uow) => stock.receive(uow, order, [{ itemId: lamp, quantity: '1', locationId: 'loc_01M8RA5DZ0E524BHJEP0CKCRSX', unitCost: eur(1) }], 'cli_erp'));
    await expect(unknownPlace).rejects.toMatchObject({ fields: [{ pointer: '/lines/0/location_id' }] });
    // The caller's transaction fails after receiving: the receipts go with it.
    await expect(
      run(admin.tenantId, async (uow) => {
        await stock.receive(uow, order, [{ itemId: lamp, quantity: '5', locationId: dock, unitCost: eur(9999) }], 'cli_erp');
        throw new Error('the order could not be saved');
      }),
    ).rejects.toThrow('the order could not be saved');
    expect(await totals(lamp)).toMatchObject({ on_hand: '2', unit_cost: eur(1000) });

    const received = await run(admin.tenantId, (uow) =>
      stock.receive(uow, order, [
        { itemId: lamp, quantity: '2', locationId: dock, unitCost: eur(1300) },
        { itemId: wire, quantity: '2.5', locationId: dock, unitCost: eur(41), lot: 'W-1' },
      ], 'cli_erp'),
    );
    expect(received.map((m) => [m.type, m.itemId, m.quantity, m.toLocationId, m.lot, m.unitCost, m.cost, m.reference, m.postedBy])).toEqual([
      ['receipt', lamp, 2000, dock, null, eur(1300), eur(2600), order, 'cli_erp'],
      // 2.5 × 0.41 = 1.025 → 1.02 (half to even).
      ['receipt', wire, 2500, dock, 'W-1', eur(41), eur(102), order, 'cli_erp'],
    ]);
    // (2 × 10.00 + 2 × 13.00) / 4 = 11.50.
    expect(await totals(lamp)).toMatchObject({ on_hand: '4', unit_cost: eur(1150), value: eur(4600) });
    expect(await totals(wire)).toMatchObject({ on_hand: '2.5', value: eur(102) });
    expect((await h.request('GET', '/v1/wms/stock-check', { token: admin.token })).body.drift).toEqual([]);
  });

  it('looks items up for a document: unit and whether active; unknown ids and other tenants\' items are absent', async () => {
    const { stock } = h.stratum.use(wmsModule);
    const run = h.stratum.kernel.runInUnitOfWork;
    const bolt = await post('/items', { sku: 'ERP-BOLT', name: 'Bolt', category: 'component', unit: 'ea' });
    const cable = await post('/items', { sku: 'ERP-CABLE', name: 'Cable', category: 'component', unit: 'm' });
    expect((await h.request('PATCH', `/v1/wms/items/${cable.id}`, { token: admin.token, json: { is_active: false }, headers: { 'content-type': 'application/merge-patch+json', 'if-match': '"1"' } })).status).toBe(200);
    const stranger = await h.tenant();
    const theirs = (await h.request('POST', '/v1/wms/items', { token: stranger.token, json: { sku: 'ERP-BOLT', name: 'Bolt', category: 'component', unit: 'ea' } })).body;
    const found = await run(admin.tenantId, (uow) => stock.items(uow, [bolt.id, cable.id, theirs.id, 'itm_01M8RDA4M0BAN7CSRWPDWF0GPZ', bolt.id]));
    expect([...found.keys()].sort()).toEqual([bolt.id, cable.id].sort());
    expect(found.get(bolt.id)).toMatchObject({ id: bolt.id, sku: 'ERP-BOLT', unit: 'ea', isActive: true });
    expect(found.get(cable.id)).toMatchObject({ unit: 'm', isActive: false });
    expect((await run(admin.tenantId, (uow) => stock.items(uow, []))).size).toBe(0);
  });

  it('finds where stock can be taken: active items tracked neither by lot nor serial, with enough available, by SKU', async () => {
    const { stock } = h.stratum.use(wmsModule);
    const t = await h.tenant();
    const make = async (path: string, json: unknown) => {
      const res = await h.request('POST', `/v1/wms${path}`, { token: t.token, json });
      expect(res.status).toBe(201);
      return res.body;
    };
    const warehouse = await make('/warehouses', { code: 'T-1', name: 'Takeable' });
    const bin = (await make('/locations', { warehouse_id: warehouse.id, code: 'B1', type: 'storage' })).id;
    const plain = await make('/items', { sku: 'B-PLAIN', name: 'Plain', category: 'finished', unit: 'ea' });
    const few = await make('/items', { sku: 'A-FEW', name: 'Few', category: 'finished', unit: 'ea' });
    const lots = await make('/items', { sku: 'C-LOTS', name: 'By lot', category: 'finished', unit: 'ea', tracking: 'lot' });
    await make('/stock-moves', { type: 'receipt', item_id: plain.id, quantity: '5', to_location_id: bin, unit_cost: { amount: 100, currency: 'EUR' } });
    await make('/stock-moves', { type: 'receipt', item_id: few.id, quantity: '1', to_location_id: bin, unit_cost: { amount: 100, currency: 'EUR' } });
    await make('/stock-moves', { type: 'receipt', item_id: lots.id, quantity: '9', to_location_id: bin, lot: 'L1', unit_cost: { amount: 100, currency: 'EUR' } });
    const found = await h.stratum.kernel.runInUnitOfWork(t.tenantId, (uow) => stock.takeable(uow, '2', 10));
    expect(found).toEqual([{ itemId: plain.id, locationId: bin, warehouseId: warehouse.id, available: 5000 }]);
    expect(await h.stratum.kernel.runInUnitOfWork(t.tenantId, (uow) => stock.takeable(uow, '1', 1))).toEqual([{ itemId: few.id, locationId: bin, warehouseId: warehouse.id, available: 1000 }]);
  });
});
