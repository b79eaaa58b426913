import { ConflictError, InvalidInputError } from '../../src/platform/errors';
import { CycleCount } from '../../src/modules/wms/domain/cycle-count';
import { formatQuantity, parseQuantity } from '../../src/modules/wms/domain/quantity';
import { Reservation } from '../../src/modules/wms/domain/reservation';
import { balanceOrder, planMove, planReversal, stockLow, type MoveRequest, type StockItem, type StockLocation } from '../../src/modules/wms/domain/stock-move';
import { ItemValuation } from '../../src/modules/wms/domain/valuation';

const bolt: StockItem = { id: 'itm_B', sku: 'BOLT-M8', unit: 'ea', tracking: 'none', isActive: true, reorderPoint: 0 };
const flour: StockItem = { id: 'itm_F', sku: 'FLOUR', unit: 'kg', tracking: 'lot', isActive: true, reorderPoint: 0 };
const phone: StockItem = { id: 'itm_P', sku: 'PHONE', unit: 'ea', tracking: 'serial', isActive: true, reorderPoint: 0 };
const locations = new Map<string, StockLocation>([
  ['loc_A', { id: 'loc_A', warehouseId: 'whs_1', isActive: true }],
  ['loc_B', { id: 'loc_B', warehouseId: 'whs_1', isActive: true }],
  ['loc_X', { id: 'loc_X', warehouseId: 'whs_1', isActive: false }],
]);
const eur = (amount: number) => ({ amount, currency: 'EUR' });
const plan = (request: Partial<MoveRequest>, item: StockItem = bolt) => planMove('ten_1', { type: 'transfer', itemId: item.id, quantity: '1', ...request } as MoveRequest, item, locations, 'cli_1');
const pointers = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidInputError) return err.fields.map((f) => f.pointer).sort();
    throw err;
  }
  throw new Error('no InvalidInputError');
};

describe('quantities', () => {
  it('are decimal strings with at most 3 decimals, held as integer thousandths', () => {
    expect(parseQuantity('12.5', '/q')).toBe(12500);
    expect(parseQuantity('0.001', '/q')).toBe(1);
    expect(parseQuantity('999999999999.999', '/q')).toBe(999_999_999_999_999);
    expect(formatQuantity(12500)).toBe('12.5');
    expect(formatQuantity(1)).toBe('0.001');
    expect(formatQuantity(-3000)).toBe('-3');
    for (const bad of ['1.2345', '-1', '01', '1e3', '', ' 1', '1.', '.5']) expect(() => parseQuantity(bad, '/q')).toThrow(InvalidInputError);
  });

  it('are whole for items counted each, and positive unless zero is allowed', () => {
    expect(() => parseQuantity('1.5', '/quantity', { unit: 'ea' })).toThrow(/whole number/);
    expect(parseQuantity('1.5', '/quantity', { unit: 'kg' })).toBe(1500);
    expect(() => parseQuantity('0', '/quantity')).toThrow(/greater than 0/);
    expect(parseQuantity('0', '/counted', { allowZero: true })).toBe(0);
  });
});

