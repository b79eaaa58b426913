import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, type ExpectedVersion, InvalidInputError, NotFoundError } from '../../../platform/errors';
import { Location, LocationCodeTakenError, type LocationInput, type LocationPatch, type LocationState } from '../domain/location';
import { LocationRepository } from '../infrastructure/location.repository';
import { WarehouseRepository } from '../infrastructure/warehouse.repository';

export interface LocationDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
}

/**
 * Locations: a tree per warehouse. Create, read, list, change (a move in the tree, a
 * deactivation), delete (only a leaf without stock history). Locks on PostgreSQL are taken
 * warehouse first, then location (see LocationRepository).
 */
export function locationUseCases({ db, runInUnitOfWork }: LocationDeps) {
  /** A code the unique index refused becomes the 409 naming the location that has it, read after the rollback. */
  async function guarded<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof LocationCodeTakenError)) throw err;
      throw new LocationCodeTakenError(err.warehouseId, err.code, await new LocationRepository(db, tenantId).idByCode(err.warehouseId, err.code));
    }
  }

  const notFound = (id: string) => new NotFoundError(`There is no location ${id}.`);

  return {
    /** The warehouse (a 400 naming `warehouse_id` when the tenant has no such one) and the parent are share-locked until the commit. */
    create(tenantId: string, input: LocationInput, claim?: IdempotencyClaim): Promise<LocationState> {
      return guarded(tenantId, () =>
        runInUnitOfWork(
          tenantId,
          async (uow) => {
            const warehouse = await WarehouseRepository.in(uow).stateForShare(input.warehouseId);
            if (!warehouse) throw new InvalidInputError([{ pointer: '/warehouse_id', detail: `is not a warehouse of this tenant (there is no warehouse ${input.warehouseId})` }]);
            const repo = LocationRepository.in(uow);
            const ancestry = input.parentId ? await repo.ancestry(input.parentId) : [];
            const location = Location.create(tenantId, input, ancestry);
            await repo.add(location);
            return location.snapshot;
          },
          claim,
        ),
      );
    },

    async get(tenantId: string, id: string): Promise<LocationState> {
      const state = await new LocationRepository(db, tenantId).state(id);
      if (!state) throw notFound(id);
      return state;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<LocationState>> {
      return new LocationRepository(db, tenantId).list(request);
    },

    /**
     * A merge patch on the locked location. A patch naming `parent_id` first locks the
     * warehouse (its id never changes, so it is read without a lock), so that moves in one tree
     * take turns; whether it holds stock is asked only when the patch deactivates it.
     */
    update(tenantId: string, id: string, expected: ExpectedVersion, patch: LocationPatch): Promise<LocationState> {
      return guarded(tenantId, () =>
        runInUnitOfWork(tenantId, async (uow) => {
          const repo = LocationRepository.in(uow);
          if (patch.parentId !== undefined) {
            const current = await repo.state(id);
            if (!current) throw notFound(id);
            await WarehouseRepository.in(uow).get(current.warehouseId);
          }
          const location = await repo.get(id);
          if (!location) throw notFound(id);
          checkExpectedVersion(`location ${id}`, location.version, expected);
          const loaded = location.version;
          const ancestry = location.movesBy(patch) && patch.parentId ? await repo.ancestry(patch.parentId) : undefined;
          const holdsStock = location.deactivatesBy(patch) ? await repo.holdsStock(id) : false;
          if (!location.change(patch, { ancestry, holdsStock }).changed) return location.snapshot;
          await repo.save(location, loaded);
          return location.snapshot;
        }),
      );
    },

    /** The location row is locked first: a child created under it meanwhile (which share-locks it), or a posting, is seen. */
    delete(tenantId: string, id: string, expected: ExpectedVersion): Promise<void> {
      return runInUnitOfWork(tenantId, async (uow) => {
        const repo = LocationRepository.in(uow);
        const location = await repo.get(id);
        if (!location) throw notFound(id);
        checkExpectedVersion(`location ${id}`, location.version, expected);
        location.assertDeletable({ hasChildren: await repo.hasChildren(id), hasHistory: await repo.hasHistory(id) });
        await repo.delete(location, location.version);
      });
    },
  };
}

export type LocationUseCases = ReturnType<typeof locationUseCases>;
