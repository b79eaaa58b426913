import { ConflictError, InvalidInputError } from '../../../platform/errors';
import { type DomainEvent, domainEvent } from '../../../platform/events/domain-event';
import { newId } from '../../../platform/ids';
import { formatQuantity, type Thousandths } from './quantity';
import type { StockReference } from './stock-move';

export type ReservationStatus = 'active' | 'released' | 'consumed' | 'expired';
export type ReleaseReason = 'released' | 'expired' | 'consumed';

export interface ReservationState {
  id: string;
  tenantId: string;
  itemId: string;
  locationId: string;
  warehouseId: string;
  /** '' when the item is not tracked by lot. */
  lot: string;
  quantity: Thousandths;
  /** Reserved and not yet shipped. */
  remaining: Thousandths;
  status: ReservationStatus;
  reference: StockReference | null;
  expiresAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const AGGREGATE = 'reservation';

/**
 * Stock held for an order: `remaining` of the balance's on-hand cannot be taken by anything but
 * a shipment that names the reservation. It ends released, consumed (shipped in full) or expired
 * (past `expires_at`, which frees the stock even before the sweeper records it).
 */
export class Reservation {
  private readonly pending: DomainEvent[] = [];
  private constructor(private state: ReservationState) {}

  static place(
    tenantId: string,
    input: { itemId: string; locationId: string; warehouseId: string; lot: string; quantity: Thousandths; reference: StockReference | null; expiresAt: Date | null },
    now = new Date(),
  ): Reservation {
    if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
      throw new InvalidInputError([{ pointer: '/expires_at', detail: 'is not in the future' }]);
    }
    const r = new Reservation({ id: newId('res'), tenantId, ...input, remaining: input.quantity, status: 'active', version: 1, createdAt: now, updatedAt: now });
    r.pending.push(domainEvent('wms.stock.reserved', tenantId, { type: AGGREGATE, id: r.state.id }, reservationDocument(r.state, now), now));
    return r;
  }

  static restore(state: ReservationState): Reservation {
    return new Reservation({ ...state });
  }

  get snapshot(): ReservationState {
    return { ...this.state };
  }

  get id(): string {
    return this.state.id;
  }

  /** Its status as of `now`: an active reservation past its expiry is expired, swept or not. */
  statusAt(now: Date): ReservationStatus {
    return effectiveStatus(this.state, now);
  }

  /** Ends it by request; returns the quantity it frees. */
  release(now = new Date()): Thousandths {
    this.requireActive(now, 'released');
    return this.end('released', now);
  }

  /** Ends it because it expired (the sweeper, or a move that needs its stock); returns what it frees. */
  expire(now = new Date()): Thousandths {
    if (effectiveStatus(this.state, now) !== 'expired' || this.state.status !== 'active') throw new ConflictError(`Reservation ${this.state.id} has not expired.`);
    return this.end('expired', now);
  }

  /** A shipment takes `quantity` of it (at its location, of its item and lot). */
  consume(shipment: { itemId: string; locationId: string; lot: string; quantity: Thousandths }, now = new Date()): void {
    this.requireActive(now, 'shipped against');
    const s = this.state;
    if (shipment.itemId !== s.itemId || shipment.locationId !== s.locationId || shipment.lot !== s.lot) {
      throw new ConflictError(`Reservation ${s.id} holds item ${s.itemId} at location ${s.locationId}${s.lot ? ` (lot ${s.lot})` : ''}; the shipment takes another item, location or lot.`);
    }
    if (shipment.quantity > s.remaining) {
      throw new ConflictError(`Reservation ${s.id} holds ${formatQuantity(s.remaining)}; the shipment takes ${formatQuantity(shipment.quantity)}.`, { shortfall: formatQuantity(shipment.quantity - s.remaining), item_id: s.itemId, location_id: s.locationId });
    }
    s.remaining -= shipment.quantity;
    s.version += 1;
    s.updatedAt = now;
    if (s.remaining === 0) {
      s.status = 'consumed';
      this.pending.push(domainEvent('wms.stock.released', s.tenantId, { type: AGGREGATE, id: s.id }, { reservation: reservationDocument(s, now), reason: 'consumed' }, now));
    }
  }

  pullEvents(): DomainEvent[] {
    return this.pending.splice(0);
  }

  private requireActive(now: Date, doing: string): void {
    const status = effectiveStatus(this.state, now);
    if (status !== 'active') throw new ConflictError(`Reservation ${this.state.id} is ${status}; it cannot be ${doing}.`);
  }

  private end(reason: ReleaseReason, now: Date): Thousandths {
    const s = this.state;
    const freed = s.remaining;
    s.status = reason;
    s.remaining = 0;
    s.version += 1;
    s.updatedAt = now;
    this.pending.push(domainEvent('wms.stock.released', s.tenantId, { type: AGGREGATE, id: s.id }, { reservation: reservationDocument(s, now), reason }, now));
    return freed;
  }
}

export function effectiveStatus(s: Pick<ReservationState, 'status' | 'expiresAt'>, now: Date): ReservationStatus {
  return s.status === 'active' && s.expiresAt && s.expiresAt.getTime() <= now.getTime() ? 'expired' : s.status;
}

/** A reservation as the contract shows it (the API's body and the events' data). */
export function reservationDocument(s: ReservationState, now = new Date()) {
  return {
    id: s.id,
    item_id: s.itemId,
    location_id: s.locationId,
    warehouse_id: s.warehouseId,
    lot: s.lot === '' ? null : s.lot,
    quantity: formatQuantity(s.quantity),
    remaining: formatQuantity(effectiveStatus(s, now) === 'expired' ? 0 : s.remaining),
    status: effectiveStatus(s, now),
    reference: s.reference,
    expires_at: s.expiresAt ? s.expiresAt.toISOString() : null,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
    version: s.version,
  };
}
