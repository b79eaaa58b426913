import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { callerOf } from '../../../platform/http/handler-kit';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { PurchaseOrderLineRequest, PurchaseOrderUseCases } from '../application/purchase-orders';
import { purchaseOrderDocument, type PurchaseOrderState } from '../domain/purchase-order';
import { PURCHASE_ORDER_LIST } from '../infrastructure/purchase-order.repository';
import { toBill } from './documents.handlers';
import { orderHandlerKit } from './orders';

type Schemas = components['schemas'];

/** The contract's PurchaseOrder: the same document the purchase order events carry. */
export const toPurchaseOrder = (s: Readonly<PurchaseOrderState>): Schemas['PurchaseOrder'] => purchaseOrderDocument(s) as Schemas['PurchaseOrder'];

const linesOf = (lines: readonly Schemas['PurchaseOrderLineInput'][]): PurchaseOrderLineRequest[] =>
  lines.map((l) => ({ itemId: l.item_id, quantity: l.quantity, unitCost: l.unit_cost, taxRateId: l.tax_rate_id, locationId: l.location_id }));

export function purchaseOrderHandlers(orders: PurchaseOrderUseCases, cursors: CursorCodec): HandlerMap {
  const kit = orderHandlerKit(
    {
      name: 'PurchaseOrder',
      path: '/v1/erp/purchase-orders',
      idParam: 'purchase_order_id',
      list: PURCHASE_ORDER_LIST,
      toBody: toPurchaseOrder,
      orders,
      input: (b: Schemas['PurchaseOrderCreate']) => ({ supplierId: b.supplier_id, orderDate: b.order_date, currency: b.currency, lines: linesOf(b.lines) }),
      patch: (b: Schemas['PurchaseOrderUpdate']) => ({ supplierId: b.supplier_id, orderDate: b.order_date, currency: b.currency, lines: b.lines && linesOf(b.lines) }),
    },
    cursors,
  );
  return {
    ...kit.handlers,

    async receivePurchaseOrder(request) {
      const b = request.body ?? {};
      const lines = b.lines?.map((l) => ({ lineId: l.line_id, quantity: l.quantity, lot: l.lot, serials: l.serials }));
      return kit.ok(await orders.receive(...kit.target(request), { locationId: b.location_id, lines }, callerOf(request).clientId, request.claim));
    },

    async billPurchaseOrder(request) {
      const bill = await orders.bill(...kit.target(request), request.claim);
      return { status: 201, headers: { Location: `/v1/erp/bills/${bill.id}`, ETag: etag(bill.version) }, body: toBill(bill) };
    },
  };
}
