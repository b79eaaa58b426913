import fc from 'fast-check';
import { ConflictError, NotSupportedError } from '../../src/platform/errors';
import { availableActions, lineAmounts, orderTotals, SalesOrder, type SalesOrderLineInput } from '../../src/modules/erp/domain/sales-order';
import { lineTax } from '../../src/modules/erp/domain/tax';
import { invalidPointers as pointers } from '../support/invalid';

const TENANT = 'ten_01M88YXTM0Q4R7S9T2V5W8X1Y3';
const at = (iso: string) => new Date(iso);
const line = (extra: Partial<SalesOrderLineInput> = {}): SalesOrderLineInput => ({
  itemId: 'itm_01M8RDA4M0BAN7CSRWPDWF0GPZ',
  quantity: 2000,
  unitPrice: { amount: 1999, currency: 'EUR' },
  taxRateId: 'txr_01M8C0A2C4E6G8J0K2M4P6R8T0',
  taxRate: 19000,
  taxInclusive: false,
  locationId: null,
  warehouseId: 'whs_01M8R9W900AFQWF3HY8R410TC4',
  ...extra,
});
const order = (lines = [line()]) => SalesOrder.create(TENANT, { number: 'SO-2026-000001', customerId: 'cus_01M8C1B3D5F7H9K1M3P5R7T9V1', orderDate: '2026-12-09', currency: 'EUR', lines }, at('2026-12-09T10:00:00Z'));

describe('a sales order line: quantity × price, then the per-line tax rule', () => {
  it('rounds the amount half to even once, then takes lineTax of it', () => {
    expect(lineAmounts({ quantity: 2000, unitPrice: 1999, taxRate: 19000, taxInclusive: false })).toEqual({ net: 3998, tax: 760, total: 4758 });
    // 2.5 × 3.33 = 8.325 → 8.32 (to even); 7 % of it 0.5824 → 0.58.
    expect(lineAmounts({ quantity: 2500, unitPrice: 333, taxRate: 7000, taxInclusive: false })).toEqual({ net: 832, tax: 58, total: 890 });
    // 0.5 × 0.03 = 0.015 → 0.02 (to even).
    expect(lineAmounts({ quantity: 500, unitPrice: 3, taxRate: 0, taxInclusive: false })).toEqual({ net: 2, tax: 0, total: 2 });
    // Inclusive prices: the amount is gross; net + tax is the price.
    expect(lineAmounts({ quantity: 1000, unitPrice: 11900, taxRate: 19000, taxInclusive: true })).toEqual({ net: 10000, tax: 1900, total: 11900 });
  });

  it('always has net + tax = total, totals equal to the sums of the lines, and matches lineTax (property)', () => {
    const arbLine = fc.record({
      quantity: fc.integer({ min: 1, max: 10_000_000 }),
      unitPrice: fc.integer({ min: 0, max: 10_000_000 }),
      taxRate: fc.integer({ min: 0, max: 999_999 }),
      taxInclusive: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(arbLine, { minLength: 1, maxLength: 20 }), (lines) => {
        let net = 0n;
        let tax = 0n;
        for (const l of lines) {
          const a = lineAmounts(l);
          expect(a.net + a.tax).toBe(a.total);
          expect(a.net).toBeGreaterThanOrEqual(0);
          expect(a.tax).toBeGreaterThanOrEqual(0);
          const amount = Number((BigInt(l.quantity) * BigInt(l.unitPrice) * 2n + 1000n) / 2000n); // within one of the exact rounding
          expect(Math.abs((l.taxInclusive ? a.total : a.net) - amount)).toBeLessThanOrEqual(1);
          const t = lineTax(l.taxInclusive ? a.total : a.net, l.taxRate, l.taxInclusive);
          expect({ net: t.net, tax: t.tax, total: t.gross }).toEqual(a);
          net += BigInt(a.net);
          tax += BigInt(a.tax);
        }
        expect(orderTotals(lines)).toEqual({ net, tax, total: net + tax });
      }),
      { numRuns: 300 },
    );
  });
});

