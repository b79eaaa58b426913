import type { components } from '../../../../generated/api';
import type { HandlerMap } from '../../../platform/http/handler';
import { callerOf, expectedVersions, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { PurchaseOrderLineRequest, PurchaseOrderUseCases } from '../application/purchase-orders';
import { purchaseOrderDocument, type PurchaseOrderState } from '../domain/purchase-order';
import { PURCHASE_ORDER_LIST } from '../infrastructure/purchase-order.repository';
import { orderResponses } from './orders';

type Schemas = components['schemas'];

/** The contract's PurchaseOrder: the same document the purchase order events carry. */
export const toPurchaseOrder = (s: Readonly<PurchaseOrderState>): Schemas['PurchaseOrder'] => purchaseOrderDocument(s) as Schemas['PurchaseOrder'];

const linesOf = (lines: readonly Schemas['PurchaseOrderLineInput'][]): PurchaseOrderLineRequest[] =>
  lines.map((l) => ({ itemId: l.item_id, quantity: l.quantity, unitCost: l.unit_cost, taxRateId: l.tax_rate_id, locationId: l.location_id }));

export function purchaseOrderHandlers(orders: PurchaseOrderUseCases, cursors: CursorCodec): HandlerMap {
  const { ok, created } = orderResponses('/v1/erp/purchase-orders', toPurchaseOrder);
  return {
    async listPurchaseOrders(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(PURCHASE_ORDER_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await orders.list(tenantId, list.request), toPurchaseOrder) };
    },

    async createPurchaseOrder(request) {
      const b = request.body;
      return created(await orders.create(tenantOf(request), { supplierId: b.supplier_id, orderDate: b.order_date, currency: b.currency, lines: linesOf(b.lines) }, request.claim));
    },

    async getPurchaseOrder(request) {
      return ok(await orders.get(tenantOf(request), request.params.purchase_order_id));
    },

    async updatePurchaseOrder(request) {
      const b = request.body;
      return ok(
        await orders.update(tenantOf(request), request.params.purchase_order_id, expectedVersions(request.ifMatch), {
          supplierId: b.supplier_id,
          orderDate: b.order_date,
          currency: b.currency,
          lines: b.lines && linesOf(b.lines),
        }),
      );
    },

    async confirmPurchaseOrder(request) {
      return ok(await orders.confirm(tenantOf(request), request.params.purchase_order_id, expectedVersions(request.ifMatch), request.claim));
    },

    async receivePurchaseOrder(request) {
      const b = request.body ?? {};
      const lines = b.lines?.map((l) => ({ lineId: l.line_id, quantity: l.quantity, lot: l.lot, serials: l.serials }));
      return ok(await orders.receive(tenantOf(request), request.params.purchase_order_id, expectedVersions(request.ifMatch), { locationId: b.location_id, lines }, callerOf(request).clientId, request.claim));
    },

    async cancelPurchaseOrder(request) {
      return ok(await orders.cancel(tenantOf(request), request.params.purchase_order_id, expectedVersions(request.ifMatch), request.claim));
    },
  };
}
