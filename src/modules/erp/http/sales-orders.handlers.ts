import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { callerOf, expectedVersions, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { SalesOrderLineRequest, SalesOrderUseCases } from '../application/sales-orders';
import { salesOrderDocument, type SalesOrderState } from '../domain/sales-order';
import { SALES_ORDER_LIST } from '../infrastructure/sales-order.repository';

type Schemas = components['schemas'];

/** The contract's SalesOrder: the same document the sales order events carry. */
export const toSalesOrder = (s: Readonly<SalesOrderState>): Schemas['SalesOrder'] => salesOrderDocument(s) as Schemas['SalesOrder'];

const linesOf = (lines: readonly Schemas['SalesOrderLineInput'][]): SalesOrderLineRequest[] =>
  lines.map((l) => ({ itemId: l.item_id, quantity: l.quantity, unitPrice: l.unit_price, taxRateId: l.tax_rate_id, locationId: l.location_id, warehouseId: l.warehouse_id }));

export function salesOrderHandlers(orders: SalesOrderUseCases, cursors: CursorCodec): HandlerMap {
  const ok = (s: SalesOrderState) => ({ status: 200 as const, headers: { ETag: etag(s.version) }, body: toSalesOrder(s) });
  return {
    async listSalesOrders(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(SALES_ORDER_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await orders.list(tenantId, list.request), toSalesOrder) };
    },

    async createSalesOrder(request) {
      const b = request.body;
      const order = await orders.create(tenantOf(request), { customerId: b.customer_id, orderDate: b.order_date, currency: b.currency, lines: linesOf(b.lines) }, request.claim);
      return { status: 201, headers: { Location: `/v1/erp/sales-orders/${order.id}`, ETag: etag(order.version) }, body: toSalesOrder(order) };
    },

    async getSalesOrder(request) {
      return ok(await orders.get(tenantOf(request), request.params.sales_order_id));
    },

    async updateSalesOrder(request) {
      const b = request.body;
      return ok(
        await orders.update(tenantOf(request), request.params.sales_order_id, expectedVersions(request.ifMatch), {
          customerId: b.customer_id,
          orderDate: b.order_date,
          currency: b.currency,
          lines: b.lines && linesOf(b.lines),
        }),
      );
    },

    async confirmSalesOrder(request) {
      return ok(await orders.confirm(tenantOf(request), request.params.sales_order_id, expectedVersions(request.ifMatch), request.claim));
    },

    async deliverSalesOrder(request) {
      const lines = request.body?.lines?.map((l) => ({ lineId: l.line_id, quantity: l.quantity }));
      return ok(await orders.deliver(tenantOf(request), request.params.sales_order_id, expectedVersions(request.ifMatch), lines, callerOf(request).clientId, request.claim));
    },

    async cancelSalesOrder(request) {
      return ok(await orders.cancel(tenantOf(request), request.params.sales_order_id, expectedVersions(request.ifMatch), request.claim));
    },
  };
}
