import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, NotFoundError } from '../../../platform/errors';
import { planReversal, type MoveRequest, type StockMoveView } from '../domain/stock-move';
import { MoveRepository } from '../infrastructure/move.repository';
import { Posting } from './posting';

/**
 * The ledger's use cases: post a move, reverse one, read them. Each post is one unit of work:
 * the move, its balances, serials, valuation and events commit together or not at all.
 */
export function moveUseCases(db: Database, runInUnitOfWork: RunInUnitOfWork) {
  return {
    post(tenantId: string, request: MoveRequest, actor: string, claim?: IdempotencyClaim): Promise<StockMoveView> {
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const posting = new Posting(uow);
          // A move that brings stock in may make the item's first balance: see StockRepository.items.
          const item = (await posting.stock.items([request.itemId], request.type === 'receipt' || request.type === 'adjustment')).get(request.itemId);
          const move = await posting.postRequest(request, item, actor);
          await posting.finish();
          return { ...move, reversedByMoveId: null };
        },
        claim,
      );
    },

    /** Posts the move that undoes `id` (If-Match: the move's version, 1 until reversed). */
    reverse(tenantId: string, id: string, expected: readonly number[] | undefined, actor: string, claim?: IdempotencyClaim): Promise<StockMoveView> {
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const posting = new Posting(uow);
          const original = await posting.moves.lockedGet(id);
          if (!original) throw new NotFoundError(`There is no stock move ${id}.`);
          checkExpectedVersion(`stock move ${id}`, original.reversedByMoveId ? 2 : 1, expected);
          const item = (await posting.stock.items([original.itemId])).get(original.itemId)!;
          const locations = await posting.stock.locations([original.fromLocationId, original.toLocationId]);
          const move = await posting.post(planReversal(original, locations, actor, posting.now), item);
          await posting.finish();
          return { ...move, reversedByMoveId: null };
        },
        claim,
      );
    },

    async get(tenantId: string, id: string): Promise<StockMoveView> {
      const move = await new MoveRepository(db, tenantId).get(id);
      if (!move) throw new NotFoundError(`There is no stock move ${id}.`);
      return move;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<StockMoveView>> {
      return new MoveRepository(db, tenantId).list(request);
    },
  };
}

export type MoveUseCases = ReturnType<typeof moveUseCases>;