describe('planning a move', () => {
  it('takes the locations its type needs, and only those', () => {
    expect(pointers(() => plan({ type: 'receipt', fromLocationId: 'loc_A', unitCost: eur(100) }))).toEqual(['/from_location_id', '/to_location_id']);
    expect(pointers(() => plan({ type: 'transfer', fromLocationId: 'loc_A' }))).toEqual(['/to_location_id']);
    expect(pointers(() => plan({ type: 'shipment', toLocationId: 'loc_A' }))).toEqual(['/from_location_id', '/to_location_id']);
    expect(pointers(() => plan({ type: 'adjustment', reasonCode: 'damaged' }))).toEqual(['/from_location_id', '/to_location_id']);
    expect(pointers(() => plan({ type: 'adjustment', reasonCode: 'damaged', fromLocationId: 'loc_A', toLocationId: 'loc_B' }))).toEqual(['/from_location_id', '/to_location_id']);
  });

  it('refuses a transfer to the same location, unknown locations, and fractions of an ea item', () => {
    expect(pointers(() => plan({ fromLocationId: 'loc_A', toLocationId: 'loc_A' }))).toEqual(['/to_location_id']);
    expect(pointers(() => plan({ fromLocationId: 'loc_A', toLocationId: 'loc_Z' }))).toEqual(['/to_location_id']);
    expect(pointers(() => plan({ fromLocationId: 'loc_A', toLocationId: 'loc_B', quantity: '1.5' }))).toEqual(['/quantity']);
    expect(() => planMove('ten_1', { type: 'transfer', itemId: 'itm_none', quantity: '1', fromLocationId: 'loc_A', toLocationId: 'loc_B' }, undefined, locations, 'cli_1')).toThrow(/item_id/);
  });

  it('needs a unit cost on receipts, a reason on adjustments, and a reservation only on shipments', () => {
    expect(pointers(() => plan({ type: 'receipt', toLocationId: 'loc_A' }))).toEqual(['/unit_cost']);
    expect(pointers(() => plan({ type: 'adjustment', fromLocationId: 'loc_A' }))).toEqual(['/reason_code']);
    expect(pointers(() => plan({ type: 'adjustment', fromLocationId: 'loc_A', reasonCode: 'Damaged!' }))).toEqual(['/reason_code']);
    expect(pointers(() => plan({ fromLocationId: 'loc_A', toLocationId: 'loc_B', unitCost: eur(1), reservationId: 'res_1' }))).toEqual(['/reservation_id', '/unit_cost']);
    expect(pointers(() => plan({ type: 'adjustment', toLocationId: 'loc_A', reasonCode: 'found', unitCost: eur(5) }))).toEqual(['/unit_cost']);
    expect(plan({ type: 'adjustment', toLocationId: 'loc_A', reasonCode: 'found' }).valuation).toEqual({ kind: 'in', cost: 'average' });
  });

  it('needs a lot for lot-tracked items and serials, one per unit, for serial-tracked ones', () => {
    expect(pointers(() => plan({ fromLocationId: 'loc_A', toLocationId: 'loc_B' }, flour))).toEqual(['/lot']);
    expect(pointers(() => plan({ fromLocationId: 'loc_A', toLocationId: 'loc_B', lot: 'L1' }))).toEqual(['/lot']);
    expect(pointers(() => plan({ fromLocationId: 'loc_A', toLocationId: 'loc_B', quantity: '2', serials: ['S1'] }, phone))).toEqual(['/serials']);
    expect(pointers(() => plan({ fromLocationId: 'loc_A', toLocationId: 'loc_B', quantity: '2', serials: ['S1', 'S1'] }, phone))).toEqual(['/serials']);
    expect(pointers(() => plan({ fromLocationId: 'loc_A', toLocationId: 'loc_B', serials: ['S1'] }))).toEqual(['/serials']);
    const planned = plan({ fromLocationId: 'loc_A', toLocationId: 'loc_B', quantity: '2', serials: ['S2', 'S1'] }, phone);
    expect(planned.serials).toEqual({ from: 'loc_A', to: 'loc_B', serials: ['S2', 'S1'] });
  });

  it('refuses new stock for an inactive item or into an inactive location (409)', () => {
    expect(() => plan({ type: 'receipt', toLocationId: 'loc_A', unitCost: eur(1) }, { ...bolt, isActive: false })).toThrow(ConflictError);
    expect(() => plan({ fromLocationId: 'loc_A', toLocationId: 'loc_X' })).toThrow(/inactive/);
    expect(plan({ type: 'shipment', fromLocationId: 'loc_A' }, { ...bolt, isActive: false }).move.type).toBe('shipment');
  });

  it('changes the balances a move names: out of one, into the other, reserved down when it consumes a reservation', () => {
    expect(plan({ fromLocationId: 'loc_B', toLocationId: 'loc_A', quantity: '3' }).changes).toEqual([
      { locationId: 'loc_B', warehouseId: 'whs_1', lot: '', onHand: -3000, reserved: 0 },
      { locationId: 'loc_A', warehouseId: 'whs_1', lot: '', onHand: 3000, reserved: 0 },
    ]);
    expect(plan({ type: 'shipment', fromLocationId: 'loc_A', quantity: '2', reservationId: 'res_1' }).changes).toEqual([{ locationId: 'loc_A', warehouseId: 'whs_1', lot: '', onHand: -2000, reserved: -2000 }]);
  });

  it('reverses a move once, with the locations swapped and the value it recorded', () => {
    const receipt = { ...plan({ type: 'receipt', toLocationId: 'loc_A', quantity: '5', unitCost: eur(200) }).move, cost: eur(1000), reversedByMoveId: null };
    const reversal = planReversal(receipt, locations, 'cli_2');
    expect(reversal.move).toMatchObject({ type: 'receipt', fromLocationId: 'loc_A', toLocationId: null, quantity: 5000, reversesMoveId: receipt.id, postedBy: 'cli_2' });
    expect(reversal.valuation).toEqual({ kind: 'out', cost: 'average' });
    expect(reversal.recordedCost).toEqual(eur(1000));
    expect(() => planReversal({ ...receipt, reversedByMoveId: 'mov_2' }, locations, 'cli_2')).toThrow(/already reversed/);
    expect(() => planReversal({ ...reversal.move, reversedByMoveId: null }, locations, 'cli_2')).toThrow(/itself a reversal/);
  });

  it('locks balances in one order: item, then location, then lot', () => {
    const keys = [
      { itemId: 'itm_2', locationId: 'loc_A', lot: '' },
      { itemId: 'itm_1', locationId: 'loc_B', lot: 'L2' },
      { itemId: 'itm_1', locationId: 'loc_B', lot: 'L1' },
      { itemId: 'itm_1', locationId: 'loc_A', lot: 'L9' },
    ];
    expect([...keys].sort(balanceOrder).map((k) => `${k.itemId}/${k.locationId}/${k.lot}`)).toEqual(['itm_1/loc_A/L9', 'itm_1/loc_B/L1', 'itm_1/loc_B/L2', 'itm_2/loc_A/']);
  });
});

