import { InvalidInputError } from '../../../platform/errors';
import { newId } from '../../../platform/ids';
import type { Money } from '../../../platform/money';
import { formatQuantity } from '../../wms';
import { checkPricedLines, draftHeader, extendedAmount, Order, orderDocument, type OrderHeader, type OrderInput, type OrderKind, type PricedLine, type PlannedLine, planLines, type TaxedLine } from './order';

export const PURCHASE_ORDER_STATUSES = ['draft', 'confirmed', 'partially_received', 'received', 'cancelled'] as const;
export type PurchaseOrderStatus = (typeof PURCHASE_ORDER_STATUSES)[number];
export type PurchaseOrderAction = 'confirm' | 'receive' | 'cancel' | 'bill';

const KIND: OrderKind<PurchaseOrderStatus, PurchaseOrderAction> = {
  what: 'Purchase order',
  aggregate: 'purchase_order',
  // `bill` while something received is not billed yet.
  ready: (s: PurchaseOrderState, action) => action !== 'bill' || s.lines.some((l) => l.quantityReceived > l.quantityBilled),
  actions: {
    draft: ['confirm', 'cancel'],
    // Cancelled only while nothing came in: once anything is received the order is partially_received.
    confirmed: ['receive', 'cancel'],
    partially_received: ['receive', 'bill'],
    received: ['bill'],
    cancelled: [],
  },
};

export const availableActions = (status: PurchaseOrderStatus): readonly PurchaseOrderAction[] => KIND.actions[status];

/** The series of purchase order numbers: `PO-<year>-<n>`. */
export const PURCHASE_ORDER_SERIES = 'PO';

/** A line as the application hands it over: references checked, the tax rate resolved. */
export interface PurchaseOrderLineInput extends TaxedLine {
  unitCost: Money;
  /** Where it is received; null: named by the receipt. */
  locationId: string | null;
}

export interface PurchaseOrderLineState extends TaxedLine {
  id: string;
  /** Minor units of the order's currency. */
  unitCost: number;
  locationId: string | null;
  quantityReceived: number;
  /** What bills (drafts included) took of what was received. */
  quantityBilled: number;
}

export interface PurchaseOrderState extends OrderHeader<PurchaseOrderStatus> {
  supplierId: string;
  lines: PurchaseOrderLineState[];
}

export interface PurchaseOrderInput extends OrderInput<PurchaseOrderLineInput> {
  supplierId: string;
}

/** A line of a receipt as asked for: which line, how much, its lot or serials. */
export interface ReceiptRequest {
  lineId: string;
  quantity: number;
  lot?: string;
  serials?: readonly string[];
}

/** A line of a receipt as planned: the item, how much, where, at what unit cost. */
export interface PlannedReceipt {
  lineId: string;
  /** The index of the line in the order (for pointers). */
  index: number;
  itemId: string;
  quantity: number;
  locationId: string;
  unitCost: Money;
  lot?: string;
  serials?: readonly string[];
}

const priced = (l: PurchaseOrderLineState): PricedLine => ({ quantity: l.quantity, unitAmount: l.unitCost, taxRate: l.taxRate, taxInclusive: l.taxInclusive });

/**
 * What a receipt is worth, the amount of its goods-received entry: Σ over its lines of quantity ×
 * unit cost, each rounded half to even to minor units — what the WMS's receipts add to its valuation.
 */
export const receiptValue = (planned: readonly PlannedReceipt[]): bigint => planned.reduce((sum, p) => sum + extendedAmount(p.quantity, p.unitCost.amount), 0n);

/**
 * An order to a supplier: a draft changed freely, then confirmed (sent), received into stock in
 * one or more receipts, or cancelled while nothing came in.
 */
export class PurchaseOrder extends Order<PurchaseOrderStatus, PurchaseOrderAction, PurchaseOrderState, PurchaseOrderLineInput> {
  private constructor(state: PurchaseOrderState) {
    super(state, KIND);
  }

  static create(tenantId: string, input: PurchaseOrderInput, now = new Date()): PurchaseOrder {
    const header = draftHeader(tenantId, 'po', input, now);
    return new PurchaseOrder({ ...header, supplierId: input.supplierId, lines: newLines(input.lines, input.currency) });
  }

  static restore(state: PurchaseOrderState): PurchaseOrder {
    return new PurchaseOrder({ ...state, lines: state.lines.map((l) => ({ ...l })) });
  }

  /** Confirmed: sent to the supplier, receivable from now on. */
  confirm(now = new Date()): void {
    this.assertAllowed('confirm');
    this.transition('confirmed', null, now);
  }

