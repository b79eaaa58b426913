import type { InvalidField } from '../../../platform/errors';
import { newId } from '../../../platform/ids';
import type { Money } from '../../../platform/money';
import { formatQuantity } from '../../wms';
import { checkPricedLines, draftHeader, lineAmounts as pricedAmounts, type LineAmounts, Order, orderDocument, type OrderHeader, type OrderInput, type OrderKind, orderTotals as pricedTotals, type PricedLine, type PlannedLine, planLines, type TaxedLine } from './order';

export { MAX_AMOUNT, type LineAmounts } from './order';

export const SALES_ORDER_STATUSES = ['draft', 'confirmed', 'partially_delivered', 'delivered', 'invoiced', 'cancelled'] as const;
export type SalesOrderStatus = (typeof SALES_ORDER_STATUSES)[number];
export type SalesOrderAction = 'confirm' | 'deliver' | 'cancel' | 'invoice';

const KIND: OrderKind<SalesOrderStatus, SalesOrderAction> = {
  what: 'Sales order',
  aggregate: 'sales_order',
  // `invoice` while something delivered is not invoiced yet.
  ready: (s: SalesOrderState, action) => action !== 'invoice' || s.lines.some((l) => l.quantityDelivered > l.quantityInvoiced),
  actions: {
    draft: ['confirm', 'cancel'],
    confirmed: ['deliver', 'cancel'],
    partially_delivered: ['deliver', 'invoice'],
    delivered: ['invoice'],
    invoiced: [],
    cancelled: [],
  },
};

export const availableActions = (status: SalesOrderStatus): readonly SalesOrderAction[] => KIND.actions[status];

/** The series of sales order numbers: `SO-<year>-<n>`. */
export const SALES_ORDER_SERIES = 'SO';

/** A line as the application hands it over: references checked, the tax rate resolved. */
export interface SalesOrderLineInput extends TaxedLine {
  unitPrice: Money;
  locationId: string | null;
  warehouseId: string | null;
}

export interface SalesOrderLineState extends TaxedLine {
  id: string;
  /** Minor units of the order's currency. */
  unitPrice: number;
  locationId: string | null;
  warehouseId: string | null;
  quantityDelivered: number;
  /** What invoices (drafts included) took of what was delivered. */
  quantityInvoiced: number;
  /**
   * The WMS reservations that hold the line's stock, from confirmation on: one, or several when
   * no one place of its warehouse (or lot of its location) held the whole line.
   */
  reservationIds: string[];
}

export interface SalesOrderState extends OrderHeader<SalesOrderStatus> {
  customerId: string;
  lines: SalesOrderLineState[];
}

export interface SalesOrderInput extends OrderInput<SalesOrderLineInput> {
  customerId: string;
}

type SalesPriced = Pick<SalesOrderLineState, 'quantity' | 'unitPrice' | 'taxRate' | 'taxInclusive'>;
const priced = (l: SalesPriced): PricedLine => ({ quantity: l.quantity, unitAmount: l.unitPrice, taxRate: l.taxRate, taxInclusive: l.taxInclusive });

/** A line's amounts: quantity × unit price, rounded half to even once, then its tax (the rule of domain/order.ts). */
export const lineAmounts = (line: SalesPriced): LineAmounts => pricedAmounts(priced(line));

/** The order's totals: the sums of its lines' amounts. */
export const orderTotals = (lines: readonly SalesPriced[]) => pricedTotals(lines.map(priced));

/** A line of a delivery: which line, how much, and the reservations it ships from (in order). */
export interface PlannedDelivery {
  lineId: string;
  /** The index of the line in the order (for pointers). */
  index: number;
  reservationIds: readonly string[];
  quantity: number;
}

/**
 * A customer's order: a draft changed freely, then confirmed (its lines reserved in the WMS),
 * delivered in one or more shipments, or cancelled before any delivery.
 */
export class SalesOrder extends Order<SalesOrderStatus, SalesOrderAction, SalesOrderState, SalesOrderLineInput> {
  private constructor(state: SalesOrderState) {
    super(state, KIND);
  }

  static create(tenantId: string, input: SalesOrderInput, now = new Date()): SalesOrder {
    const header = draftHeader(tenantId, 'so', input, now);
    return new SalesOrder({ ...header, customerId: input.customerId, lines: newLines(input.lines, input.currency) });
  }

  static restore(state: SalesOrderState): SalesOrder {
    return new SalesOrder({ ...state, lines: state.lines.map((l) => ({ ...l })) });
  }

