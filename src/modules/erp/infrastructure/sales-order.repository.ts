import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { date } from '../../../platform/db/rows';
import { StaleVersionError } from '../../../platform/errors';
import { SALES_ORDER_STATUSES, SalesOrder, type SalesOrderLineState, type SalesOrderState, type SalesOrderStatus } from '../domain/sales-order';

interface SalesOrderRow {
  id: string;
  tenant_id: string;
  number: string;
  customer_id: string;
  status: string;
  order_date: string | Date;
  currency: string;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

interface LineRow {
  id: string;
  sales_order_id: string;
  position: number;
  item_id: string;
  /** bigint: a string from pg. */
  quantity: string | number;
  unit_price: string | number;
  tax_rate_id: string;
  tax_rate: number;
  tax_inclusive: boolean | number;
  location_id: string | null;
  warehouse_id: string | null;
  quantity_delivered: string | number;
  reservation_id: string | null;
}

/** A `date` column as YYYY-MM-DD from either driver (SQLite text; pg text through Sequelize, or a local-midnight Date). */
function day(v: string | Date): string {
  if (v instanceof Date) return `${String(v.getFullYear()).padStart(4, '0')}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`;
  return String(v).slice(0, 10);
}

const toLine = (r: LineRow): SalesOrderLineState => ({
  id: r.id,
  itemId: r.item_id,
  quantity: Number(r.quantity),
  unitPrice: Number(r.unit_price),
  taxRateId: r.tax_rate_id,
  taxRate: Number(r.tax_rate),
  taxInclusive: r.tax_inclusive === true || r.tax_inclusive === 1,
  locationId: r.location_id,
  warehouseId: r.warehouse_id,
  quantityDelivered: Number(r.quantity_delivered),
  reservationId: r.reservation_id,
});

const toState = (r: SalesOrderRow, lines: SalesOrderLineState[]): SalesOrderState => ({
  id: r.id,
  tenantId: r.tenant_id,
  number: r.number,
  customerId: r.customer_id,
  status: r.status as SalesOrderStatus,
  orderDate: day(r.order_date),
  currency: r.currency.trim(),
  lines,
  version: Number(r.version),
  createdAt: date(r.created_at),
  updatedAt: date(r.updated_at),
});

const COLUMNS = 'id, tenant_id, number, customer_id, status, order_date, currency, version, created_at, updated_at';
const LINE_COLUMNS = 'id, sales_order_id, position, item_id, quantity, unit_price, tax_rate_id, tax_rate, tax_inclusive, location_id, warehouse_id, quantity_delivered, reservation_id';
const GET = `SELECT ${COLUMNS} FROM erp_sales_orders WHERE tenant_id = :tenantId AND id = :id`;
const INSERT = `INSERT INTO erp_sales_orders (${COLUMNS}) VALUES (:id, :tenantId, :number, :customerId, :status, :orderDate, :currency, :version, :createdAt, :updatedAt)`;
const UPDATE = `UPDATE erp_sales_orders SET customer_id = :customerId, status = :status, order_date = :orderDate, currency = :currency, version = :version, updated_at = :updatedAt
  WHERE tenant_id = :tenantId AND id = :id AND version = :loaded RETURNING id`;
const DELETE_LINES = 'DELETE FROM erp_sales_order_lines WHERE tenant_id = :tenantId AND sales_order_id = :id';
const INSERT_LINE = `INSERT INTO erp_sales_order_lines (tenant_id, ${LINE_COLUMNS})
  VALUES (:tenantId, :id, :orderId, :position, :itemId, :quantity, :unitPrice, :taxRateId, :taxRate, :taxInclusive, :locationId, :warehouseId, :quantityDelivered, :reservationId)`;

/** The list; every filter and sort has its index (migrations/20261209200000-erp-sales-orders.ts). */
export const SALES_ORDER_LIST = defineList({
  name: 'erp.sales_orders',
  table: 'erp_sales_orders',
  select: COLUMNS,
  columns: {
    customer_id: { type: 'text' },
    status: { type: 'text' },
    order_date: { type: 'date' },
    created_at: { type: 'instant' },
  },
  filters: {
    customer_id: { kind: 'equals', column: 'customer_id' },
    status: { kind: 'equals', column: 'status', values: SALES_ORDER_STATUSES },
    order_date: { kind: 'range', column: 'order_date' },
  },
  sorts: ['order_date', 'created_at'],
  defaultSort: '-order_date',
});

/** Sales orders of one tenant with their lines: the order row versioned, the lines written whole with it. */
export class SalesOrderRepository extends TenantRepository {
  /** Inside a unit of work on PostgreSQL the order row is locked: every change of it takes turns. */
  async get(id: string): Promise<SalesOrder | null> {
    const row = await this.lockingSelectOne<SalesOrderRow>(GET, { id });
    return row ? SalesOrder.restore(toState(row, (await this.linesOf([id])).get(id) ?? [])) : null;
  }