  /**
   * What a receipt brings in: the quantities asked for (by line id), or every line's outstanding
   * quantity; at `locationId` when given, else at each line's location (a line with neither is a
   * 400 naming `/location_id`). A line named twice or not of this order is a 400; more than a
   * line's outstanding quantity a 409 naming the line.
   */
  planReceipt(requested?: readonly ReceiptRequest[], locationId?: string): PlannedReceipt[] {
    this.assertAllowed('receive');
    const s = this.state;
    const planned = planLines('purchase order', s.id, s.lines, (i) => s.lines[i].quantityReceived, 'received', requested);
    const nowhere = planned.filter((p) => !locationId && !s.lines[p.index].locationId);
    if (nowhere.length) {
      throw new InvalidInputError([{ pointer: '/location_id', detail: `is required: line${nowhere.length > 1 ? 's' : ''} ${nowhere.map((p) => s.lines[p.index].id).join(', ')} name${nowhere.length > 1 ? '' : 's'} no location to receive at` }]);
    }
    return planned.map((p, k) => {
      const line = s.lines[p.index];
      const asked = requested?.[k];
      return {
        ...p,
        itemId: line.itemId,
        locationId: (locationId ?? line.locationId)!,
        unitCost: { amount: line.unitCost, currency: s.currency },
        ...(asked?.lot !== undefined && { lot: asked.lot }),
        ...(asked?.serials !== undefined && { serials: asked.serials }),
      };
    });
  }

  /** Records a receipt (as planned and posted): received when every line has come in full. */
  received(planned: readonly PlannedReceipt[], now = new Date()): void {
    this.assertAllowed('receive');
    const all = this.addToLines(planned, 'quantityReceived', 'received');
    this.transition(all ? 'received' : 'partially_received', 'erp.purchase_order.received', now);
  }

  /** What a bill of the order takes: each line's received quantity not billed yet (none: 409). */
  planBill(): PlannedLine[] {
    this.assertAllowed('bill');
    return this.outstandingLines('quantityReceived', 'quantityBilled', 'received that is not billed yet');
  }

  /** Records a bill (as planned and drafted); the status stays (billed quantities tell). */
  billed(planned: readonly PlannedLine[], now = new Date()): void {
    this.assertAllowed('bill');
    this.addToLines(planned, 'quantityBilled', 'billed');
    this.transition(this.state.status, null, now);
  }

  /** A bill of the order gone (a draft deleted or its lines replaced, a bill voided): what it billed can be billed again. */
  unbilled(returned: readonly { lineId: string; quantity: number }[], now = new Date()): boolean {
    if (!this.takeFromLines(returned, 'quantityBilled')) return false;
    this.transition(this.state.status, null, now);
    return true;
  }

  /** Cancelled: a draft, or a confirmed order of which nothing was received. */
  cancel(now = new Date()): void {
    this.assertAllowed('cancel');
    this.transition('cancelled', null, now);
  }

  protected newLines(inputs: readonly PurchaseOrderLineInput[], currency: string): PurchaseOrderLineState[] {
    return newLines(inputs, currency);
  }

  protected document() {
    return purchaseOrderDocument(this.state);
  }
}

/** New lines (new ids), each checked: a cost in the order's currency, amounts in range. */
function newLines(inputs: readonly PurchaseOrderLineInput[], currency: string): PurchaseOrderLineState[] {
  checkPricedLines(
    inputs.map((l) => ({ ...l, unit: l.unitCost })),
    currency,
    'unit_cost',
  );
  return inputs.map((l) => ({
    id: newId('pol'),
    itemId: l.itemId,
    quantity: l.quantity,
    unitCost: l.unitCost.amount,
    taxRateId: l.taxRateId,
    taxRate: l.taxRate,
    taxInclusive: l.taxInclusive,
    locationId: l.locationId,
    quantityReceived: 0,
    quantityBilled: 0,
  }));
}

/** A purchase order as the contract shows it (the API's body and the events' data). */
export function purchaseOrderDocument(s: Readonly<PurchaseOrderState>) {
  return orderDocument(KIND, s, s.lines.map(priced), {
    party: { supplier_id: s.supplierId },
    line: (i, amounts) => {
      const l = s.lines[i];
      return {
        id: l.id,
        item_id: l.itemId,
        quantity: formatQuantity(l.quantity),
        unit_cost: { amount: l.unitCost, currency: s.currency },
        tax_rate_id: l.taxRateId,
        location_id: l.locationId,
        quantity_received: formatQuantity(l.quantityReceived),
        quantity_billed: formatQuantity(l.quantityBilled),
        ...amounts,
      };
    },
  });
}
