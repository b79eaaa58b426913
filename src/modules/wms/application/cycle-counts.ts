import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, ConflictError, type ExpectedVersion, InvalidInputError, NotFoundError } from '../../../platform/errors';
import { CYCLE_COUNT_REASON, CycleCount, type CountedLine, type CycleCountState } from '../domain/cycle-count';
import { formatQuantity } from '../domain/quantity';
import { planMove } from '../domain/stock-move';
import { CycleCountRepository } from '../infrastructure/cycle-count.repository';
import { Posting } from './posting';

export function cycleCountUseCases(db: Database, runInUnitOfWork: RunInUnitOfWork) {
  return {
    create(tenantId: string, locationId: string, lines: readonly CountedLine[], claim?: IdempotencyClaim): Promise<CycleCountState> {
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const posting = new Posting(uow);
          const location = (await posting.stock.locations([locationId])).get(locationId);
          if (!location) throw new InvalidInputError([{ pointer: '/location_id', detail: `is not a location of this tenant (there is no location ${locationId})` }]);
          const items = await posting.stock.items(lines.map((l) => l.itemId));
          const count = CycleCount.open(tenantId, locationId, lines, items, posting.now);
          await CycleCountRepository.in(uow).add(count);
          return count.snapshot;
        },
        claim,
      );
    },

    async get(tenantId: string, id: string): Promise<CycleCountState> {
      const state = await new CycleCountRepository(db, tenantId).state(id);
      if (!state) throw new NotFoundError(`There is no cycle count ${id}.`);
      return state;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<CycleCountState>> {
      return new CycleCountRepository(db, tenantId).list(request);
    },

    /**
     * Posts the count: the items' totals locked (in item order), each line compared with what is
     * on hand now, and one adjustment (reason `cycle_count`, referencing the count) per
     * difference, all in this one transaction. A count below what is reserved there is a 409.
     */
    post(tenantId: string, id: string, expected: ExpectedVersion, actor: string, claim?: IdempotencyClaim): Promise<CycleCountState> {
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const posting = new Posting(uow);
          const repo = CycleCountRepository.in(uow);
          const current = await repo.state(id);
          if (!current) throw new NotFoundError(`There is no cycle count ${id}.`);
          const items = await posting.stock.items(current.lines.map((l) => l.itemId), true);
          await posting.lockItems([...items.values()]);
          const count = (await repo.get(id))!;
          checkExpectedVersion(`cycle count ${id}`, count.snapshot.version, expected);
          const loaded = count.snapshot.version;
          const locations = await posting.stock.locations([current.locationId]);
          const onHand = await posting.stock.onHandAt(current.locationId, current.lines.map((l) => l.itemId));
          const serialsThere = new Map<string, string[]>();
          for (const line of current.lines) if (line.serials) serialsThere.set(line.itemId, await posting.stock.serialsAt(line.itemId, current.locationId));
          const differences = count.post((line) => ({ onHand: onHand.get(`${line.itemId}\u0000${line.lot}`) ?? 0, serials: serialsThere.get(line.itemId) }), posting.now);
          for (const d of differences) {
            const item = items.get(d.itemId)!;
            if (d.serials && d.difference > 0) {
              // A serial found here that the ledger has in stock elsewhere: say where, for a transfer.
              const elsewhere = await posting.stock.serialLocations(d.itemId, d.serials);
              if (elsewhere.size) {
                const where = [...elsewhere].map(([serial, at]) => `${serial} at location ${at}`).join(', ');
                throw new ConflictError(`Line ${d.line} of the count (item ${item.sku}) found serials the ledger has in stock elsewhere: ${where}. Transfer them here, or count those locations too.`);
              }
            }
            const gain = d.difference > 0;
            const planned = planMove(
              tenantId,
              {
                type: 'adjustment',
                itemId: d.itemId,
                quantity: formatQuantity(Math.abs(d.difference)),
                ...(gain ? { toLocationId: current.locationId } : { fromLocationId: current.locationId }),
                ...(d.lot ? { lot: d.lot } : {}),
                ...(d.serials ? { serials: d.serials } : {}),
                reasonCode: CYCLE_COUNT_REASON,
                reference: { type: 'cycle_count', id },
              },
              { ...item, isActive: true },
              locations,
              actor,
              posting.now,
            );
            try {
              count.recordMove(d.line, (await posting.post(planned, item)).id);
            } catch (err) {
              if (err instanceof ConflictError) throw new ConflictError(`Line ${d.line} of the count (item ${item.sku}): ${err.message}`, err.extensions);
              throw err;
            }
          }
          await repo.save(count, loaded);
          await posting.finish();
          return count.snapshot;
        },
        claim,
      );
    },

    cancel(tenantId: string, id: string, expected: ExpectedVersion): Promise<CycleCountState> {
      return runInUnitOfWork(tenantId, async (uow) => {
        const repo = CycleCountRepository.in(uow);
        const count = await repo.get(id);
        if (!count) throw new NotFoundError(`There is no cycle count ${id}.`);
        checkExpectedVersion(`cycle count ${id}`, count.snapshot.version, expected);
        const loaded = count.snapshot.version;
        count.cancel();
        await repo.save(count, loaded);
        return count.snapshot;
      });
    },
  };
}

export type CycleCountUseCases = ReturnType<typeof cycleCountUseCases>;
