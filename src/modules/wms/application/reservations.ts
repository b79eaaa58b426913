import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, ConflictError, type ExpectedVersion, InvalidInputError, NotFoundError } from '../../../platform/errors';
import { parseQuantity, type Thousandths } from '../domain/quantity';
import { Reservation, type ReservationState } from '../domain/reservation';
import type { StockItem, StockReference } from '../domain/stock-move';
import { expiredReservations, ReservationRepository } from '../infrastructure/reservation.repository';
import { BalanceShortage, Posting, shortageError, type Shortage } from './posting';

export interface ReservationRequest {
  itemId: string;
  quantity: string;
  locationId?: string;
  warehouseId?: string;
  lot?: string;
  reference?: StockReference;
  expiresAt?: Date;
}

/** A line checked against its item, ready to reserve. */
interface ReservationLine {
  item: StockItem;
  quantity: Thousandths;
  locationId?: string;
  warehouseId?: string;
  lot: string | null;
  reference: StockReference | null;
  expiresAt: Date | null;
}

/** Checks a requested line (`at`: the JSON pointer of the line, '' for a single reservation; `items`: the lines' items, when read already). */
export async function checkLine(posting: Posting, request: ReservationRequest, at = '', items?: ReadonlyMap<string, StockItem>): Promise<ReservationLine> {
  const item = (items ?? (await posting.stock.items([request.itemId]))).get(request.itemId);
  if (!item) throw new InvalidInputError([{ pointer: `${at}/item_id`, detail: `is not an item of this tenant (there is no item ${request.itemId})` }]);
  const quantity = parseQuantity(request.quantity, `${at}/quantity`, { unit: item.unit });
  if ((request.locationId === undefined) === (request.warehouseId === undefined)) {
    const detail = 'a reservation names exactly one of location_id and warehouse_id (any location of it)';
    throw new InvalidInputError([{ pointer: `${at}/location_id`, detail }, { pointer: `${at}/warehouse_id`, detail }]);
  }
  if (request.lot !== undefined && item.tracking !== 'lot') throw new InvalidInputError([{ pointer: `${at}/lot`, detail: `is not taken: item ${item.sku} is not tracked by lot` }]);
  if (request.expiresAt && request.expiresAt.getTime() <= posting.now.getTime()) throw new InvalidInputError([{ pointer: `${at}/expires_at`, detail: 'is not in the future' }]);
  if (!item.isActive) throw new ConflictError(`Item ${item.sku} is inactive: it takes no new reservations.`);
  return { item, quantity, locationId: request.locationId, warehouseId: request.warehouseId, lot: request.lot ?? null, reference: request.reference ?? null, expiresAt: request.expiresAt ?? null };
}

/**
 * Reserves one checked line in the posting's unit of work (its item's totals locked first): at
 * its location, or at the location of its warehouse with the most available that covers it
 * whole (then the next, should a concurrent move have taken that stock meanwhile). With `split`
 * (what ERP's documents reserve through `stock.reserve`), a line no one place covers is held
 * by several reservations — the places with the most available first, each taking what it has,
 * the last what is left — when together they cover it; the places are read under the item's
 * lock, so no other posting of the item changes them meanwhile. Throws BalanceShortage (with
 * what all places together have, when splitting) when the line cannot be held.
 */
export async function reserveLine(posting: Posting, line: ReservationLine, at = '', split = false): Promise<Reservation[]> {
  const { item, quantity } = line;
  await posting.lockItems([item]);
  let candidates: { locationId: string; warehouseId: string; lot: string; available: Thousandths }[];
  if (line.locationId !== undefined) {
    const location = await posting.location(line.locationId);
    if (!location) throw new InvalidInputError([{ pointer: `${at}/location_id`, detail: `is not a location of this tenant (there is no location ${line.locationId})` }]);
    if (!location.isActive) throw new ConflictError(`Location ${location.id} is inactive: nothing is reserved there.`);
    const lots = item.tracking === 'lot' ? await posting.stock.availableAt(item.id, location.id, line.lot) : [{ lot: '', available: 0 }];
    candidates = (lots.length ? lots : [{ lot: line.lot ?? '', available: 0 }]).map((l) => ({ locationId: location.id, warehouseId: location.warehouseId, lot: l.lot, available: l.available }));
  } else {
    if (!(await posting.stock.warehouseExists(line.warehouseId!))) throw new InvalidInputError([{ pointer: `${at}/warehouse_id`, detail: `is not a warehouse of this tenant (there is no warehouse ${line.warehouseId})` }]);
    candidates = (await posting.stock.availableIn(item.id, line.warehouseId!, line.lot)).map((c) => ({ ...c, warehouseId: line.warehouseId! }));
  }
  // Those that cover the line first (most available first), then the rest: their expired
  // reservations may still free enough.
  const ordered = [...candidates.filter((c) => c.available >= quantity), ...candidates.filter((c) => c.available < quantity)];
  let shortage: Shortage | undefined;
  for (const c of ordered) {
    try {
      return [await hold(posting, line, c, quantity)];
    } catch (err) {
      if (!(err instanceof BalanceShortage)) throw err;
      shortage ??= err.shortage;
    }
  }
  // Splitting needs each place's available read: a warehouse's places, or a location's lots
  // (an untracked item at a named location has one place, whose shortage says it all).
  const positive = candidates.filter((c) => c.available > 0);
  const together = positive.reduce((sum, c) => sum + c.available, 0);
  const splittable = split && positive.length > 1;
  if (splittable && together >= quantity) {
    // Most available first (the order the places were read in), until the line is covered.
    const held: Reservation[] = [];
    let left = quantity;
    for (const c of [...positive].sort((a, b) => b.available - a.available)) {
      if (left === 0) break;
      const take = Math.min(c.available, left);
      held.push(await hold(posting, line, c, take));
      left -= take;
    }
    return held;
  }
  const best = splittable ? together : Math.max(0, ...candidates.map((c) => c.available));
  throw new BalanceShortage(
    line.locationId !== undefined && shortage && !splittable
      ? shortage
      : { itemId: item.id, locationId: line.locationId ?? null, lot: line.lot, requested: quantity, available: best, shortfall: quantity - Math.min(best, quantity) || quantity },
  );
}

