import { ConflictError, InvalidInputError, type InvalidField } from '../../../platform/errors';
import { type DomainEvent, domainEvent } from '../../../platform/events/domain-event';
import { isId, newId } from '../../../platform/ids';
import { divideHalfEven, type Money } from '../../../platform/money';
import { formatQuantity } from '../../wms';
import { assertBaseCurrency } from './party';
import { lineTax, type RateThousandths } from './tax';

export const SALES_ORDER_STATUSES = ['draft', 'confirmed', 'partially_delivered', 'delivered', 'invoiced', 'cancelled'] as const;
export type SalesOrderStatus = (typeof SALES_ORDER_STATUSES)[number];
export type SalesOrderAction = 'confirm' | 'deliver' | 'cancel';

/** What each status takes: the state machine, in one table. */
const ACTIONS: Record<SalesOrderStatus, readonly SalesOrderAction[]> = {
  draft: ['confirm', 'cancel'],
  confirmed: ['deliver', 'cancel'],
  partially_delivered: ['deliver'],
  delivered: [],
  invoiced: [],
  cancelled: [],
};

export const availableActions = (status: SalesOrderStatus): readonly SalesOrderAction[] => ACTIONS[status];

export const isSalesOrderId = (value: string): boolean => isId('so', value);

/** The series of sales order numbers: `SO-<year>-<n>`. */
export const SALES_ORDER_SERIES = 'SO';

/** The largest amount of money the contract carries (`Money.amount`). */
export const MAX_AMOUNT = 999_999_999_999_999n;

/** A line as the application hands it over: references checked, quantity in thousandths, the tax rate resolved. */
export interface SalesOrderLineInput {
  itemId: string;
  /** Thousandths of the item's unit, > 0. */
  quantity: number;
  unitPrice: Money;
  taxRateId: string;
  /** The rate and its kind when the line was written: later changes of the tax rate do not follow. */
  taxRate: RateThousandths;
  taxInclusive: boolean;
  locationId: string | null;
  warehouseId: string | null;
}

export interface SalesOrderLineState {
  id: string;
  itemId: string;
  quantity: number;
  /** Minor units of the order's currency. */
  unitPrice: number;
  taxRateId: string;
  taxRate: RateThousandths;
  taxInclusive: boolean;
  locationId: string | null;
  warehouseId: string | null;
  quantityDelivered: number;
  /** The WMS reservation that holds the line's stock, from confirmation on. */
  reservationId: string | null;
}

