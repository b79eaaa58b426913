import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import type { Database } from '../../../platform/db/database';
import { TenantRepository } from '../../../platform/db/repository';
import { date, maybeDate } from '../../../platform/db/rows';
import { Reservation, type ReservationState, type ReservationStatus } from '../domain/reservation';

interface ReservationRow {
  id: string;
  tenant_id: string;
  item_id: string;
  location_id: string;
  warehouse_id: string;
  lot: string;
  quantity: number | string;
  remaining: number | string;
  status: string;
  reference_type: string | null;
  reference_id: string | null;
  expires_at: Date | string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = 'id, tenant_id, item_id, location_id, warehouse_id, lot, quantity, remaining, status, reference_type, reference_id, expires_at, version, created_at, updated_at';

export function toReservationState(r: ReservationRow): ReservationState {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    itemId: r.item_id,
    locationId: r.location_id,
    warehouseId: r.warehouse_id,
    lot: r.lot,
    quantity: Number(r.quantity),
    remaining: Number(r.remaining),
    status: r.status as ReservationStatus,
    reference: r.reference_type && r.reference_id ? { type: r.reference_type, id: r.reference_id } : null,
    expiresAt: maybeDate(r.expires_at),
    version: Number(r.version),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

/**
 * `status=active` lists the reservations still holding stock; one past its expiry that the
 * sweeper has not reached yet is listed as `expired` by its body but found under `active` until
 * then (within the sweep interval).
 */
export const RESERVATION_LIST = defineList({
  name: 'wms.reservations',
  table: 'wms_reservations',
  select: COLUMNS,
  columns: {
    item_id: { type: 'text' },
    location_id: { type: 'text' },
    status: { type: 'text' },
    reference_type: { type: 'text', nullable: true },
    reference_id: { type: 'text', nullable: true },
    created_at: { type: 'instant' },
  },
  filters: {
    item_id: { kind: 'equals', column: 'item_id' },
    location_id: { kind: 'equals', column: 'location_id' },
    status: { kind: 'equals', column: 'status', values: ['active', 'released', 'consumed', 'expired'] },
    reference_type: { kind: 'equals', column: 'reference_type' },
    reference_id: { kind: 'equals', column: 'reference_id' },
  },
  sorts: ['created_at'],
  defaultSort: '-created_at',
});

export class ReservationRepository extends TenantRepository {
  async state(id: string): Promise<ReservationState | undefined> {
    const row = await this.selectOne<ReservationRow>(`SELECT ${COLUMNS} FROM wms_reservations WHERE tenant_id = :tenantId AND id = :id`, { id });
    return row && toReservationState(row);
  }

  /** The reservation, locked for update on PostgreSQL (take the item's totals lock first). */
  async get(id: string): Promise<Reservation | undefined> {
    const row = await this.lockingSelectOne<ReservationRow>(`SELECT ${COLUMNS} FROM wms_reservations WHERE tenant_id = :tenantId AND id = :id`, { id });
    return row && Reservation.restore(toReservationState(row));
  }

  /** The active reservations of a reference, locked, in id order. */
  async activeOfReference(type: string, referenceId: string, locking = true): Promise<Reservation[]> {
    const rows = await this.select<ReservationRow>(
      `SELECT ${COLUMNS} FROM wms_reservations WHERE tenant_id = :tenantId AND reference_type = :type AND reference_id = :referenceId AND status = 'active' ORDER BY id${locking ? this.lock('update') : ''}`,
      { type, referenceId },
    );
    return rows.map((r) => Reservation.restore(toReservationState(r)));
  }

  /** Active reservations of one balance that expired by `now`, locked. */
  async expiredAt(itemId: string, locationId: string, lot: string, now: Date): Promise<Reservation[]> {
    const rows = await this.select<ReservationRow>(
      `SELECT ${COLUMNS} FROM wms_reservations WHERE tenant_id = :tenantId AND item_id = :itemId AND location_id = :locationId AND lot = :lot AND status = 'active' AND expires_at <= :now ORDER BY id${this.lock('update')}`,
      { itemId, locationId, lot, now },
    );
    return rows.map((r) => Reservation.restore(toReservationState(r)));
  }

  async add(r: Reservation): Promise<void> {
    const s = r.snapshot;
    await this.execute(
      `INSERT INTO wms_reservations (${COLUMNS}) VALUES (:id, :tenantId, :itemId, :locationId, :warehouseId, :lot, :quantity, :remaining, :status, :referenceType, :referenceId, :expiresAt, :version, :createdAt, :updatedAt)`,
      params(s),
    );
    this.record(r.pullEvents());
  }

  async save(r: Reservation, loadedVersion: number): Promise<void> {
    const s = r.snapshot;
    const rows = await this.execute<{ id: string }>(
      'UPDATE wms_reservations SET remaining = :remaining, status = :status, version = :version, updated_at = :updatedAt WHERE tenant_id = :tenantId AND id = :id AND version = :loaded RETURNING id',
      { ...params(s), loaded: loadedVersion },
    );
    if (rows.length !== 1) throw new Error(`reservation ${s.id} changed under its lock`);
    this.record(r.pullEvents());
  }

  list(request: ListRequest): Promise<ListPage<ReservationState>> {
    return this.page(RESERVATION_LIST, request, toReservationState);
  }
}

/** Every tenant's reservations past their expiry and still active, oldest first (the sweeper's work). */
export async function expiredReservations(db: Database, now: Date, limit: number): Promise<{ tenantId: string; id: string }[]> {
  const rows = await db.select<{ tenant_id: string; id: string }>(
    `SELECT tenant_id, id FROM wms_reservations WHERE status = 'active' AND expires_at IS NOT NULL AND expires_at <= :now ORDER BY expires_at LIMIT :limit`,
    { now, limit },
  );
  return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id }));
}

function params(s: ReservationState) {
  return {
    id: s.id,
    itemId: s.itemId,
    locationId: s.locationId,
    warehouseId: s.warehouseId,
    lot: s.lot,
    quantity: s.quantity,
    remaining: s.remaining,
    status: s.status,
    referenceType: s.reference?.type ?? null,
    referenceId: s.reference?.id ?? null,
    expiresAt: s.expiresAt,
    version: s.version,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}