/** `quantity` of the line held at one place: the balance's reserved raised (BalanceShortage when it has not that much), the reservation placed. */
async function hold(posting: Posting, line: ReservationLine, place: { locationId: string; warehouseId: string; lot: string }, quantity: Thousandths): Promise<Reservation> {
  const { item } = line;
  await posting.change(item.id, { locationId: place.locationId, warehouseId: place.warehouseId, lot: place.lot, onHand: 0, reserved: quantity });
  posting.valuation(item.id).reserve(quantity);
  const reservation = Reservation.place(
    posting.uow.tenantId,
    { itemId: item.id, locationId: place.locationId, warehouseId: place.warehouseId, lot: place.lot, quantity, reference: line.reference, expiresAt: line.expiresAt },
    posting.now,
  );
  await posting.reservations.add(reservation);
  return reservation;
}

export function reservationUseCases(db: Database, runInUnitOfWork: RunInUnitOfWork) {
  /** Releases or expires one reservation: its item's totals locked, then the reservation. */
  function ending(tenantId: string, id: string, how: 'release' | 'expire', expected?: ExpectedVersion, claim?: IdempotencyClaim): Promise<ReservationState> {
    return runInUnitOfWork(
      tenantId,
      async (uow) => {
        const posting = new Posting(uow);
        const current = await posting.reservations.state(id);
        if (!current) throw new NotFoundError(`There is no reservation ${id}.`);
        const item = (await posting.stock.items([current.itemId])).get(current.itemId)!;
        await posting.lockItems([item]);
        const reservation = (await posting.reservations.get(id))!;
        checkExpectedVersion(`reservation ${id}`, reservation.snapshot.version, expected);
        await posting.end(reservation, how);
        await posting.finish();
        return reservation.snapshot;
      },
      claim,
    );
  }

  return {
    create(tenantId: string, request: ReservationRequest, claim?: IdempotencyClaim): Promise<ReservationState> {
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const posting = new Posting(uow);
          const line = await checkLine(posting, request);
          let reservation: Reservation;
          try {
            [reservation] = await reserveLine(posting, line);
          } catch (err) {
            if (err instanceof BalanceShortage) throw shortageError(err.shortage, 'this reservation');
            throw err;
          }
          await posting.finish();
          return reservation.snapshot;
        },
        claim,
      );
    },

    async get(tenantId: string, id: string): Promise<ReservationState> {
      const state = await new ReservationRepository(db, tenantId).state(id);
      if (!state) throw new NotFoundError(`There is no reservation ${id}.`);
      return state;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<ReservationState>> {
      return new ReservationRepository(db, tenantId).list(request);
    },

    release(tenantId: string, id: string, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<ReservationState> {
      return ending(tenantId, id, 'release', expected, claim);
    },

    /**
     * Ends every reservation past its expiry (all tenants, oldest first, at most `limit`), each
     * in its own unit of work with a `wms.stock.released` event; returns how many it ended. One
     * that a request released or consumed meanwhile is skipped.
     */
    async expireDue(now = new Date(), limit = 500): Promise<number> {
      let ended = 0;
      for (const { tenantId, id } of await expiredReservations(db, now, limit)) {
        try {
          await ending(tenantId, id, 'expire');
          ended++;
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
        }
      }
      return ended;
    },
  };
}

export type ReservationUseCases = ReturnType<typeof reservationUseCases>;