describe('the moving-average valuation', () => {
  const empty = () => ItemValuation.of({ itemId: 'itm_B', onHand: 0, reserved: 0, value: 0, currency: null });

  it('averages receipts and takes stock out at the average, rounded half to even', () => {
    const v = empty();
    expect(v.add(10_000, ItemValuation.costOf(10_000, eur(100)))).toEqual(eur(1000));
    v.add(10_000, ItemValuation.costOf(10_000, eur(200)));
    expect(v.unitCost).toEqual(eur(150));
    expect(v.remove(3_000)).toEqual(eur(450));
    expect(v.snapshot).toMatchObject({ onHand: 17_000, value: 2550 });
    // 1/3 of 10 cents: 3.33 → 3; the rest stays with the stock.
    const w = empty();
    w.add(3_000, eur(10));
    expect(w.remove(1_000)).toEqual(eur(3));
    expect(w.remove(1_000)).toEqual(eur(4)); // 7 × 1/2 = 3.5 → 4 (half to even)
    expect(w.remove(1_000)).toEqual(eur(3)); // the last unit takes what is left
    expect(w.snapshot).toMatchObject({ onHand: 0, value: 0 });
  });

  it('values stock found at the average, and only in one currency', () => {
    const v = empty();
    v.add(2_000, eur(500));
    expect(v.addAtAverage(1_000)).toEqual(eur(250));
    expect(v.remove(1_000)).toEqual(eur(250));
    // Found before anything was bought: no value to give it, and it dilutes the first cost.
    const w = empty();
    expect(w.addAtAverage(1_000)).toBeNull();
    w.add(1_000, eur(500));
    expect(w.unitCost).toEqual(eur(250));
    expect(() => v.add(1_000, { amount: 1, currency: 'USD' })).toThrow(/valued in EUR/);
  });

  it('costs fractions of a unit exactly', () => {
    expect(ItemValuation.costOf(12_500, eur(199))).toEqual(eur(2488)); // 12.5 × 1.99 = 24.875 → 24.88
    expect(ItemValuation.costOf(1, eur(100))).toEqual(eur(0));
  });
});

