import { PURCHASE_ORDER_STATUSES, PurchaseOrder, type PurchaseOrderLineState, type PurchaseOrderState, type PurchaseOrderStatus } from '../domain/purchase-order';
import { OrderRepository, type OrderRow, orderTables } from './order.repository';

interface LineRow {
  id: string;
  item_id: string;
  /** bigint: a string from pg. */
  quantity: string | number;
  unit_cost: string | number;
  tax_rate_id: string;
  tax_rate: number;
  tax_inclusive: boolean | number;
  location_id: string | null;
  quantity_received: string | number;
}

/** Every filter and sort of the list has its index (migrations/20261209300000-erp-purchase-orders.ts). */
const TABLES = orderTables<LineRow, PurchaseOrderState, PurchaseOrderLineState>({
  what: 'Purchase order',
  table: 'erp_purchase_orders',
  party: 'supplier_id',
  statuses: PURCHASE_ORDER_STATUSES,
  orderColumn: 'purchase_order_id',
  lineColumns: ['item_id', 'quantity', 'unit_cost', 'tax_rate_id', 'tax_rate', 'tax_inclusive', 'location_id', 'quantity_received'],
  toState: (header, supplierId, lines) => ({ ...header, status: header.status as PurchaseOrderStatus, supplierId, lines }),
  partyOf: (s) => s.supplierId,
  toLine: (r) => ({
    id: r.id,
    itemId: r.item_id,
    quantity: Number(r.quantity),
    unitCost: Number(r.unit_cost),
    taxRateId: r.tax_rate_id,
    taxRate: Number(r.tax_rate),
    taxInclusive: r.tax_inclusive === true || r.tax_inclusive === 1,
    locationId: r.location_id,
    quantityReceived: Number(r.quantity_received),
  }),
  lineValues: (l) => ({
    item_id: l.itemId,
    quantity: l.quantity,
    unit_cost: l.unitCost,
    tax_rate_id: l.taxRateId,
    tax_rate: l.taxRate,
    tax_inclusive: l.taxInclusive,
    location_id: l.locationId,
    quantity_received: l.quantityReceived,
  }),
});

/** The purchase orders list: by supplier, status and order date. */
export const PURCHASE_ORDER_LIST = TABLES.list;

/** Purchase orders of one tenant with their lines. */
export class PurchaseOrderRepository extends OrderRepository<OrderRow, LineRow, PurchaseOrderState, PurchaseOrderLineState, PurchaseOrder> {
  protected readonly tables = TABLES;

  protected restore(state: PurchaseOrderState): PurchaseOrder {
    return PurchaseOrder.restore(state);
  }
}
