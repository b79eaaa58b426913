import fc from 'fast-check';
import { ConflictError, NotSupportedError } from '../../src/platform/errors';
import { extendedAmount } from '../../src/modules/erp/domain/order';
import { availableActions, PurchaseOrder, type PurchaseOrderLineInput, receiptValue } from '../../src/modules/erp/domain/purchase-order';
import { invalidPointers as pointers } from '../support/invalid';

const TENANT = 'ten_01M88YXTM0Q4R7S9T2V5W8X1Y3';
const DOCK = 'loc_01M8RA5DZ0E524BHJEP0CKCRSX';
const at = (iso: string) => new Date(iso);
const line = (extra: Partial<PurchaseOrderLineInput> = {}): PurchaseOrderLineInput => ({
  itemId: 'itm_01M8RDA4M0BAN7CSRWPDWF0GPZ',
  quantity: 2000,
  unitCost: { amount: 1250, currency: 'EUR' },
  taxRateId: 'txr_01M8C0A2C4E6G8J0K2M4P6R8T0',
  taxRate: 19000,
  taxInclusive: false,
  locationId: DOCK,
  ...extra,
});
const order = (lines = [line()]) => PurchaseOrder.create(TENANT, { number: 'PO-2026-000001', supplierId: 'sup_01M8C2D4F6H8K0M2P4R6T8V0X2', orderDate: '2026-12-09', currency: 'EUR', lines }, at('2026-12-09T10:00:00Z'));