export interface SalesOrderState {
  id: string;
  tenantId: string;
  /** `SO-2026-000001`: gapless per year of the order date, given at creation. */
  number: string;
  customerId: string;
  status: SalesOrderStatus;
  /** YYYY-MM-DD. */
  orderDate: string;
  currency: string;
  lines: SalesOrderLineState[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface SalesOrderInput {
  number: string;
  customerId: string;
  orderDate: string;
  currency: string;
  lines: readonly SalesOrderLineInput[];
}

export interface SalesOrderPatch {
  customerId?: string;
  orderDate?: string;
  currency?: string;
  lines?: readonly SalesOrderLineInput[];
}

/** A line's amounts in minor units: net + tax = total. */
export interface LineAmounts {
  net: number;
  tax: number;
  total: number;
}

/**
 * A line's amounts: quantity × unit price (quantity in thousandths, so ÷ 1000, rounded half to
 * even once), then its tax by the per-line rule of `lineTax` (net or gross as the rate says).
 */
export function lineAmounts(line: Pick<SalesOrderLineState, 'quantity' | 'unitPrice' | 'taxRate' | 'taxInclusive'>): LineAmounts {
  const amount = divideHalfEven(BigInt(line.quantity) * BigInt(line.unitPrice), 1000n);
  if (amount > MAX_AMOUNT) throw new RangeError('the line amount is beyond the largest amount');
  const t = lineTax(Number(amount), line.taxRate, line.taxInclusive);
  return { net: t.net, tax: t.tax, total: t.gross };
}

/** The order's totals: the sums of its lines' amounts (bigint: many lines may add up). */
export function orderTotals(lines: readonly Pick<SalesOrderLineState, 'quantity' | 'unitPrice' | 'taxRate' | 'taxInclusive'>[]): { net: bigint; tax: bigint; total: bigint } {
  let net = 0n;
  let tax = 0n;
  for (const l of lines) {
    const a = lineAmounts(l);
    net += BigInt(a.net);
    tax += BigInt(a.tax);
  }
  return { net, tax, total: net + tax };
}

/** A line of a delivery: which line, how much, and the reservation it ships from. */
export interface PlannedDelivery {
  lineId: string;
  /** The index of the line in the order (for pointers). */
  index: number;
  reservationId: string;
  quantity: number;
}

/** The 409 for an action the order's status does not take, naming the status and what it takes. */
export class ActionNotAllowedError extends ConflictError {
  constructor(id: string, status: SalesOrderStatus, action: SalesOrderAction | 'change') {
    const allowed = availableActions(status);
    super(`Sales order ${id} is ${status}: it cannot ${action === 'change' ? 'be changed (only a draft can)' : action}; the actions it takes now: ${allowed.length ? allowed.join(', ') : 'none'}.`);
  }
}

const AGGREGATE = 'sales_order';

/**
 * A customer's order: a draft changed freely, then confirmed (its lines reserved in the WMS),
 * delivered in one or more shipments, or cancelled before any delivery.
 */
export class SalesOrder {
  private readonly pending: DomainEvent[] = [];
  private constructor(private state: SalesOrderState) {}

  static create(tenantId: string, input: SalesOrderInput, now = new Date()): SalesOrder {
    assertBaseCurrency(input.currency);
    return new SalesOrder({
      id: newId('so'),
      tenantId,
      number: input.number,
      customerId: input.customerId,
      status: 'draft',
      orderDate: input.orderDate,
      currency: input.currency,
      lines: newLines(input.lines, input.currency),
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
  }

  static restore(state: SalesOrderState): SalesOrder {
    return new SalesOrder({ ...state, lines: state.lines.map((l) => ({ ...l })) });
  }

  get snapshot(): Readonly<SalesOrderState> {
    return this.state;
  }

  get id(): string {
    return this.state.id;
  }

  get version(): number {
    return this.state.version;
  }

  get availableActions(): readonly SalesOrderAction[] {
    return availableActions(this.state.status);
  }

  /** A merge patch of a draft; `lines` replaces them all. One that changes nothing keeps the version. */
  change(patch: SalesOrderPatch, now = new Date()): { changed: boolean } {
    const s = this.state;
    if (s.status !== 'draft') throw new ActionNotAllowedError(s.id, s.status, 'change');
    if (patch.currency !== undefined) assertBaseCurrency(patch.currency);
    const currency = patch.currency ?? s.currency;
    const lines = patch.lines ? newLines(patch.lines, currency) : s.lines;
    const next: SalesOrderState = {
      ...s,
      customerId: patch.customerId ?? s.customerId,
      orderDate: patch.orderDate ?? s.orderDate,
      currency,
      lines,
    };
    const changed = next.customerId !== s.customerId || next.orderDate !== s.orderDate || next.currency !== s.currency || patch.lines !== undefined;
    if (changed) this.state = { ...next, version: s.version + 1, updatedAt: now };
    return { changed };
  }

  /** Refuses (409) an action the status does not take. */
  assertAllowed(action: SalesOrderAction): void {
    if (!this.availableActions.includes(action)) throw new ActionNotAllowedError(this.state.id, this.state.status, action);
  }

  /** Confirmed: `reservationIds[i]` holds line i's stock. */
  confirm(reservationIds: readonly string[], now = new Date()): void {
    this.assertAllowed('confirm');
    const s = this.state;
    if (reservationIds.length !== s.lines.length) throw new Error(`${reservationIds.length} reservations for ${s.lines.length} lines`);
    s.lines.forEach((l, i) => (l.reservationId = reservationIds[i]));
    this.transition('confirmed', 'erp.sales_order.confirmed', now);
  }

  /**
   * What a delivery ships: the quantities asked for (by line id), or every line's outstanding
   * quantity. A line named twice or not of this order is a 400; more than a line's outstanding
   * quantity a 409 naming the line.
   */
  planDelivery(requested?: readonly { lineId: string; quantity: number }[]): PlannedDelivery[] {
    this.assertAllowed('deliver');
    const s = this.state;
    const outstanding = (l: SalesOrderLineState) => l.quantity - l.quantityDelivered;
    const planned: PlannedDelivery[] = [];
    if (!requested) {
      s.lines.forEach((l, index) => {
        if (outstanding(l) > 0) planned.push({ lineId: l.id, index, reservationId: l.reservationId!, quantity: outstanding(l) });
      });
      return planned;
    }
    const bad: InvalidField[] = [];
    const seen = new Set<string>();
    requested.forEach((r, i) => {
      const index = s.lines.findIndex((l) => l.id === r.lineId);
      if (index < 0) bad.push({ pointer: `/lines/${i}/line_id`, detail: `is not a line of sales order ${s.id}` });
      else if (seen.has(r.lineId)) bad.push({ pointer: `/lines/${i}/line_id`, detail: `names line ${r.lineId} a second time` });
      seen.add(r.lineId);
    });
    if (bad.length) throw new InvalidInputError(bad);
    for (const r of requested) {
      const index = s.lines.findIndex((l) => l.id === r.lineId);
      const line = s.lines[index];
      if (r.quantity > outstanding(line)) {
        throw new ConflictError(
          `Line ${line.id} (/lines/${index}) of sales order ${s.id} has ${formatQuantity(outstanding(line))} outstanding (${formatQuantity(line.quantity)} ordered, ${formatQuantity(line.quantityDelivered)} delivered): ${formatQuantity(r.quantity)} cannot be delivered.`,
        );
      }
      planned.push({ lineId: line.id, index, reservationId: line.reservationId!, quantity: r.quantity });
    }
    return planned;
  }

  /** Records a delivery (as planned and shipped): delivered when every line has shipped in full. */
  delivered(planned: readonly PlannedDelivery[], now = new Date()): void {
    this.assertAllowed('deliver');
    const s = this.state;
    for (const p of planned) {
      const line = s.lines.find((l) => l.id === p.lineId)!;
      if (line.quantityDelivered + p.quantity > line.quantity) throw new Error(`line ${line.id} delivered beyond its quantity`);
      line.quantityDelivered += p.quantity;
    }
    const all = s.lines.every((l) => l.quantityDelivered === l.quantity);
    this.transition(all ? 'delivered' : 'partially_delivered', 'erp.sales_order.delivered', now);
  }

  /** Cancelled (a draft, or a confirmed order whose reservations the caller releases). */
  cancel(now = new Date()): void {
    this.assertAllowed('cancel');
    this.transition('cancelled', 'erp.sales_order.cancelled', now);
  }

  pullEvents(): DomainEvent[] {
    return this.pending.splice(0);
  }

  private transition(status: SalesOrderStatus, event: string, now: Date): void {
    const s = this.state;
    s.status = status;
    s.version += 1;
    s.updatedAt = now;
    this.pending.push(domainEvent(event, s.tenantId, { type: AGGREGATE, id: s.id }, salesOrderDocument(s), now));
  }
}

/** New lines (new ids), each checked: one of location and warehouse, a price in the order's currency, amounts in range. */
function newLines(inputs: readonly SalesOrderLineInput[], currency: string): SalesOrderLineState[] {
  if (!inputs.length) throw new InvalidInputError([{ pointer: '/lines', detail: 'has no line: an order has at least one' }]);
  const bad: InvalidField[] = [];
  const lines = inputs.map((l, i): SalesOrderLineState => {
    const at = `/lines/${i}`;
    if ((l.locationId === null) === (l.warehouseId === null)) {
      const detail = 'a line ships from exactly one of location_id and warehouse_id (any location of it)';
      bad.push({ pointer: `${at}/location_id`, detail }, { pointer: `${at}/warehouse_id`, detail });
    }
    if (l.unitPrice.currency !== currency) bad.push({ pointer: `${at}/unit_price/currency`, detail: `is not the order's currency ${currency}` });
    if (!Number.isSafeInteger(l.quantity) || l.quantity <= 0) bad.push({ pointer: `${at}/quantity`, detail: 'must be greater than 0' });
    if (!Number.isSafeInteger(l.unitPrice.amount) || l.unitPrice.amount < 0) bad.push({ pointer: `${at}/unit_price/amount`, detail: 'must be 0 or more minor units' });
    return {
      id: newId('sol'),
      itemId: l.itemId,
      quantity: l.quantity,
      unitPrice: l.unitPrice.amount,
      taxRateId: l.taxRateId,
      taxRate: l.taxRate,
      taxInclusive: l.taxInclusive,
      locationId: l.locationId,
      warehouseId: l.warehouseId,
      quantityDelivered: 0,
      reservationId: null,
    };
  });
  if (bad.length) throw new InvalidInputError(bad);
  lines.forEach((l, i) => {
    if (divideHalfEven(BigInt(l.quantity) * BigInt(l.unitPrice), 1000n) > MAX_AMOUNT) bad.push({ pointer: `/lines/${i}/unit_price/amount`, detail: 'times the quantity is beyond the largest amount' });
  });
  if (!bad.length) {
    const totals = (() => {
      try {
        return orderTotals(lines);
      } catch {
        return null;
      }
    })();
    if (!totals || totals.total > MAX_AMOUNT) bad.push({ pointer: '/lines', detail: 'add up to more than the largest amount' });
  }
  if (bad.length) throw new InvalidInputError(bad);
  return lines;
}

const money = (amount: number | bigint, currency: string): Money => ({ amount: Number(amount), currency });

/** A sales order as the contract shows it (the API's body and the events' data). */
export function salesOrderDocument(s: Readonly<SalesOrderState>) {
  const totals = orderTotals(s.lines);
  return {
    id: s.id,
    number: s.number,
    customer_id: s.customerId,
    status: s.status,
    order_date: s.orderDate,
    currency: s.currency,
    lines: s.lines.map((l) => {
      const a = lineAmounts(l);
      return {
        id: l.id,
        item_id: l.itemId,
        quantity: formatQuantity(l.quantity),
        unit_price: money(l.unitPrice, s.currency),
        tax_rate_id: l.taxRateId,
        location_id: l.locationId,
        warehouse_id: l.warehouseId,
        quantity_delivered: formatQuantity(l.quantityDelivered),
        net: money(a.net, s.currency),
        tax: money(a.tax, s.currency),
        total: money(a.total, s.currency),
      };
    }),
    net_total: money(totals.net, s.currency),
    tax_total: money(totals.tax, s.currency),
    total: money(totals.total, s.currency),
    available_actions: [...availableActions(s.status)],
    version: s.version,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}
