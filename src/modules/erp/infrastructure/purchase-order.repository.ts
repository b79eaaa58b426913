import { defineList } from '../../../platform/db/list-query';
import { date } from '../../../platform/db/rows';
import { PURCHASE_ORDER_STATUSES, PurchaseOrder, type PurchaseOrderLineState, type PurchaseOrderState, type PurchaseOrderStatus } from '../domain/purchase-order';
import { day, OrderRepository, type OrderTables } from './order.repository';

interface PurchaseOrderRow {
  id: string;
  tenant_id: string;
  number: string;
  supplier_id: string;
  status: string;
  order_date: string | Date;
  currency: string;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

interface LineRow {
  id: string;
  purchase_order_id: string;
  position: number;
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

const COLUMNS = 'id, tenant_id, number, supplier_id, status, order_date, currency, version, created_at, updated_at';
const LINE_COLUMNS = 'id, purchase_order_id, position, item_id, quantity, unit_cost, tax_rate_id, tax_rate, tax_inclusive, location_id, quantity_received';

/** The list; every filter and sort has its index (migrations/20261209300000-erp-purchase-orders.ts). */
export const PURCHASE_ORDER_LIST = defineList({
  name: 'erp.purchase_orders',
  table: 'erp_purchase_orders',
  select: COLUMNS,
  columns: {
    supplier_id: { type: 'text' },
    status: { type: 'text' },
    order_date: { type: 'date' },
    created_at: { type: 'instant' },
  },
  filters: {
    supplier_id: { kind: 'equals', column: 'supplier_id' },
    status: { kind: 'equals', column: 'status', values: PURCHASE_ORDER_STATUSES },
    order_date: { kind: 'range', column: 'order_date' },
  },
  sorts: ['order_date', 'created_at'],
  defaultSort: '-order_date',
});

const TABLES: OrderTables<PurchaseOrderRow, LineRow, PurchaseOrderState, PurchaseOrderLineState> = {
  what: 'Purchase order',
  list: PURCHASE_ORDER_LIST,
  get: `SELECT ${COLUMNS} FROM erp_purchase_orders WHERE tenant_id = :tenantId AND id = :id`,
  insert: `INSERT INTO erp_purchase_orders (${COLUMNS}) VALUES (:id, :tenantId, :number, :supplierId, :status, :orderDate, :currency, :version, :createdAt, :updatedAt)`,
  update: `UPDATE erp_purchase_orders SET supplier_id = :supplierId, status = :status, order_date = :orderDate, currency = :currency, version = :version, updated_at = :updatedAt
    WHERE tenant_id = :tenantId AND id = :id AND version = :loaded RETURNING id`,
  deleteLines: 'DELETE FROM erp_purchase_order_lines WHERE tenant_id = :tenantId AND purchase_order_id = :id',
  insertLine: `INSERT INTO erp_purchase_order_lines (tenant_id, ${LINE_COLUMNS})
    VALUES (:tenantId, :id, :orderId, :position, :itemId, :quantity, :unitCost, :taxRateId, :taxRate, :taxInclusive, :locationId, :quantityReceived)`,
  selectLines: (list) => `SELECT ${LINE_COLUMNS} FROM erp_purchase_order_lines WHERE tenant_id = :tenantId AND purchase_order_id IN (${list}) ORDER BY purchase_order_id, position`,
  orderIdOf: (r) => r.purchase_order_id,
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
  toState: (r, lines) => ({
    id: r.id,
    tenantId: r.tenant_id,
    number: r.number,
    supplierId: r.supplier_id,
    status: r.status as PurchaseOrderStatus,
    orderDate: day(r.order_date),
    currency: r.currency.trim(),
    lines,
    version: Number(r.version),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  }),
  params: (s) => ({ id: s.id, number: s.number, supplierId: s.supplierId, status: s.status, orderDate: s.orderDate, currency: s.currency, version: s.version, createdAt: s.createdAt, updatedAt: s.updatedAt }),
  lineParams: (s, l, position) => ({
    id: l.id,
    orderId: s.id,
    position,
    itemId: l.itemId,
    quantity: l.quantity,
    unitCost: l.unitCost,
    taxRateId: l.taxRateId,
    taxRate: l.taxRate,
    taxInclusive: l.taxInclusive,
    locationId: l.locationId,
    quantityReceived: l.quantityReceived,
  }),
};

/** Purchase orders of one tenant with their lines. */
export class PurchaseOrderRepository extends OrderRepository<PurchaseOrderRow, LineRow, PurchaseOrderState, PurchaseOrderLineState, PurchaseOrder> {
  protected readonly tables = TABLES;

  protected restore(state: PurchaseOrderState): PurchaseOrder {
    return PurchaseOrder.restore(state);
  }
}