describe('a reservation', () => {
  const place = (expiresAt: Date | null = null) =>
    Reservation.place('ten_1', { itemId: 'itm_B', locationId: 'loc_A', warehouseId: 'whs_1', lot: '', quantity: 5000, reference: { type: 'sales_order', id: 'so_1' }, expiresAt }, new Date('2026-12-06T10:00:00Z'));

  it('is consumed by shipments of its item, location and lot, up to what it holds', () => {
    const r = place();
    expect(() => r.consume({ itemId: 'itm_B', locationId: 'loc_B', lot: '', quantity: 1000 })).toThrow(ConflictError);
    expect(() => r.consume({ itemId: 'itm_B', locationId: 'loc_A', lot: '', quantity: 6000 })).toThrow(/holds 5/);
    r.consume({ itemId: 'itm_B', locationId: 'loc_A', lot: '', quantity: 2000 });
    expect(r.snapshot).toMatchObject({ remaining: 3000, status: 'active', version: 2 });
    r.consume({ itemId: 'itm_B', locationId: 'loc_A', lot: '', quantity: 3000 });
    expect(r.snapshot).toMatchObject({ remaining: 0, status: 'consumed' });
    expect(() => r.release()).toThrow(/consumed/);
    expect(r.pullEvents().map((e) => [e.type, (e.payload as { reason?: string }).reason])).toEqual([
      ['wms.stock.reserved', undefined],
      ['wms.stock.released', 'consumed'],
    ]);
  });

  it('frees what remains when released, once', () => {
    const r = place();
    expect(r.release()).toBe(5000);
    expect(() => r.release()).toThrow(/released/);
  });

  it('counts as expired past its expiry, swept or not, and can then only expire', () => {
    const r = place(new Date('2026-12-06T11:00:00Z'));
    const later = new Date('2026-12-06T11:00:01Z');
    expect(r.statusAt(new Date('2026-12-06T10:59:59Z'))).toBe('active');
    expect(r.statusAt(later)).toBe('expired');
    expect(() => r.release(later)).toThrow(/expired/);
    expect(() => r.consume({ itemId: 'itm_B', locationId: 'loc_A', lot: '', quantity: 1000 }, later)).toThrow(/expired/);
    expect(r.expire(later)).toBe(5000);
    expect(() => place(new Date('2026-12-06T09:00:00Z'))).toThrow(/expires_at/);
  });
});

