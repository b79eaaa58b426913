import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, type ExpectedVersion, NotFoundError } from '../../../platform/errors';
import { Warehouse, WarehouseCodeTakenError, type WarehouseInput, type WarehousePatch, type WarehouseState } from '../domain/warehouse';
import { WarehouseRepository } from '../infrastructure/warehouse.repository';

export interface WarehouseDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
}

/** Warehouses: create, read, list, change, delete (only while it has no locations). */
export function warehouseUseCases({ db, runInUnitOfWork }: WarehouseDeps) {
  /** A code the unique index refused becomes the 409 naming the warehouse that has it, read after the rollback. */
  async function guarded<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof WarehouseCodeTakenError)) throw err;
      throw new WarehouseCodeTakenError(err.code, await new WarehouseRepository(db, tenantId).idByCode(err.code));
    }
  }

  const notFound = (id: string) => new NotFoundError(`There is no warehouse ${id}.`);

  return {
    create(tenantId: string, input: WarehouseInput, claim?: IdempotencyClaim): Promise<WarehouseState> {
      const warehouse = Warehouse.create(tenantId, input);
      return guarded(tenantId, () =>
        runInUnitOfWork(
          tenantId,
          async (uow) => {
            await WarehouseRepository.in(uow).add(warehouse);
            return warehouse.snapshot;
          },
          claim,
        ),
      );
    },

    async get(tenantId: string, id: string): Promise<WarehouseState> {
      const state = await new WarehouseRepository(db, tenantId).state(id);
      if (!state) throw notFound(id);
      return state;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<WarehouseState>> {
      return new WarehouseRepository(db, tenantId).list(request);
    },

    update(tenantId: string, id: string, expected: ExpectedVersion, patch: WarehousePatch): Promise<WarehouseState> {
      return guarded(tenantId, () =>
        runInUnitOfWork(tenantId, async (uow) => {
          const repo = WarehouseRepository.in(uow);
          const warehouse = await repo.get(id);
          if (!warehouse) throw notFound(id);
          checkExpectedVersion(`warehouse ${id}`, warehouse.version, expected);
          const loaded = warehouse.version;
          if (!warehouse.change(patch).changed) return warehouse.snapshot;
          await repo.save(warehouse, loaded);
          return warehouse.snapshot;
        }),
      );
    },

    /** The warehouse row is locked first: a location created in it meanwhile (which share-locks it) is seen. */
    delete(tenantId: string, id: string, expected: ExpectedVersion): Promise<void> {
      return runInUnitOfWork(tenantId, async (uow) => {
        const repo = WarehouseRepository.in(uow);
        const warehouse = await repo.get(id);
        if (!warehouse) throw notFound(id);
        checkExpectedVersion(`warehouse ${id}`, warehouse.version, expected);
        warehouse.assertDeletable(await repo.hasLocations(id));
        await repo.delete(warehouse, warehouse.version);
      });
    },
  };
}

export type WarehouseUseCases = ReturnType<typeof warehouseUseCases>;
