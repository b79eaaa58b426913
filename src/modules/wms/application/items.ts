import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, type ExpectedVersion, NotFoundError } from '../../../platform/errors';
import { Item, type ItemInput, type ItemPatch, type ItemState, SkuTakenError } from '../domain/item';
import { ItemRepository } from '../infrastructure/item.repository';

export interface ItemDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
}

/**
 * Items: create, read, list, change. A taken SKU is left to the unique index (a create is one
 * INSERT, no lookup first); its refusal becomes a 409 naming the item that has the SKU, read once
 * the transaction has rolled back (a failed PostgreSQL transaction answers no more queries).
 */
export function itemUseCases({ db, runInUnitOfWork }: ItemDeps) {
  async function guarded<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof SkuTakenError)) throw err;
      throw new SkuTakenError(err.sku, await new ItemRepository(db, tenantId).idBySku(err.sku));
    }
  }

  return {
    create(tenantId: string, input: ItemInput, claim?: IdempotencyClaim): Promise<ItemState> {
      const item = Item.create(tenantId, input);
      return guarded(tenantId, () =>
        runInUnitOfWork(
          tenantId,
          async (uow) => {
            await ItemRepository.in(uow).add(item);
            return item.snapshot;
          },
          claim,
        ),
      );
    },

    async get(tenantId: string, id: string): Promise<ItemState> {
      const state = await new ItemRepository(db, tenantId).state(id);
      if (!state) throw new NotFoundError(`There is no item ${id}.`);
      return state;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<ItemState>> {
      return new ItemRepository(db, tenantId).list(request);
    },

    /**
     * A merge patch on the locked item. Whether it has had stock is asked only when the patch
     * changes its unit or tracking (the stock code share-locks the item when it posts, so a
     * first receipt and such a change take turns).
     */
    update(tenantId: string, id: string, expected: ExpectedVersion, patch: ItemPatch): Promise<ItemState> {
      return guarded(tenantId, () =>
        runInUnitOfWork(tenantId, async (uow) => {
          const repo = ItemRepository.in(uow);
          const item = await repo.get(id);
          if (!item) throw new NotFoundError(`There is no item ${id}.`);
          checkExpectedVersion(`item ${id}`, item.version, expected);
          const loaded = item.version;
          const hasHadStock = item.ledgerFieldsChangedBy(patch).length > 0 && (await repo.hasBalance(id));
          if (!item.change(patch, hasHadStock)) return item.snapshot;
          await repo.save(item, loaded);
          return item.snapshot;
        }),
      );
    },
  };
}

export type ItemUseCases = ReturnType<typeof itemUseCases>;
