import { ConflictError, InvalidInputError, type InvalidField } from '../../../platform/errors';
import { type DomainEvent, domainEvent } from '../../../platform/events/domain-event';
import { newId } from '../../../platform/ids';
import type { Money } from '../../../platform/money';
import { formatQuantity, parseQuantity, type Thousandths, type Unit } from './quantity';

export const MOVE_TYPES = ['receipt', 'transfer', 'adjustment', 'shipment'] as const;
export type MoveType = (typeof MOVE_TYPES)[number];
export type Tracking = 'none' | 'lot' | 'serial';

/** What the ledger needs to know of an item. */
export interface StockItem {
  id: string;
  sku: string;
  unit: Unit;
  tracking: Tracking;
  isActive: boolean;
  reorderPoint: Thousandths;
}

/** What the ledger needs to know of a location. */
export interface StockLocation {
  id: string;
  warehouseId: string;
  isActive: boolean;
}

/** The order or document a move or reservation is for (`{ type: 'sales_order', id: 'so_…' }`). */
export interface StockReference {
  type: string;
  id: string;
}

/** A move as requested: quantities still the contract's decimal strings. */
export interface MoveRequest {
  type: MoveType;
  itemId: string;
  quantity: string;
  fromLocationId?: string;
  toLocationId?: string;
  lot?: string;
  serials?: readonly string[];
  unitCost?: Money;
  reasonCode?: string;
  reservationId?: string;
  reference?: StockReference;
}

/** A posted move: a line of the ledger, never changed. */
export interface StockMoveState {
  id: string;
  tenantId: string;
  type: MoveType;
  itemId: string;
  quantity: Thousandths;
  fromLocationId: string | null;
  toLocationId: string | null;
  lot: string | null;
  serials: string[];
  /** A receipt's unit cost; for stock that left, the average unit cost it left at. */
  unitCost: Money | null;
  /** The value the move added (in) or took out (out); null for transfers and unvalued items. */
  cost: Money | null;
  reasonCode: string | null;
  reservationId: string | null;
  reference: StockReference | null;
  reversesMoveId: string | null;
  postedAt: Date;
  postedBy: string;
}

/** A posted move as read back: with the move that reversed it, if any. */
export interface StockMoveView extends StockMoveState {
  reversedByMoveId: string | null;
}

/** A change to one balance (item × location × lot): quantities added (negative: taken). */
export interface BalanceChange {
  locationId: string;
  warehouseId: string;
  lot: string;
  onHand: Thousandths;
  reserved: Thousandths;
}

/** How a move changes the item's valuation. */
export type ValuationEffect =
  | { kind: 'none' }
  | { kind: 'in'; cost: 'given' | 'average' | 'recorded' }
  | { kind: 'out'; cost: 'average' };

/**
 * A move decided but not yet applied: what it does to balances, serials and the valuation. The
 * application applies it under locks and fills in `cost` and `unitCost` from the valuation.
 */
export interface PlannedMove {
  move: StockMoveState;
  changes: BalanceChange[];
  /** Serials leaving `from` (null: entering stock) for `to` (null: leaving stock). */
  serials: { from: string | null; to: string | null; serials: string[] } | null;
  valuation: ValuationEffect;
  /** For a reversal: the value the reversed move recorded. */
  recordedCost: Money | null;
}

const REASON = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * Checks a requested move against the rules of its type, its item and its locations, and plans
 * it. Input the contract cannot judge is a 400 naming each field; a state that forbids the move
 * (an inactive item receiving, an inactive destination) is a 409.
 */
