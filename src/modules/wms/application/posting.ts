import type { UnitOfWork } from '../../../platform/db/unit-of-work';
import { ConflictError, InvalidInputError } from '../../../platform/errors';
import { divideHalfEven, type Money } from '../../../platform/money';
import { formatQuantity, type Thousandths } from '../domain/quantity';
import type { Reservation } from '../domain/reservation';
import { balanceOrder, planMove, stockLow, stockMoved, type BalanceChange, type MoveRequest, type PlannedMove, type StockItem, type StockLocation, type StockMoveState } from '../domain/stock-move';
import { ItemValuation } from '../domain/valuation';
import { MoveRepository } from '../infrastructure/move.repository';
import { ReservationRepository } from '../infrastructure/reservation.repository';
import { StockRepository } from '../infrastructure/stock.repository';

/** One line that could not be had: which item, where, and how much was missing. */
export interface Shortage {
  itemId: string;
  locationId: string | null;
  lot: string | null;
  requested: Thousandths;
  available: Thousandths;
  shortfall: Thousandths;
}

/** Not enough stock for a move or a reservation: a 409 naming item, location and shortfall. */
export function shortageError(s: Shortage, what: string): ConflictError {
  const where = s.locationId ? `location ${s.locationId}` : 'any one location of the warehouse';
  return new ConflictError(
    `Not enough stock of item ${s.itemId}${s.lot ? ` (lot ${s.lot})` : ''} at ${where} for ${what}: ${formatQuantity(s.available)} available, ${formatQuantity(s.requested)} needed, ${formatQuantity(s.shortfall)} short.`,
    { item_id: s.itemId, location_id: s.locationId, shortfall: formatQuantity(s.shortfall) },
  );
}

/** Thrown by `Posting.change` when a balance would break its rule; the caller turns it into its own 409. */
export class BalanceShortage extends Error {
  constructor(readonly shortage: Shortage) {
    super(`short by ${shortage.shortfall}`);
  }
}

/**
 * The stock changes of one unit of work, applied in the one lock order every transaction keeps
 * (item totals by item id, then reservations, then balances by item, location and lot), with the
 * item totals and valuations kept in memory while it runs and written once at the end, together
 * with the `wms.stock.low` events of the items whose available quantity fell below their
 * reorder point. Used by moves, reservations, cycle counts and the interface ERP calls.
 */
export class Posting {
  readonly stock: StockRepository;
  readonly moves: MoveRepository;
  readonly reservations: ReservationRepository;
  private readonly valuations = new Map<string, { valuation: ItemValuation; availableBefore: Thousandths }>();
  private readonly items = new Map<string, StockItem>();
  /** The locations read in this unit of work (share-locked on PostgreSQL until the commit, so a read stands). */
  private readonly locationsRead = new Map<string, StockLocation | undefined>();

  constructor(
    readonly uow: UnitOfWork,
    readonly now = new Date(),
  ) {
    this.stock = StockRepository.in(uow);
    this.moves = MoveRepository.in(uow);
    this.reservations = ReservationRepository.in(uow);
  }

  /**
   * Locks the totals of `items` (in item order; only those not locked yet). Call it before
   * locking any reservation or balance of these items; a transaction that needs several items
   * locks them all in one call.
   */
  async lockItems(items: readonly StockItem[]): Promise<void> {
    const missing = items.filter((i) => !this.valuations.has(i.id));
    for (const item of items) this.items.set(item.id, item);
    if (!missing.length) return;
    const totals = await this.stock.lockTotals(missing.map((i) => i.id), this.now);
    for (const [id, t] of totals) {
      const valuation = ItemValuation.of(t);
      this.valuations.set(id, { valuation, availableBefore: valuation.available });
    }
  }

  /** Reads the locations of `ids` not read yet in this unit of work, in one statement. */
  async readLocations(ids: readonly (string | null | undefined)[]): Promise<void> {
    const missing = [...new Set(ids.filter((id): id is string => !!id && !this.locationsRead.has(id)))];
    if (!missing.length) return;
    const found = await this.stock.locations(missing);
    for (const id of missing) this.locationsRead.set(id, found.get(id));
  }

  /** A location of the tenant, read once per unit of work; undefined when there is none. */
  async location(id: string): Promise<StockLocation | undefined> {
    await this.readLocations([id]);
    return this.locationsRead.get(id);
  }

  valuation(itemId: string): ItemValuation {
    const entry = this.valuations.get(itemId);
    if (!entry) throw new Error(`the totals of item ${itemId} are not locked`);
    return entry.valuation;
  }

  /**
   * Applies `change` to the balance of `itemId`, or throws BalanceShortage. Reservations of that
   * balance that have expired but were not swept yet are ended first when they are what stands
   * in the way (they free their stock at expiry, swept or not).
   */
  async change(itemId: string, change: BalanceChange): Promise<void> {
    let result = await this.stock.applyChange(itemId, change, this.now);
    if (!result.ok) {
      const freed = await this.expireAt(itemId, change.locationId, change.lot);
      if (freed > 0) result = await this.stock.applyChange(itemId, change, this.now);
    }
    if (!result.ok) {
      const requested = Math.max(-change.onHand, change.reserved);
      throw new BalanceShortage({
        itemId,
        locationId: change.locationId,
        lot: change.lot || null,
        requested,
        available: Math.max(result.onHand - result.reserved, 0),
        shortfall: result.shortfall,
      });
    }
  }