describe('a sales order: its state machine', () => {
  it('is made a draft with its lines, version 1, and records no event', () => {
    const o = order();
    expect(o.snapshot).toMatchObject({ status: 'draft', version: 1, number: 'SO-2026-000001' });
    expect(o.snapshot.lines[0]).toMatchObject({ quantity: 2000, unitPrice: 1999, quantityDelivered: 0, reservationIds: [] });
    expect(o.snapshot.lines[0].id).toMatch(/^sol_/);
    expect(o.availableActions).toEqual(['confirm', 'cancel']);
    expect(o.pullEvents()).toEqual([]);
  });

  it('refuses lines it cannot take, naming each field', () => {
    expect(pointers(() => order([]))).toEqual(['/lines']);
    expect(pointers(() => order([line(), line({ locationId: 'loc_01M8RA5DZ0E524BHJEP0CKCRSX' })]))).toEqual(['/lines/1/location_id', '/lines/1/warehouse_id']);
    expect(pointers(() => order([line({ warehouseId: null })]))).toEqual(['/lines/0/location_id', '/lines/0/warehouse_id']);
    expect(pointers(() => order([line({ unitPrice: { amount: 5, currency: 'USD' } })]))).toEqual(['/lines/0/unit_price/currency']);
    expect(pointers(() => order([line({ unitPrice: { amount: -1, currency: 'EUR' } })]))).toEqual(['/lines/0/unit_price/amount']);
    expect(pointers(() => order([line({ quantity: 999_999_999_999_999, unitPrice: { amount: 999_999_999, currency: 'EUR' } })]))).toEqual(['/lines/0/unit_price/amount']);
    expect(() => SalesOrder.create(TENANT, { number: 'SO-2026-000001', customerId: 'cus_x', orderDate: '2026-12-09', currency: 'USD', lines: [line()] })).toThrow(NotSupportedError);
  });

  it('walks draft → confirmed → partially_delivered → delivered, bumping the version and recording each event', () => {
    const o = order([line(), line({ quantity: 5000 })]);
    o.confirm([['res_1'], ['res_2a', 'res_2b']], at('2026-12-09T11:00:00Z'));
    expect(o.snapshot).toMatchObject({ status: 'confirmed', version: 2 });
    expect(o.snapshot.lines.map((l) => l.reservationIds)).toEqual([['res_1'], ['res_2a', 'res_2b']]);
    expect(o.availableActions).toEqual(['deliver', 'cancel']);
    const [first, second] = o.snapshot.lines.map((l) => l.id);

    const part = o.planDelivery([{ lineId: second, quantity: 3000 }]);
    expect(part).toEqual([{ lineId: second, index: 1, reservationIds: ['res_2a', 'res_2b'], quantity: 3000 }]);
    o.delivered(part);
    expect(o.snapshot).toMatchObject({ status: 'partially_delivered', version: 3 });
    expect(o.availableActions).toEqual(['deliver', 'invoice']);

    const rest = o.planDelivery();
    expect(rest).toEqual([
      { lineId: first, index: 0, reservationIds: ['res_1'], quantity: 2000 },
      { lineId: second, index: 1, reservationIds: ['res_2a', 'res_2b'], quantity: 2000 },
    ]);
    o.delivered(rest);
    expect(o.snapshot).toMatchObject({ status: 'delivered', version: 4 });
    expect(o.availableActions).toEqual(['invoice']);
    const events = o.pullEvents();
    expect(events.map((e) => e.type)).toEqual(['erp.sales_order.confirmed', 'erp.sales_order.delivered', 'erp.sales_order.delivered']);
    expect(events[2].payload).toMatchObject({ id: o.id, status: 'delivered', lines: [{ quantity_delivered: '2' }, { quantity_delivered: '5' }] });

    // Invoiced: what was delivered and not invoiced, then the order is invoiced and takes nothing more.
    const toInvoice = o.planInvoice();
    expect(toInvoice).toEqual([
      { lineId: first, index: 0, quantity: 2000 },
      { lineId: second, index: 1, quantity: 5000 },
    ]);
    o.invoiced(toInvoice);
    expect(o.snapshot).toMatchObject({ status: 'invoiced', version: 5 });
    expect(o.snapshot.lines.map((l) => l.quantityInvoiced)).toEqual([2000, 5000]);
    expect(o.availableActions).toEqual([]);
    expect(() => o.planInvoice()).toThrow(/is invoiced: it cannot invoice/);
    expect(o.pullEvents()).toEqual([]);
  });

  it('refuses more than a line has outstanding (409 naming it), and unknown or repeated lines (400)', () => {
    const o = order([line(), line()]);
    o.confirm([['res_1'], ['res_2']]);
    const [first] = o.snapshot.lines.map((l) => l.id);
    expect(() => o.planDelivery([{ lineId: first, quantity: 2001 }])).toThrow(new RegExp(`Line ${first} \\(/lines/0\\).*2 outstanding`));
    expect(() => o.planDelivery([{ lineId: first, quantity: 2001 }])).toThrow(ConflictError);
    expect(pointers(() => o.planDelivery([{ lineId: 'sol_nope', quantity: 1 }]))).toEqual(['/lines/0/line_id']);
    expect(pointers(() => o.planDelivery([{ lineId: first, quantity: 1 }, { lineId: first, quantity: 1 }]))).toEqual(['/lines/1/line_id']);
  });

  it('cancels a draft or a confirmed order, never one delivered in part', () => {
    const d = order();
    d.cancel();
    expect(d.snapshot.status).toBe('cancelled');
    expect(d.pullEvents().map((e) => e.type)).toEqual(['erp.sales_order.cancelled']);
    const p = order([line(), line()]);
    p.confirm([['a'], ['b']]);
    p.delivered(p.planDelivery([{ lineId: p.snapshot.lines[0].id, quantity: 1000 }]));
    expect(() => p.cancel()).toThrow(/is partially_delivered: it cannot cancel; the actions it takes now: deliver/);
  });

  it('changes only a draft; a patch that changes nothing keeps the version', () => {
    const o = order();
    expect(o.change({ orderDate: '2026-12-09' }).changed).toBe(false);
    expect(o.change({ orderDate: '2026-12-10', lines: [line({ quantity: 1000 })] }).changed).toBe(true);
    expect(o.snapshot).toMatchObject({ version: 2, orderDate: '2026-12-10' });
    expect(o.snapshot.lines[0].quantity).toBe(1000);
    expect(() => o.change({ currency: 'GBP' })).toThrow(NotSupportedError);
    o.confirm([['r']]);
    expect(() => o.change({ orderDate: '2026-12-11' })).toThrow(/is confirmed: it cannot be changed \(only a draft can\); the actions it takes now: deliver, cancel/);
  });

  it('takes only the actions its status lists, whatever the sequence of attempts (property)', () => {
    const actions = ['confirm', 'deliver', 'cancel'] as const;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...actions), { maxLength: 8 }), (attempts) => {
        const o = order([line(), line()]);
        for (const action of attempts) {
          const allowed = availableActions(o.snapshot.status).includes(action);
          const version = o.version;
          const run = () => {
            if (action === 'confirm') o.confirm([['a'], ['b']]);
            else if (action === 'deliver') o.delivered(o.planDelivery([{ lineId: o.snapshot.lines[0].id, quantity: 1000 }]));
            else o.cancel();
          };
          if (allowed && !(action === 'deliver' && o.snapshot.lines[0].quantityDelivered === o.snapshot.lines[0].quantity)) {
            run();
            expect(o.version).toBe(version + 1);
          } else if (!allowed) {
            expect(run).toThrow(ConflictError);
            expect(o.version).toBe(version);
          }
          for (const l of o.snapshot.lines) expect(l.quantityDelivered).toBeLessThanOrEqual(l.quantity);
          if (o.snapshot.lines.some((l) => l.quantityDelivered > 0)) expect(['partially_delivered', 'delivered']).toContain(o.snapshot.status);
        }
      }),
      { numRuns: 300 },
    );
  });
});