describe('a purchase order: its state machine', () => {
  it('is made a draft with its lines, version 1, and records no event', () => {
    const o = order();
    expect(o.snapshot).toMatchObject({ status: 'draft', version: 1, number: 'PO-2026-000001' });
    expect(o.snapshot.lines[0]).toMatchObject({ quantity: 2000, unitCost: 1250, quantityReceived: 0, locationId: DOCK });
    expect(o.snapshot.lines[0].id).toMatch(/^pol_/);
    expect(o.id).toMatch(/^po_/);
    expect(o.availableActions).toEqual(['confirm', 'cancel']);
    expect(o.pullEvents()).toEqual([]);
  });

  it('refuses lines it cannot take, naming each field', () => {
    expect(pointers(() => order([]))).toEqual(['/lines']);
    expect(pointers(() => order([line(), line({ unitCost: { amount: 5, currency: 'USD' } })]))).toEqual(['/lines/1/unit_cost/currency']);
    expect(pointers(() => order([line({ unitCost: { amount: -1, currency: 'EUR' } })]))).toEqual(['/lines/0/unit_cost/amount']);
    expect(pointers(() => order([line({ quantity: 0 })]))).toEqual(['/lines/0/quantity']);
    expect(pointers(() => order([line({ quantity: 999_999_999_999_999, unitCost: { amount: 999_999_999, currency: 'EUR' } })]))).toEqual(['/lines/0/unit_cost/amount']);
    expect(() => PurchaseOrder.create(TENANT, { number: 'PO-2026-000001', supplierId: 'sup_x', orderDate: '2026-12-09', currency: 'USD', lines: [line()] })).toThrow(NotSupportedError);
  });

  it('walks draft → confirmed → partially_received → received, recording erp.purchase_order.received per receipt', () => {
    const o = order([line(), line({ quantity: 5000, locationId: null })]);
    o.confirm(at('2026-12-09T11:00:00Z'));
    expect(o.snapshot).toMatchObject({ status: 'confirmed', version: 2 });
    expect(o.availableActions).toEqual(['receive', 'cancel']);
    expect(o.pullEvents()).toEqual([]);
    const [first, second] = o.snapshot.lines.map((l) => l.id);

    const part = o.planReceipt([{ lineId: second, quantity: 3000, lot: 'L1' }], 'loc_01M8RA5DZ0E524BHJEP0CKCRSY');
    expect(part).toEqual([{ lineId: second, index: 1, itemId: line().itemId, quantity: 3000, locationId: 'loc_01M8RA5DZ0E524BHJEP0CKCRSY', unitCost: { amount: 1250, currency: 'EUR' }, lot: 'L1' }]);
    o.received(part);
    expect(o.snapshot).toMatchObject({ status: 'partially_received', version: 3 });
    expect(o.availableActions).toEqual(['receive', 'bill']);

    // The second line names no location: everything outstanding needs the receipt's.
    expect(pointers(() => o.planReceipt())).toEqual(['/location_id']);
    const rest = o.planReceipt(undefined, DOCK);
    expect(rest.map((p) => [p.lineId, p.quantity, p.locationId])).toEqual([
      [first, 2000, DOCK],
      [second, 2000, DOCK],
    ]);
    o.received(rest);
    expect(o.snapshot).toMatchObject({ status: 'received', version: 4 });
    expect(o.availableActions).toEqual(['bill']);
    const events = o.pullEvents();
    expect(events.map((e) => e.type)).toEqual(['erp.purchase_order.received', 'erp.purchase_order.received']);
    expect(events[1]).toMatchObject({ aggregateType: 'purchase_order', aggregateId: o.id, tenantId: TENANT });
    expect(events[1].payload).toMatchObject({ id: o.id, status: 'received', lines: [{ quantity_received: '2' }, { quantity_received: '5' }] });

    // Billed: what was received and not billed; the status stays, nothing is left to bill.
    const toBill = o.planBill();
    expect(toBill).toEqual([
      { lineId: first, index: 0, quantity: 2000 },
      { lineId: second, index: 1, quantity: 5000 },
    ]);
    o.billed(toBill);
    expect(o.snapshot).toMatchObject({ status: 'received', version: 5 });
    expect(o.snapshot.lines.map((l) => l.quantityBilled)).toEqual([2000, 5000]);
    expect(o.availableActions).toEqual([]);
    expect(() => o.planBill()).toThrow(/is received: it cannot bill; the actions it takes now: none/);
  });

  it('refuses more than a line has outstanding (409 naming it), and unknown or repeated lines (400)', () => {
    const o = order([line(), line()]);
    o.confirm();
    const [first] = o.snapshot.lines.map((l) => l.id);
    expect(() => o.planReceipt([{ lineId: first, quantity: 2001 }])).toThrow(new RegExp(`Line ${first} \\(/lines/0\\) of purchase order .* has 2 outstanding \\(2 ordered, 0 received\\): 2.001 cannot be received`));
    expect(() => o.planReceipt([{ lineId: first, quantity: 2001 }])).toThrow(ConflictError);
    expect(pointers(() => o.planReceipt([{ lineId: 'pol_nope', quantity: 1 }]))).toEqual(['/lines/0/line_id']);
    expect(pointers(() => o.planReceipt([{ lineId: first, quantity: 1 }, { lineId: first, quantity: 1 }]))).toEqual(['/lines/1/line_id']);
  });

  it('cancels a draft or a confirmed order, never one received in part', () => {
    const d = order();
    d.cancel();
    expect(d.snapshot).toMatchObject({ status: 'cancelled', version: 2 });
    const c = order();
    c.confirm();
    c.cancel();
    expect(c.snapshot.status).toBe('cancelled');
    const p = order([line(), line()]);
    p.confirm();
    p.received(p.planReceipt([{ lineId: p.snapshot.lines[0].id, quantity: 1000 }]));
    expect(() => p.cancel()).toThrow(/Purchase order po_\w+ is partially_received: it cannot cancel; the actions it takes now: receive/);
  });

  it('changes only a draft; a patch that changes nothing keeps the version', () => {
    const o = order();
    expect(o.change({ orderDate: '2026-12-09', supplierId: o.snapshot.supplierId }).changed).toBe(false);
    expect(o.change({ orderDate: '2026-12-10', lines: [line({ quantity: 1000 })] }).changed).toBe(true);
    expect(o.snapshot).toMatchObject({ version: 2, orderDate: '2026-12-10' });
    expect(o.snapshot.lines[0].quantity).toBe(1000);
    expect(() => o.change({ currency: 'GBP' })).toThrow(NotSupportedError);
    o.confirm();
    expect(() => o.change({ orderDate: '2026-12-11' })).toThrow(/is confirmed: it cannot be changed \(only a draft can\); the actions it takes now: receive, cancel/);
  });

  it('values a receipt at Σ quantity × unit cost, each line rounded half to even', () => {
    const plan = (quantity: number, amount: number) => ({ lineId: 'pol_x', index: 0, itemId: 'itm_x', quantity, locationId: DOCK, unitCost: { amount, currency: 'EUR' } });
    // 2.5 × 0.41 = 1.025 → 1.02; 1.5 × 0.41 = 0.615 → 0.62; 6 × 13.00 = 78.00.
    expect(receiptValue([plan(2500, 41)])).toBe(102n);
    expect(receiptValue([plan(1500, 41)])).toBe(62n);
    expect(receiptValue([plan(6000, 1300), plan(2500, 41)])).toBe(7902n);
    expect(receiptValue([])).toBe(0n);
  });

  it('takes only the actions its status lists, never receives beyond a line, and values every receipt by its lines (property)', () => {
    const actions = ['confirm', 'receive', 'cancel'] as const;
    fc.assert(
      fc.property(
        fc.array(fc.record({ action: fc.constantFrom(...actions), quantity: fc.integer({ min: 1, max: 4000 }), cost: fc.integer({ min: 0, max: 100_000 }) }), { maxLength: 10 }),
        (attempts) => {
          const o = order([line({ quantity: 3000 }), line({ quantity: 2500, unitCost: { amount: 41, currency: 'EUR' } })]);
          for (const { action, quantity } of attempts) {
            const allowed = availableActions(o.snapshot.status).includes(action);
            const version = o.version;
            const before = o.snapshot.lines.map((l) => l.quantityReceived);
            if (!allowed) {
              expect(() => (action === 'confirm' ? o.confirm() : action === 'cancel' ? o.cancel() : o.planReceipt())).toThrow(ConflictError);
              expect(o.version).toBe(version);
              continue;
            }
            if (action === 'confirm') o.confirm();
            else if (action === 'cancel') o.cancel();
            else {
              const target = o.snapshot.lines[0];
              const outstanding = target.quantity - target.quantityReceived;
              if (quantity > outstanding) {
                expect(() => o.planReceipt([{ lineId: target.id, quantity }])).toThrow(ConflictError);
                expect(o.version).toBe(version);
                continue;
              }
              const planned = o.planReceipt([{ lineId: target.id, quantity }]);
              expect(receiptValue(planned)).toBe(extendedAmount(quantity, 1250));
              o.received(planned);
            }
            expect(o.version).toBe(version + 1);
            if (o.snapshot.status === 'cancelled') expect(before.every((q) => q === 0)).toBe(true);
          }
          for (const l of o.snapshot.lines) expect(l.quantityReceived).toBeLessThanOrEqual(l.quantity);
          const received = o.snapshot.lines.some((l) => l.quantityReceived > 0);
          if (received) expect(['partially_received', 'received']).toContain(o.snapshot.status);
          if (o.snapshot.status === 'received') expect(o.snapshot.lines.every((l) => l.quantityReceived === l.quantity)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