  async state(id: string): Promise<SalesOrderState | null> {
    const row = await this.selectOne<SalesOrderRow>(GET, { id });
    return row ? toState(row, (await this.linesOf([id])).get(id) ?? []) : null;
  }

  async add(order: SalesOrder): Promise<void> {
    await this.execute(INSERT, params(order.snapshot));
    await this.writeLines(order.snapshot);
    this.record(order.pullEvents());
  }

  /** Saves the order if it is still at `loadedVersion` (else 412), and its lines as they are now. */
  async save(order: SalesOrder, loadedVersion: number): Promise<void> {
    const updated = await this.execute<{ id: string }>(UPDATE, { ...params(order.snapshot), loaded: loadedVersion });
    if (updated.length !== 1) throw new StaleVersionError(`Sales order ${order.id} was changed by another request; get it again and retry.`);
    await this.execute(DELETE_LINES, { id: order.id });
    await this.writeLines(order.snapshot);
    this.record(order.pullEvents());
  }

  async list(request: ListRequest): Promise<ListPage<SalesOrderState>> {
    const page = await this.page<SalesOrderRow, SalesOrderRow>(SALES_ORDER_LIST, request, (r) => r);
    const lines = await this.linesOf(page.items.map((r) => r.id));
    return { items: page.items.map((r) => toState(r, lines.get(r.id) ?? [])), next: page.next };
  }

  private async linesOf(orderIds: readonly string[]): Promise<Map<string, SalesOrderLineState[]>> {
    const out = new Map<string, SalesOrderLineState[]>();
    if (!orderIds.length) return out;
    const { list, params: ids } = this.inList('o', [...new Set(orderIds)]);
    const rows = await this.select<LineRow>(`SELECT ${LINE_COLUMNS} FROM erp_sales_order_lines WHERE tenant_id = :tenantId AND sales_order_id IN (${list}) ORDER BY sales_order_id, position`, ids);
    for (const r of rows) {
      const lines = out.get(r.sales_order_id) ?? [];
      lines.push(toLine(r));
      out.set(r.sales_order_id, lines);
    }
    return out;
  }

  private async writeLines(s: Readonly<SalesOrderState>): Promise<void> {
    for (const [position, l] of s.lines.entries()) {
      await this.execute(INSERT_LINE, {
        id: l.id,
        orderId: s.id,
        position,
        itemId: l.itemId,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        taxRateId: l.taxRateId,
        taxRate: l.taxRate,
        taxInclusive: l.taxInclusive,
        locationId: l.locationId,
        warehouseId: l.warehouseId,
        quantityDelivered: l.quantityDelivered,
        reservationId: l.reservationId,
      });
    }
  }
}

function params(s: Readonly<SalesOrderState>) {
  return { id: s.id, number: s.number, customerId: s.customerId, status: s.status, orderDate: s.orderDate, currency: s.currency, version: s.version, createdAt: s.createdAt, updatedAt: s.updatedAt };
}
