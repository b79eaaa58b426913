import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, ConflictError, type ExpectedVersion, InvalidInputError, NotFoundError } from '../../../platform/errors';
import { formatQuantity, parseQuantity, type Thousandths } from '../domain/quantity';
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

/** One line of a document to reserve: at a location, or anywhere in a warehouse. */
export interface ReserveLine {
  itemId: string;
  /** The contract's decimal string (`"2.5"`). */
  quantity: string;
  locationId?: string;
  warehouseId?: string;
  lot?: string;
}

/**
 * The 409 of an all-or-none reservation some lines of which are short: `lines` are their
 * indexes in the lines asked for, in the order of `extensions.shortages`, so that the caller
 * can name its own lines.
 */
export class ReservationShortageError extends ConflictError {
  constructor(
    message: string,
    extensions: Record<string, unknown>,
    readonly lines: readonly number[],
  ) {
    super(message, extensions);
  }
}

/**
 * Reserves every line for `reference` in the caller's unit of work, all or none: each line's
 * reservations, in line order — one, or several when no one place holds the whole line but its
 * warehouse's places (or its location's lots) together do (`reserveLine` with `split`). When any
 * line is short, nothing is reserved and a ReservationShortageError lists each short line
 * (`shortages`: item, location, lot, requested, available, shortfall). Bad input is an
 * InvalidInputError naming `/lines/<n>/…` (or `/expires_at`). `expiresAt` applies to every reservation.
 */
export async function reserveAll(uow: UnitOfWork, reference: StockReference, lines: readonly ReserveLine[], expiresAt?: Date): Promise<ReservationState[][]> {
  const posting = new Posting(uow);
  // One expiry for the whole batch: refused once, under its own name, not once per line.
  if (expiresAt && expiresAt.getTime() <= posting.now.getTime()) throw new InvalidInputError([{ pointer: '/expires_at', detail: 'is not in the future' }]);
  // The lines' items in one read, then every item's totals, in item order, then the lines'
  // locations in one read, then the lines: the lock order of every posting.
  const items = await posting.stock.items(lines.map((l) => l.itemId));
  const checked = [];
  for (const [i, line] of lines.entries()) checked.push(await checkLine(posting, { ...line, reference, expiresAt }, `/lines/${i}`, items));
  await posting.lockItems(checked.map((l) => l.item));
  await posting.readLocations(checked.map((l) => l.locationId));
  const shortages: Shortage[] = [];
  const short: number[] = [];
  const reserved: ReservationState[][] = [];
  for (const [i, line] of checked.entries()) {
    try {
      reserved.push((await reserveLine(posting, line, `/lines/${i}`, true)).map((r) => r.snapshot));
    } catch (err) {
      if (!(err instanceof BalanceShortage)) throw err;
      shortages.push(err.shortage);
      short.push(i);
    }
  }
  if (shortages.length) {
    throw new ReservationShortageError(`${shortages.length} of ${lines.length} lines cannot be reserved; nothing was reserved.`, {
      shortages: shortages.map((s) => ({
        item_id: s.itemId,
        location_id: s.locationId,
        lot: s.lot,
        requested: formatQuantity(s.requested),
        available: formatQuantity(s.available),
        shortfall: formatQuantity(s.shortfall),
      })),
    }, short);
  }
  await posting.finish();
  return reserved;
}

/** A batch of lines to reserve together over the API. */
export interface ReservationBatchRequest {
  reference: StockReference;
  lines: readonly ReserveLine[];
  expiresAt?: Date;
}

/** Short lines the 409's detail spells out (each up to ~240 characters; `detail` holds 2,000); the rest are in `shortages`. */
const SHORT_LINES_NAMED = 5;

/** The 409 of a batch: every short line named by its pointer in `detail`, `shortages` as reserveAll lists them. */
function batchShortageError(err: ReservationShortageError, lineCount: number): ConflictError {
  const shortages = err.extensions.shortages as { item_id: string; location_id: string | null; lot: string | null; requested: string; available: string; shortfall: string }[];
  const named = shortages.slice(0, SHORT_LINES_NAMED).map((s, k) => {
    const where = s.location_id ? `at location ${s.location_id}` : 'in the warehouse';
    return `/lines/${err.lines[k]}: item ${s.item_id}${s.lot ? ` (lot ${s.lot})` : ''}, ${s.requested} requested, ${s.available} available ${where}, ${s.shortfall} short`;
  });
  const more = shortages.length - named.length;
  return new ConflictError(
    `${shortages.length} of ${lineCount} lines cannot be reserved in full; nothing was reserved. ${named.join('; ')}${more ? `; and ${more} more (see shortages)` : ''}.`,
    { shortages: shortages.map((s, k) => ({ ...s, line: err.lines[k] })) },
  );
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

    /**
     * Reserves a batch's lines all or none in one unit of work (reserveAll: a line no one place
     * holds is split). A short line is a 409 naming each short line (`/lines/<n>`) with
     * `shortages`; bad input a 400 naming `/lines/<n>/…` or `/expires_at`.
     */
    createBatch(tenantId: string, request: ReservationBatchRequest, claim?: IdempotencyClaim): Promise<ReservationState[][]> {
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          try {
            return await reserveAll(uow, request.reference, request.lines, request.expiresAt);
          } catch (err) {
            if (err instanceof ReservationShortageError) throw batchShortageError(err, request.lines.length);
            throw err;
          }
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