  /** Ends the expired, still active reservations of one balance; returns what they freed. */
  private async expireAt(itemId: string, locationId: string, lot: string): Promise<Thousandths> {
    const item = this.items.get(itemId);
    const expired = await this.reservations.expiredAt(itemId, locationId, lot, this.now);
    if (!expired.length || !item) return 0;
    await this.lockItems([item]);
    let freed = 0;
    for (const r of expired) freed += await this.end(r, 'expire');
    return freed;
  }

  /** Releases or expires a locked reservation: its stock goes back to available. */
  async end(reservation: Reservation, how: 'release' | 'expire'): Promise<Thousandths> {
    const loaded = reservation.snapshot.version;
    const s = reservation.snapshot;
    const freed = how === 'release' ? reservation.release(this.now) : reservation.expire(this.now);
    if (freed > 0) {
      const result = await this.stock.applyChange(s.itemId, { locationId: s.locationId, warehouseId: s.warehouseId, lot: s.lot, onHand: 0, reserved: -freed }, this.now);
      if (!result.ok) throw new Error(`reservation ${s.id} held more than its balance has reserved`);
      this.valuation(s.itemId).unreserve(freed);
    }
    await this.reservations.save(reservation, loaded);
    return freed;
  }

  /**
   * Posts a planned move: the reservation it consumes, its balances in lock order, its serials,
   * the item's valuation (the cost it adds or takes out is recorded on the move), the move and
   * its `wms.stock.moved` event. A shortfall is a 409 naming item, location and shortfall.
   */
  async post(planned: PlannedMove, item: StockItem): Promise<StockMoveState> {
    const move = planned.move;
    this.items.set(item.id, item);
    const valued = planned.valuation.kind !== 'none';
    if (valued || move.reservationId) await this.lockItems([item]);
    if (move.reservationId) {
      const reservation = await this.reservations.get(move.reservationId);
      if (!reservation) throw new InvalidInputError([{ pointer: '/reservation_id', detail: `is not a reservation of this tenant (there is no reservation ${move.reservationId})` }]);
      const loaded = reservation.snapshot.version;
      reservation.consume({ itemId: move.itemId, locationId: move.fromLocationId!, lot: move.lot ?? '', quantity: move.quantity }, this.now);
      await this.reservations.save(reservation, loaded);
      this.valuation(item.id).unreserve(move.quantity);
    }
    const changes = [...planned.changes].sort((a, b) => balanceOrder({ itemId: item.id, ...a }, { itemId: item.id, ...b }));
    try {
      for (const change of changes) await this.change(item.id, change);
    } catch (err) {
      if (err instanceof BalanceShortage) throw shortageError(err.shortage, `this ${move.type}`);
      throw err;
    }
    if (planned.serials) {
      const refused = await this.stock.moveSerials(item.id, planned.serials.from, planned.serials.to, planned.serials.serials, this.now);
      if (refused.length) {
        const where = planned.serials.from === null ? 'are in stock already' : `are not at location ${planned.serials.from}`;
        throw new ConflictError(`Serials ${refused.join(', ')} of item ${item.sku} ${where}: a serial is in one place at a time.`);
      }
    }
    if (valued) {
      const valuation = this.valuation(item.id);
      const effect = planned.valuation;
      if (effect.kind === 'in') {
        move.cost =
          effect.cost === 'given' && move.unitCost
            ? valuation.add(move.quantity, ItemValuation.costOf(move.quantity, move.unitCost))
            : effect.cost === 'recorded'
              ? valuation.add(move.quantity, planned.recordedCost)
              : valuation.addAtAverage(move.quantity);
        if (!move.unitCost && move.cost) move.unitCost = unitOf(move.cost, move.quantity);
      } else if (effect.kind === 'out') {
        move.cost = valuation.remove(move.quantity);
        move.unitCost = move.cost ? unitOf(move.cost, move.quantity) : null;
      }
    }
    await this.moves.add(move);
    this.uow.record(stockMoved(this.uow.tenantId, move, this.now));
    return move;
  }

  /**
   * Plans a requested move at its locations (read under a share lock) and posts it: what a move
   * of the API and a receipt of another module's document both go through.
   */
  async postRequest(request: MoveRequest, item: StockItem | undefined, actor: string): Promise<StockMoveState> {
    const locations = await this.stock.locations([request.fromLocationId, request.toLocationId]);
    const planned = planMove(this.uow.tenantId, request, item, locations, actor, this.now);
    return this.post(planned, item!);
  }

  /** Writes the item totals this unit of work changed, and the low-stock events. */
  async finish(): Promise<void> {
    for (const [itemId, { valuation, availableBefore }] of this.valuations) {
      await this.stock.saveTotals(valuation.snapshot, this.now);
      const item = this.items.get(itemId);
      const low = item && stockLow(this.uow.tenantId, item, availableBefore, valuation.available, this.now);
      if (low) this.uow.record(low);
    }
  }
}

/** The unit cost of `quantity` worth `cost` (minor units per one unit, rounded half to even). */
function unitOf(cost: Money, quantity: Thousandths): Money {
  return { amount: Number(divideHalfEven(BigInt(cost.amount) * 1000n, BigInt(quantity))), currency: cost.currency };
}