export function planMove(
  tenantId: string,
  request: MoveRequest,
  item: StockItem | undefined,
  locations: ReadonlyMap<string, StockLocation>,
  postedBy: string,
  now = new Date(),
): PlannedMove {
  const problems: InvalidField[] = [];
  const check = (ok: boolean, pointer: string, detail: string) => ok || problems.push({ pointer, detail });
  if (!item) throw new InvalidInputError([{ pointer: '/item_id', detail: `is not an item of this tenant (there is no item ${request.itemId})` }]);
  let quantity = 0;
  try {
    quantity = parseQuantity(request.quantity, '/quantity', { unit: item.unit });
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    problems.push(...err.fields);
  }
  const { type } = request;
  const from = request.fromLocationId ?? null;
  const to = request.toLocationId ?? null;
  const needs = { from: type === 'transfer' || type === 'shipment', to: type === 'receipt' || type === 'transfer' };
  if (type === 'adjustment') {
    if ((from === null) === (to === null)) {
      const detail = 'an adjustment names exactly one of from_location_id (stock lost) and to_location_id (stock found)';
      problems.push({ pointer: from === null ? '/from_location_id' : '/from_location_id', detail }, { pointer: '/to_location_id', detail });
    }
  } else {
    check(!needs.from || from !== null, '/from_location_id', `is required for a ${type}`);
    check(needs.from || from === null, '/from_location_id', `is not taken by a ${type}`);
    check(!needs.to || to !== null, '/to_location_id', `is required for a ${type}`);
    check(needs.to || to === null, '/to_location_id', `is not taken by a ${type}`);
  }
  if (from !== null && from === to) problems.push({ pointer: '/to_location_id', detail: 'is the same location as from_location_id: a transfer moves stock between two locations' });
  for (const [id, pointer] of [[from, '/from_location_id'], [to, '/to_location_id']] as const) {
    if (id !== null && !locations.has(id)) problems.push({ pointer, detail: `is not a location of this tenant (there is no location ${id})` });
  }

  const gain = type === 'adjustment' && to !== null;
  check(type === 'receipt' || request.unitCost === undefined, '/unit_cost', `is for receipts only: ${gain ? 'stock found comes in' : 'stock leaves'} at the moving-average cost`);
  check(type !== 'receipt' || request.unitCost !== undefined, '/unit_cost', 'is required for a receipt: the moving-average valuation needs what the stock cost');
  check(type !== 'adjustment' || request.reasonCode !== undefined, '/reason_code', 'is required for an adjustment');
  check(type === 'adjustment' || request.reasonCode === undefined, '/reason_code', `is for adjustments only, not a ${type}`);
  check(request.reasonCode === undefined || REASON.test(request.reasonCode), '/reason_code', 'is lower-case letters, digits and underscores, starting with a letter (at most 40)');
  check(type === 'shipment' || request.reservationId === undefined, '/reservation_id', `is for shipments only: a ${type} consumes no reservation`);

  const lot = request.lot ?? null;
  if (item.tracking === 'lot') check(lot !== null, '/lot', `is required: item ${item.sku} is tracked by lot`);
  else check(lot === null, '/lot', `is not taken: item ${item.sku} is not tracked by lot`);
  const serials = request.serials ? [...request.serials] : [];
  if (item.tracking === 'serial') {
    if (!request.serials) problems.push({ pointer: '/serials', detail: `are required: item ${item.sku} is tracked by serial number, one per unit` });
    else {
      if (new Set(serials).size !== serials.length) problems.push({ pointer: '/serials', detail: 'name a serial more than once' });
      if (quantity && serials.length * 1000 !== quantity) problems.push({ pointer: '/serials', detail: `are ${serials.length}, but the quantity is ${formatQuantity(quantity)}: one serial per unit` });
    }
  } else check(request.serials === undefined, '/serials', `are not taken: item ${item.sku} is not tracked by serial number`);
  if (problems.length) throw new InvalidInputError(problems);

  if (!item.isActive && (type === 'receipt' || gain)) throw new ConflictError(`Item ${item.sku} is inactive: it takes no new stock.`);
  const destination = to === null ? undefined : locations.get(to)!;
  if (destination && !destination.isActive) throw new ConflictError(`Location ${destination.id} is inactive: it takes no stock.`);

  const move: StockMoveState = {
    id: newId('mov'),
    tenantId,
    type,
    itemId: item.id,
    quantity,
    fromLocationId: from,
    toLocationId: to,
    lot,
    serials,
    unitCost: type === 'receipt' ? (request.unitCost ?? null) : null,
    cost: null,
    reasonCode: request.reasonCode ?? null,
    reservationId: request.reservationId ?? null,
    reference: request.reference ?? null,
    reversesMoveId: null,
    postedAt: now,
    postedBy,
  };
  return {
    move,
    changes: changesOf(move, locations, move.reservationId !== null),
    serials: serials.length ? { from, to, serials } : null,
    valuation: type === 'transfer' ? { kind: 'none' } : from === null ? { kind: 'in', cost: type === 'receipt' ? 'given' : 'average' } : { kind: 'out', cost: 'average' },
    recordedCost: null,
  };
}

/**
 * The move that undoes `original`: the same type, item, quantity, lot and serials, the
 * locations swapped, naming the move it reverses. Stock a reversed receipt brought in must still
 * be there to go (the balances decide). Stock a reversal brings back (of a shipment or a loss)
 * comes in at exactly the value the original took out; stock it takes out (of a receipt or a
 * gain) leaves at the current average, like any stock that leaves.
 */