  /** Confirmed: `reservationIds[i]` (one or more) hold line i's stock. */
  confirm(reservationIds: readonly (readonly string[])[], now = new Date()): void {
    this.assertAllowed('confirm');
    const s = this.state;
    if (reservationIds.length !== s.lines.length || reservationIds.some((ids) => !ids.length)) throw new Error(`reservations for ${reservationIds.length} of ${s.lines.length} lines`);
    s.lines.forEach((l, i) => (l.reservationIds = [...reservationIds[i]]));
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
    return planLines('sales order', s.id, s.lines, (i) => s.lines[i].quantityDelivered, 'delivered', requested).map((p) => ({
      lineId: p.lineId,
      index: p.index,
      reservationIds: s.lines[p.index].reservationIds,
      quantity: p.quantity,
    }));
  }

  /** Records a delivery (as planned and shipped): delivered when every line has shipped in full. */
  delivered(planned: readonly PlannedDelivery[], now = new Date()): void {
    this.assertAllowed('deliver');
    const all = this.addToLines(planned, 'quantityDelivered', 'delivered');
    this.transition(all ? 'delivered' : 'partially_delivered', 'erp.sales_order.delivered', now);
  }

  /** What an invoice of the order takes: each line's delivered quantity not invoiced yet (none: 409). */
  planInvoice(): PlannedLine[] {
    this.assertAllowed('invoice');
    return this.outstandingLines('quantityDelivered', 'quantityInvoiced', 'delivered that is not invoiced yet');
  }

  /** Records an invoice (as planned and drafted): invoiced once everything is delivered and invoiced. */
  invoiced(planned: readonly PlannedLine[], now = new Date()): void {
    this.assertAllowed('invoice');
    const all = this.addToLines(planned, 'quantityInvoiced', 'invoiced');
    this.transition(all && this.state.status === 'delivered' ? 'invoiced' : this.state.status, null, now);
  }

  /**
   * An invoice of the order gone (a draft deleted or its lines replaced, an invoice voided): what
   * it invoiced can be invoiced again, and an `invoiced` order is `delivered` again.
   */
  uninvoiced(returned: readonly { lineId: string; quantity: number }[], now = new Date()): boolean {
    if (!this.takeFromLines(returned, 'quantityInvoiced')) return false;
    this.transition(this.state.status === 'invoiced' ? 'delivered' : this.state.status, null, now);
    return true;
  }

  /** Cancelled (a draft, or a confirmed order whose reservations the caller releases). */
  cancel(now = new Date()): void {
    this.assertAllowed('cancel');
    this.transition('cancelled', 'erp.sales_order.cancelled', now);
  }

  protected newLines(inputs: readonly SalesOrderLineInput[], currency: string): SalesOrderLineState[] {
    return newLines(inputs, currency);
  }

  protected document() {
    return salesOrderDocument(this.state);
  }
}

/** New lines (new ids), each checked: one of location and warehouse, a price in the order's currency, amounts in range. */
function newLines(inputs: readonly SalesOrderLineInput[], currency: string): SalesOrderLineState[] {
  const sources: InvalidField[] = inputs.flatMap((l, i) => {
    if ((l.locationId === null) !== (l.warehouseId === null)) return [];
    const detail = 'a line ships from exactly one of location_id and warehouse_id (any location of it)';
    return [
      { pointer: `/lines/${i}/location_id`, detail },
      { pointer: `/lines/${i}/warehouse_id`, detail },
    ];
  });
  checkPricedLines(
    inputs.map((l) => ({ ...l, unit: l.unitPrice })),
    currency,
    'unit_price',
    sources,
  );
  return inputs.map((l) => ({
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
    quantityInvoiced: 0,
    reservationIds: [],
  }));
}

/** A sales order as the contract shows it (the API's body and the events' data). */
export function salesOrderDocument(s: Readonly<SalesOrderState>) {
  return orderDocument(KIND, s, s.lines.map(priced), {
    party: { customer_id: s.customerId },
    line: (i, amounts) => {
      const l = s.lines[i];
      return {
        id: l.id,
        item_id: l.itemId,
        quantity: formatQuantity(l.quantity),
        unit_price: { amount: l.unitPrice, currency: s.currency },
        tax_rate_id: l.taxRateId,
        location_id: l.locationId,
        warehouse_id: l.warehouseId,
        quantity_delivered: formatQuantity(l.quantityDelivered),
        quantity_invoiced: formatQuantity(l.quantityInvoiced),
        ...amounts,
      };
    },
  });
}
