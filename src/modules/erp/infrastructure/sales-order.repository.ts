import { SALES_ORDER_STATUSES, SalesOrder, type SalesOrderLineState, type SalesOrderState, type SalesOrderStatus } from '../domain/sales-order';
import { OrderRepository, type OrderRow, orderTables } from './order.repository';

/** Every filter and sort of the list has its index (migrations/20261209200000-erp-sales-orders.ts). */
const TABLES = orderTables<SalesOrderState, SalesOrderLineState>({
  what: 'Sales order',
  table: 'erp_sales_orders',
  party: 'customer_id',
  statuses: SALES_ORDER_STATUSES,
  orderColumn: 'sales_order_id',
  lineColumns: {
    item_id: 'text',
    quantity: 'number',
    unit_price: 'number',
    tax_rate_id: 'text',
    tax_rate: 'number',
    tax_inclusive: 'boolean',
    location_id: 'text',
    warehouse_id: 'text',
    quantity_delivered: 'number',
    quantity_invoiced: 'number',
    reservation_ids: 'ids',
  },
  toState: (header, customerId, lines) => ({ ...header, status: header.status as SalesOrderStatus, customerId, lines }),
  partyOf: (s) => s.customerId,
});

/** The sales orders list: by customer, status and order date. */
export const SALES_ORDER_LIST = TABLES.list;

/** Sales orders of one tenant with their lines. */
export class SalesOrderRepository extends OrderRepository<OrderRow, Record<string, unknown>, SalesOrderState, SalesOrderLineState, SalesOrder> {
  protected readonly tables = TABLES;

  protected restore(state: SalesOrderState): SalesOrder {
    return SalesOrder.restore(state);
  }
}
