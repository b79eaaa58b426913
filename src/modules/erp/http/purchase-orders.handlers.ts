import type { components } from '../../../../generated/api';
import type { HandlerMap } from '../../../platform/http/handler';
import { callerOf } from '../../../platform/http/handler-kit';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { PurchaseOrderLineRequest, PurchaseOrderUseCases } from '../application/purchase-orders';
import { purchaseOrderDocument, type PurchaseOrderState } from '../domain/purchase-order';
import { PURCHASE_ORDER_LIST } from '../infrastructure/purchase-order.repository';
import { orderHandlerKit } from './orders';

type Schemas = components['schemas'];

/** The contract's PurchaseOrder: the same document the purchase order events carry. */
export const toPurchaseOrder = (s: Readonly<PurchaseOrderState>): Schemas['PurchaseOrder'] => purchaseOrderDocument(s) as Schemas['PurchaseOrder'];

const linesOf = (lines: readonly Schemas['PurchaseOrderLineInput'][]): PurchaseOrderLineRequest[] =>
  lines.map((l) => ({ itemId: l.item_id, quantity: l.quantity, unitCost: l.unit_cost, taxRateId: l.tax_rate_id, locationId: l.location_id }));

export function purchaseOrderHandlers(orders: PurchaseOrderUseCases, cursors: CursorCodec): HandlerMap {
  const kit = orderHandlerKit({ path: '/v1/erp/purchase-orders', idParam: 'purchase_order_id', list: PURCHASE_ORDER_LIST, toBody: toPurchaseOrder, orders }, cursors);
  return {
    listPurchaseOrders: kit.list,
    getPurchaseOrder: kit.get,
    confirmPurchaseOrder: kit.confirm,
    cancelPurchaseOrder: kit.cancel,

    createPurchaseOrder: (r) => kit.create(r, { supplierId: r.body.supplier_id, orderDate: r.body.order_date, currency: r.body.currency, lines: linesOf(r.body.lines) }),
    updatePurchaseOrder: (r) => kit.update(r, { supplierId: r.body.supplier_id, orderDate: r.body.order_date, currency: r.body.currency, lines: r.body.lines && linesOf(r.body.lines) }),

    async receivePurchaseOrder(request) {
      const b = request.body ?? {};
      const lines = b.lines?.map((l) => ({ lineId: l.line_id, quantity: l.quantity, lot: l.lot, serials: l.serials }));
      return kit.ok(await orders.receive(...kit.target(request), { locationId: b.location_id, lines }, callerOf(request).clientId, request.claim));
    },
  };
}
