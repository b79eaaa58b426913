import type { UnitOfWork } from '../../../platform/db/unit-of-work';
import { InvalidInputError } from '../../../platform/errors';
import type { Money } from '../../../platform/money';
import { formatQuantity, parseQuantity, type Thousandths } from '../domain/quantity';
import type { ReservationState } from '../domain/reservation';
import { planMove, type StockItem, type StockMoveState, type StockReference } from '../domain/stock-move';
import { Posting } from './posting';
import { reserveAll, type ReserveLine } from './reservations';

export { ReservationShortageError, type ReserveLine } from './reservations';

/** One line of a document to receive: where it comes in and what one unit of it cost. */
export interface ReceiveLine {
  itemId: string;
  /** The contract's decimal string (`"2.5"`). */
  quantity: string;
  locationId: string;
  unitCost: Money;
  lot?: string;
  serials?: readonly string[];
}

/** What a shipment of a reference took out of stock. */
export interface Shipped {
  reservationId: string;
  move: StockMoveState;
}

/**
 * What ERP calls, each inside the caller's unit of work (`uow`), so that an order and its
 * reservations, shipments and their costs commit together or not at all.
 */
export const stockApi = {
  /**
   * Reserves every line for `reference`, all or none: each line's reservations, in line order —
   * one, or several when no one place holds the whole line but its warehouse's places (or its
   * location's lots) together do. When any line is short, nothing is reserved and the 409 lists
   * each short line (`shortages`: item, location, lot, requested, available, shortfall).
   * Bad input is a 400 naming `/lines/<n>/…`.
   */
  reserve(uow: UnitOfWork, reference: StockReference, lines: readonly ReserveLine[]): Promise<ReservationState[][]> {
    return reserveAll(uow, reference, lines);
  },

  /**
   * Receives every line for `reference`: each a receipt move at its location carrying its unit
   * cost (the item's moving-average cost moves), posted as the WMS's own receipts are, all in
   * the caller's unit of work. Bad input is a 400 naming `/lines/<n>/…`; an inactive item or
   * location a 409.
   */
  async receive(uow: UnitOfWork, reference: StockReference, lines: readonly ReceiveLine[], actor: string): Promise<StockMoveState[]> {
    const posting = new Posting(uow);
    // A receipt may make the item's first balance: its row is read under a share lock (StockRepository.items).
    const items = await posting.stock.items(
      lines.map((l) => l.itemId),
      true,
    );
    // Every item's totals first, in item order, then the moves: the lock order of every posting.
    await posting.lockItems([...items.values()]);
    const received: StockMoveState[] = [];
    for (const [i, l] of lines.entries()) {
      const request = { type: 'receipt' as const, itemId: l.itemId, quantity: l.quantity, toLocationId: l.locationId, unitCost: l.unitCost, lot: l.lot, serials: l.serials, reference };
      try {
        received.push(await posting.postRequest(request, items.get(l.itemId), actor));
      } catch (err) {
        if (err instanceof InvalidInputError) throw new InvalidInputError(err.fields.map((f) => ({ ...f, pointer: `/lines/${i}${f.pointer === '/to_location_id' ? '/location_id' : f.pointer}` })));
        throw err;
      }
    }
    await posting.finish();
    return received;
  },

  /**
   * The tenant's items among `ids` (an id that is none is absent), for a document that names
   * items: their unit (whole quantities for `ea`) and whether they are active.
   */
  items(uow: UnitOfWork, ids: readonly string[]): Promise<Map<string, StockItem>> {
    return new Posting(uow).stock.items(ids);
  },

  /**
   * Up to `limit` places with at least `least` (a decimal string) available of an item
   * tracked neither by lot nor by serial: where demo documents take their stock from.
   */
  takeable(uow: UnitOfWork, least: string, limit: number): Promise<{ itemId: string; locationId: string; warehouseId: string; available: Thousandths }[]> {
    return new Posting(uow).stock.takeable(parseQuantity(least, '/least'), limit);
  },

  /**
   * What all the tenant's stock is worth at its moving-average costs, per currency (minor
   * units): what ERP's inventory account must equal. Read in the caller's unit of work, so it
   * sees the same commits as the caller's other reads.
   */
  valuation(uow: UnitOfWork): Promise<Map<string, bigint>> {
    return new Posting(uow).stock.valuation();
  },

  /**
   * The active reservations of `reference` (what it still holds: each one's `remaining`), in id
   * order, read without locking them (`ship` locks the item totals, then them).
   */
  async active(uow: UnitOfWork, reference: StockReference): Promise<ReservationState[]> {
    return (await new Posting(uow).reservations.activeOfReference(reference.type, reference.id, false)).map((r) => r.snapshot);
  },

  /** Releases every active reservation of `reference`; returns them as released. */
  async release(uow: UnitOfWork, reference: StockReference): Promise<ReservationState[]> {
    const posting = new Posting(uow);
    const current = await posting.reservations.activeOfReference(reference.type, reference.id);
    const items = await posting.stock.items(current.map((r) => r.snapshot.itemId));
    await posting.lockItems([...items.values()]);
    const released: ReservationState[] = [];
    for (const r of await posting.reservations.activeOfReference(reference.type, reference.id)) {
      await posting.end(r, 'release');
      released.push(r.snapshot);
    }
    await posting.finish();
    return released;
  },

  /**
   * Ships what `reference` reserved: every active reservation in full, or the quantities given
   * per reservation id. Each is a shipment move consuming its reservation, carrying the cost of
   * goods at the moving-average cost (`move.cost`), which ERP posts to the ledger.
   */
  async ship(uow: UnitOfWork, reference: StockReference, actor: string, quantities?: ReadonlyMap<string, Thousandths>): Promise<Shipped[]> {
    const posting = new Posting(uow);
    const active = await posting.reservations.activeOfReference(reference.type, reference.id);
    const items = await posting.stock.items(active.map((r) => r.snapshot.itemId));
    await posting.lockItems([...items.values()]);
    for (const id of quantities?.keys() ?? []) {
      if (!active.some((r) => r.id === id)) throw new InvalidInputError([{ pointer: '/reservations', detail: `name ${id}, which is not an active reservation of ${reference.type} ${reference.id}` }]);
    }
    const shipped: Shipped[] = [];
    for (const r of active) {
      const s = r.snapshot;
      const quantity = quantities ? quantities.get(r.id) : s.remaining;
      if (!quantity) continue;
      const locations = await posting.stock.locations([s.locationId]);
      const item = items.get(s.itemId)!;
      // Serial-tracked stock leaves by its serials: the first ones at the location, in order.
      const serials = item.tracking === 'serial' ? await posting.stock.serialsAt(s.itemId, s.locationId, quantity / 1000) : undefined;
      const planned = planMove(
        uow.tenantId,
        { type: 'shipment', itemId: s.itemId, quantity: formatQuantity(quantity), fromLocationId: s.locationId, ...(s.lot ? { lot: s.lot } : {}), ...(serials ? { serials } : {}), reservationId: s.id, reference },
        item,
        locations,
        actor,
        posting.now,
      );
      shipped.push({ reservationId: s.id, move: await posting.post(planned, item) });
    }
    await posting.finish();
    return shipped;
  },
};

export type StockApi = typeof stockApi;
