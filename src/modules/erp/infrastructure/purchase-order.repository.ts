import { PURCHASE_ORDER_STATUSES, PurchaseOrder, type PurchaseOrderLineState, type PurchaseOrderState, type PurchaseOrderStatus } from '../domain/purchase-order';
import { OrderRepository, type OrderRow, orderTables } from './order.repository';

/** Every filter and sort of the list has its index (migrations/20261209300000-erp-purchase-orders.ts). */
const TABLES = orderTables<PurchaseOrderState, PurchaseOrderLineState>({
  what: 'Purchase order',
  table: 'erp_purchase_orders',
  party: 'supplier_id',
  statuses: PURCHASE_ORDER_STATUSES,
  orderColumn: 'purchase_order_id',
  lineColumns: { item_id: 'text', quantity: 'number', unit_cost: 'number', tax_rate_id: 'text', tax_rate: 'number', tax_inclusive: 'boolean', location_id: 'text', quantity_received: 'number', quantity_billed: 'number' },
  toState: (header, supplierId, lines) => ({ ...header, status: header.status as PurchaseOrderStatus, supplierId, lines }),
  partyOf: (s) => s.supplierId,
});

/** The purchase orders list: by supplier, status and order date. */
export const PURCHASE_ORDER_LIST = TABLES.list;

/** Purchase orders of one tenant with their lines. */
export class PurchaseOrderRepository extends OrderRepository<OrderRow, Record<string, unknown>, PurchaseOrderState, PurchaseOrderLineState, PurchaseOrder> {
  protected readonly tables = TABLES;

  protected restore(state: PurchaseOrderState): PurchaseOrder {
    return PurchaseOrder.restore(state);
  }
}
