import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { callerOf } from '../../../platform/http/handler-kit';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { SalesOrderLineRequest, SalesOrderUseCases } from '../application/sales-orders';
import { salesOrderDocument, type SalesOrderState } from '../domain/sales-order';
import { SALES_ORDER_LIST } from '../infrastructure/sales-order.repository';
import { toInvoice } from './documents.handlers';
import { orderHandlerKit } from './orders';

type Schemas = components['schemas'];

/** The contract's SalesOrder: the same document the sales order events carry. */
export const toSalesOrder = (s: Readonly<SalesOrderState>): Schemas['SalesOrder'] => salesOrderDocument(s) as Schemas['SalesOrder'];

const linesOf = (lines: readonly Schemas['SalesOrderLineInput'][]): SalesOrderLineRequest[] =>
  lines.map((l) => ({ itemId: l.item_id, quantity: l.quantity, unitPrice: l.unit_price, taxRateId: l.tax_rate_id, locationId: l.location_id, warehouseId: l.warehouse_id }));

export function salesOrderHandlers(orders: SalesOrderUseCases, cursors: CursorCodec): HandlerMap {
  const kit = orderHandlerKit(
    {
      name: 'SalesOrder',
      path: '/v1/erp/sales-orders',
      idParam: 'sales_order_id',
      list: SALES_ORDER_LIST,
      toBody: toSalesOrder,
      orders,
      input: (b: Schemas['SalesOrderCreate']) => ({ customerId: b.customer_id, orderDate: b.order_date, currency: b.currency, lines: linesOf(b.lines) }),
      patch: (b: Schemas['SalesOrderUpdate']) => ({ customerId: b.customer_id, orderDate: b.order_date, currency: b.currency, lines: b.lines && linesOf(b.lines) }),
    },
    cursors,
  );
  return {
    ...kit.handlers,

    async deliverSalesOrder(request) {
      const lines = request.body?.lines?.map((l) => ({ lineId: l.line_id, quantity: l.quantity }));
      return kit.ok(await orders.deliver(...kit.target(request), lines, callerOf(request).clientId, request.claim));
    },

    async invoiceSalesOrder(request) {
      const invoice = await orders.invoice(...kit.target(request), request.claim);
      return { status: 201, headers: { Location: `/v1/erp/invoices/${invoice.id}`, ETag: etag(invoice.version) }, body: toInvoice(invoice) };
    },
  };
}