describe('a cycle count', () => {
  const items = new Map([
    [bolt.id, bolt],
    [flour.id, flour],
    [phone.id, phone],
  ]);

  it('checks its lines: known items, a lot where tracked, serials where tracked by serial, one line per item and lot', () => {
    expect(
      pointers(() =>
        CycleCount.open(
          'ten_1',
          'loc_A',
          [
            { itemId: 'itm_B', countedQuantity: '1' },
            { itemId: 'itm_B', countedQuantity: '2' },
            { itemId: 'itm_F', countedQuantity: '1' },
            { itemId: 'itm_P', countedQuantity: '1' },
            { itemId: 'itm_Q', countedQuantity: '1' },
            { itemId: 'itm_B', lot: 'L', countedQuantity: '1.5' },
          ],
          items,
        ),
      ),
    ).toEqual(['/lines/1/item_id', '/lines/2/lot', '/lines/3/serials', '/lines/4/item_id', '/lines/5/counted_quantity', '/lines/5/lot']);
    expect(
      pointers(() =>
        CycleCount.open(
          'ten_1',
          'loc_A',
          [
            { itemId: 'itm_P', countedQuantity: '2', serials: ['S1'] },
            { itemId: 'itm_B', countedQuantity: '1', serials: ['S2'] },
          ],
          items,
        ),
      ),
    ).toEqual(['/lines/0/serials', '/lines/1/serials']);
    expect(pointers(() => CycleCount.open('ten_1', 'loc_A', [{ itemId: 'itm_P', countedQuantity: '2', serials: ['S1', 'S1'] }], items))).toEqual(['/lines/0/serials']);
    expect(CycleCount.open('ten_1', 'loc_A', [{ itemId: 'itm_P', countedQuantity: '0', serials: [] }], items).snapshot.lines[0]).toMatchObject({ counted: 0, serials: [] });
  });

  it('posts a serial-tracked line serial by serial: the missing ones out, the found ones in, even when the numbers agree', () => {
    const count = CycleCount.open('ten_1', 'loc_A', [{ itemId: 'itm_P', countedQuantity: '3', serials: ['S9', 'S1', 'S4'] }], items);
    expect(count.post(() => ({ onHand: 3000, serials: ['S1', 'S2', 'S3'] }))).toEqual([
      { line: 0, itemId: 'itm_P', lot: '', difference: -2000, serials: ['S2', 'S3'] },
      { line: 0, itemId: 'itm_P', lot: '', difference: 2000, serials: ['S9', 'S4'] },
    ]);
    count.recordMove(0, 'mov_1');
    count.recordMove(0, 'mov_2');
    expect(count.snapshot.lines[0]).toMatchObject({ expected: 3000, difference: 0, serialsMissing: ['S2', 'S3'], serialsFound: ['S9', 'S4'], moveId: 'mov_1', moveIds: ['mov_1', 'mov_2'] });
    // Found exactly what the ledger has: nothing to post.
    const same = CycleCount.open('ten_1', 'loc_A', [{ itemId: 'itm_P', countedQuantity: '2', serials: ['S2', 'S1'] }], items);
    expect(same.post(() => ({ onHand: 2000, serials: ['S1', 'S2'] }))).toEqual([]);
    expect(same.snapshot.lines[0]).toMatchObject({ difference: 0, serialsMissing: [], serialsFound: [], moveId: null, moveIds: [] });
  });

  it('reads a line stored before serial counts with empty serial fields', () => {
    const stored = CycleCount.open('ten_1', 'loc_A', [{ itemId: 'itm_B', countedQuantity: '1' }], items).snapshot;
    const old = { ...stored, lines: stored.lines.map(({ moveIds: _m, serials: _s, serialsMissing: _x, serialsFound: _y, ...rest }) => ({ ...rest, moveId: 'mov_9' })) };
    expect(CycleCount.restore(old as never).snapshot.lines[0]).toMatchObject({ moveId: 'mov_9', moveIds: ['mov_9'], serials: null, serialsMissing: null, serialsFound: null });
  });

  it('posts one difference per line that differs, once', () => {
    const count = CycleCount.open('ten_1', 'loc_A', [{ itemId: 'itm_B', countedQuantity: '7' }, { itemId: 'itm_F', lot: 'L1', countedQuantity: '2.5' }, { itemId: 'itm_F', lot: 'L2', countedQuantity: '0' }], items);
    const onHand: Record<string, number> = { 'itm_B/': 10_000, 'itm_F/L1': 2_500, 'itm_F/L2': 1_000 };
    expect(count.post((l) => ({ onHand: onHand[`${l.itemId}/${l.lot}`] }))).toEqual([
      { line: 0, itemId: 'itm_B', lot: '', difference: -3000 },
      { line: 2, itemId: 'itm_F', lot: 'L2', difference: -1000 },
    ]);
    expect(count.snapshot).toMatchObject({ status: 'posted', version: 2 });
    expect(() => count.post(() => ({ onHand: 0 }))).toThrow(/only a draft/);
    expect(() => count.cancel()).toThrow(ConflictError);
  });
});

describe('the low-stock event', () => {
  const item = { ...bolt, reorderPoint: 5000 };
  it('is recorded when available falls from at least the reorder point to below it, and only then', () => {
    const now = new Date('2026-12-06T10:00:00Z');
    expect(stockLow('ten_1', item, 5000, 4999, now)?.payload).toEqual({ item_id: bolt.id, sku: 'BOLT-M8', available: '4.999', reorder_point: '5' });
    expect(stockLow('ten_1', item, 4000, 3000, now)).toBeNull();
    expect(stockLow('ten_1', item, 9000, 5000, now)).toBeNull();
    expect(stockLow('ten_1', bolt, 9000, 0, now)).toBeNull();
  });
});