export function planReversal(original: StockMoveView, locations: ReadonlyMap<string, StockLocation>, postedBy: string, now = new Date()): PlannedMove {
  if (original.reversesMoveId) throw new ConflictError(`Move ${original.id} is itself a reversal (of ${original.reversesMoveId}); post a new move instead.`);
  if (original.reversedByMoveId) throw new ConflictError(`Move ${original.id} was already reversed by ${original.reversedByMoveId}.`, { reversed_by_move_id: original.reversedByMoveId });
  const move: StockMoveState = {
    ...original,
    id: newId('mov'),
    fromLocationId: original.toLocationId,
    toLocationId: original.fromLocationId,
    serials: [...original.serials],
    reservationId: null,
    reversesMoveId: original.id,
    postedAt: now,
    postedBy,
  };
  delete (move as Partial<StockMoveView>).reversedByMoveId;
  const destination = move.toLocationId === null ? undefined : locations.get(move.toLocationId);
  if (move.toLocationId !== null && !destination) throw new ConflictError(`Location ${move.toLocationId} no longer exists; move ${original.id} cannot be reversed.`);
  return {
    move,
    changes: changesOf(move, locations, false),
    serials: move.serials.length ? { from: move.fromLocationId, to: move.toLocationId, serials: move.serials } : null,
    valuation: move.type === 'transfer' ? { kind: 'none' } : move.fromLocationId === null ? { kind: 'in', cost: 'recorded' } : { kind: 'out', cost: 'average' },
    recordedCost: original.cost,
  };
}

function changesOf(move: StockMoveState, locations: ReadonlyMap<string, StockLocation>, consumesReservation: boolean): BalanceChange[] {
  const lot = move.lot ?? '';
  const changes: BalanceChange[] = [];
  if (move.fromLocationId !== null) {
    const location = locations.get(move.fromLocationId)!;
    changes.push({ locationId: location.id, warehouseId: location.warehouseId, lot, onHand: -move.quantity, reserved: consumesReservation ? -move.quantity : 0 });
  }
  if (move.toLocationId !== null) {
    const location = locations.get(move.toLocationId)!;
    changes.push({ locationId: location.id, warehouseId: location.warehouseId, lot, onHand: move.quantity, reserved: 0 });
  }
  return changes;
}

/** The order every transaction locks balances in (item, location, lot), so that none deadlock. */
export function balanceOrder(a: { itemId: string; locationId: string; lot: string }, b: { itemId: string; locationId: string; lot: string }): number {
  return a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : a.lot < b.lot ? -1 : a.lot > b.lot ? 1 : 0;
}

/** A move as the contract shows it (the API's body and the `wms.stock.moved` event's data). */
export function moveDocument(m: StockMoveView) {
  return {
    id: m.id,
    type: m.type,
    item_id: m.itemId,
    quantity: formatQuantity(m.quantity),
    from_location_id: m.fromLocationId,
    to_location_id: m.toLocationId,
    lot: m.lot,
    serials: m.serials,
    unit_cost: m.unitCost,
    cost: m.cost,
    reason_code: m.reasonCode,
    reservation_id: m.reservationId,
    reference: m.reference,
    reverses_move_id: m.reversesMoveId,
    reversed_by_move_id: m.reversedByMoveId,
    posted_at: m.postedAt.toISOString(),
    posted_by: m.postedBy,
    version: m.reversedByMoveId ? 2 : 1,
  };
}

/** `wms.stock.moved`: a move was posted (its data is the move as the API shows it). */
export function stockMoved(tenantId: string, move: StockMoveState, now: Date): DomainEvent {
  return domainEvent('wms.stock.moved', tenantId, { type: 'stock_move', id: move.id }, moveDocument({ ...move, reversedByMoveId: null }), now);
}

/**
 * `wms.stock.low`, when the item's available quantity (across its locations) fell from at least
 * its reorder point to below it in one unit of work; null otherwise (no reorder point, or it was
 * below already).
 */
export function stockLow(tenantId: string, item: StockItem, availableBefore: Thousandths, availableAfter: Thousandths, now: Date): DomainEvent | null {
  if (item.reorderPoint <= 0 || availableBefore < item.reorderPoint || availableAfter >= item.reorderPoint) return null;
  return domainEvent('wms.stock.low', tenantId, { type: 'item', id: item.id }, { item_id: item.id, sku: item.sku, available: formatQuantity(availableAfter), reorder_point: formatQuantity(item.reorderPoint) }, now);
}
