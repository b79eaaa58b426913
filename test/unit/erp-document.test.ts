import { ConflictError, NotSupportedError } from '../../src/platform/errors';
import { addDays, amountDue, documentBody, type DocumentLineInput, FinancialDocument, isOverdue } from '../../src/modules/erp/domain/document';
import { invalidPointers as pointers } from '../support/invalid';

const TENANT = 'ten_01M88YXTM0Q4R7S9T2V5W8X1Y3';
const at = (iso: string) => new Date(iso);
const line = (extra: Partial<DocumentLineInput> = {}): DocumentLineInput => ({
  description: 'Consulting',
  itemId: null,
  quantity: 2000,
  unit: { amount: 1999, currency: 'EUR' },
  taxRateId: 'txr_01M8C0A2C4E6G8J0K2M4P6R8T0',
  taxRate: 19000,
  taxInclusive: false,
  orderLineId: null,
  ...extra,
});
const invoice = (lines = [line()]) => FinancialDocument.create(TENANT, 'invoice', { partyId: 'cus_01M8C2D4F6H8K0M2P4R6T8V0X2', currency: 'EUR', lines }, at('2026-12-09T10:00:00Z'));
const finalization = { number: 'INV-2026-000001', issueDate: '2026-12-09', dueDate: '2026-12-23', journalEntryId: 'jen_01M9H0B2C4E6G8J0K2M4P6R8T2' };

describe('an invoice or bill: its state machine', () => {
  it('is made a draft without number or dates, version 1, and records no event', () => {
    const d = invoice();
    expect(d.id).toMatch(/^inv_/);
    expect(d.snapshot).toMatchObject({ status: 'draft', number: null, issueDate: null, dueDate: null, version: 1, amountPaid: 0 });
    expect(d.snapshot.lines[0].id).toMatch(/^invl_/);
    expect(d.availableActions).toEqual(['finalize']);
    expect(d.pullEvents()).toEqual([]);
    const b = FinancialDocument.create(TENANT, 'bill', { partyId: 'sup_x', currency: 'EUR', lines: [line()] });
    expect(b.id).toMatch(/^bil_/);
    expect(documentBody(b.snapshot, '2026-12-09')).toMatchObject({ supplier_id: 'sup_x', purchase_order_id: null, lines: [{ unit_cost: { amount: 1999, currency: 'EUR' } }] });
  });

  it('refuses lines it cannot take, naming each field; another currency is not supported', () => {
    expect(pointers(() => invoice([]))).toEqual(['/lines']);
    expect(pointers(() => invoice([line(), line({ description: ' ' })]))).toEqual(['/lines/1/description']);
    expect(pointers(() => invoice([line({ unit: { amount: -1, currency: 'EUR' } })]))).toEqual(['/lines/0/unit_price/amount']);
    expect(pointers(() => invoice([line({ unit: { amount: 1, currency: 'USD' } })]))).toEqual(['/lines/0/unit_price/currency']);
    expect(pointers(() => invoice([line({ quantity: 0 })]))).toEqual(['/lines/0/quantity']);
    expect(() => FinancialDocument.create(TENANT, 'invoice', { partyId: 'cus_x', currency: 'USD', lines: [line()] })).toThrow(NotSupportedError);
  });

  it('is changed only as a draft; a change that changes nothing keeps the version', () => {
    const d = invoice();
    expect(d.change({ currency: 'EUR' }).changed).toBe(false);
    expect(d.change({ lines: [line({ quantity: 1000 })] }).changed).toBe(true);
    expect(d.version).toBe(2);
    d.finalize(finalization);
    expect(() => d.change({ lines: [line()] })).toThrow(ConflictError);
    expect(() => d.assertDraft()).toThrow(/is open: it cannot be changed \(only a draft can\)/);
  });

  it('goes draft → open → void, or open → uncollectible; every other action is a 409 naming what it takes', () => {
    const d = invoice();
    expect(() => d.void()).toThrow(/is draft: it cannot void; the actions it takes now: finalize/);
    expect(() => d.markUncollectible()).toThrow(ConflictError);
    d.finalize(finalization, at('2026-12-09T11:00:00Z'));
    expect(d.snapshot).toMatchObject({ status: 'open', number: 'INV-2026-000001', issueDate: '2026-12-09', dueDate: '2026-12-23', version: 2 });
    expect(d.availableActions).toEqual(['void', 'mark-uncollectible']);
    expect(() => d.finalize(finalization)).toThrow(/is open: it cannot finalize/);
    const [finalized] = d.pullEvents();
    expect(finalized).toMatchObject({ type: 'erp.invoice.finalized', payload: { number: 'INV-2026-000001', status: 'open' } });
    const u = FinancialDocument.restore({ ...d.snapshot });
    u.markUncollectible();
    expect(u.snapshot.status).toBe('uncollectible');
    expect(u.availableActions).toEqual([]);
    expect(u.pullEvents()).toEqual([]);
    d.void();
    expect(d.snapshot).toMatchObject({ status: 'void', number: 'INV-2026-000001', version: 3 });
    expect(d.pullEvents().map((e) => e.type)).toEqual(['erp.invoice.voided']);
    expect(() => d.void()).toThrow(/is void: it cannot void; the actions it takes now: none/);
  });

  it('is not voided once anything was paid', () => {
    const d = invoice();
    d.finalize(finalization);
    const paid = FinancialDocument.restore({ ...d.snapshot, amountPaid: 1 });
    expect(() => paid.void()).toThrow(/was paid in part/);
  });
});

describe('an invoice: totals, amount due, due date and overdue', () => {
  it('sums its lines, each rounded half to even once (2 × 19.99 at 19 %; 2.5 × 3.33 at 7 %)', () => {
    const d = invoice([line(), line({ quantity: 2500, unit: { amount: 333, currency: 'EUR' }, taxRate: 7000 })]);
    const body = documentBody(d.snapshot, '2026-12-09');
    expect(body.lines.map((l) => [l.net.amount, l.tax.amount, l.total.amount])).toEqual([
      [3998, 760, 4758],
      [832, 58, 890],
    ]);
    expect([body.subtotal.amount, body.tax_total.amount, body.total.amount, body.amount_due.amount]).toEqual([4830, 818, 5648, 5648]);
  });

  it('owes total − paid while draft or open, nothing once void or uncollectible', () => {
    const d = invoice();
    expect(amountDue(d.snapshot)).toBe(4758n);
    d.finalize(finalization);
    expect(amountDue({ ...d.snapshot, amountPaid: 1000 })).toBe(3758n);
    d.void();
    expect(amountDue(d.snapshot)).toBe(0n);
  });

  it('is due the issue date plus the terms, overdue only when open and due before today', () => {
    expect(addDays('2026-12-20', 14)).toBe('2027-01-03');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    const d = invoice();
    expect(isOverdue(d.snapshot, '2030-01-01')).toBe(false);
    d.finalize(finalization);
    expect(isOverdue(d.snapshot, '2026-12-23')).toBe(false);
    expect(isOverdue(d.snapshot, '2026-12-24')).toBe(true);
    expect(documentBody(d.snapshot, '2026-12-24').overdue).toBe(true);
    d.void();
    expect(isOverdue(d.snapshot, '2026-12-24')).toBe(false);
  });
});
