import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { callerOf, expectedVersions, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { MoveUseCases } from '../application/moves';
import { moveDocument, type StockMoveView } from '../domain/stock-move';
import { STOCK_MOVE_LIST } from '../infrastructure/move.repository';

type Schemas = components['schemas'];

/** The contract's StockMove: the same document the `wms.stock.moved` event carries. */
export const toStockMove = (m: StockMoveView): Schemas['StockMove'] => moveDocument(m) as Schemas['StockMove'];

export function stockMoveHandlers(moves: MoveUseCases, cursors: CursorCodec): HandlerMap {
  const created = (m: StockMoveView) => ({ status: 201 as const, headers: { Location: `/v1/wms/stock-moves/${m.id}`, ETag: etag(1) }, body: toStockMove(m) });
  return {
    async postStockMove(request) {
      const b = request.body;
      const move = await moves.post(
        tenantOf(request),
        {
          type: b.type,
          itemId: b.item_id,
          quantity: b.quantity,
          fromLocationId: b.from_location_id,
          toLocationId: b.to_location_id,
          lot: b.lot,
          serials: b.serials,
          unitCost: b.unit_cost,
          reasonCode: b.reason_code,
          reservationId: b.reservation_id,
          reference: b.reference,
        },
        callerOf(request).clientId,
        request.claim,
      );
      return created(move);
    },

    async listStockMoves(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(STOCK_MOVE_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await moves.list(tenantId, list.request), toStockMove) };
    },

    async getStockMove(request) {
      const move = await moves.get(tenantOf(request), request.params.stock_move_id);
      const body = toStockMove(move);
      return { status: 200, headers: { ETag: etag(body.version) }, body };
    },

    async reverseStockMove(request) {
      const move = await moves.reverse(tenantOf(request), request.params.stock_move_id, expectedVersions(request.ifMatch), callerOf(request).clientId, request.claim);
      return created(move);
    },
  };
}
