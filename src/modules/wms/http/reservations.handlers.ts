import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { expectedVersions, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { ReservationUseCases } from '../application/reservations';
import { reservationDocument, type ReservationState } from '../domain/reservation';
import { RESERVATION_LIST } from '../infrastructure/reservation.repository';

type Schemas = components['schemas'];

/** The contract's Reservation: the same document the reservation events carry. */
const toReservation = (r: ReservationState): Schemas['Reservation'] => reservationDocument(r) as Schemas['Reservation'];

export function reservationHandlers(reservations: ReservationUseCases, cursors: CursorCodec): HandlerMap {
  const ok = (r: ReservationState) => ({ status: 200 as const, headers: { ETag: etag(r.version) }, body: toReservation(r) });
  return {
    async createReservation(request) {
      const b = request.body;
      const r = await reservations.create(
        tenantOf(request),
        {
          itemId: b.item_id,
          quantity: b.quantity,
          locationId: b.location_id,
          warehouseId: b.warehouse_id,
          lot: b.lot,
          reference: b.reference,
          expiresAt: b.expires_at === undefined ? undefined : new Date(b.expires_at),
        },
        request.claim,
      );
      return { status: 201, headers: { Location: `/v1/wms/reservations/${r.id}`, ETag: etag(r.version) }, body: toReservation(r) };
    },

    async createReservationBatch(request) {
      const b = request.body;
      const held = await reservations.createBatch(
        tenantOf(request),
        {
          reference: b.reference,
          lines: b.lines.map((l) => ({ itemId: l.item_id, quantity: l.quantity, locationId: l.location_id, warehouseId: l.warehouse_id, lot: l.lot })),
          expiresAt: b.expires_at === undefined ? undefined : new Date(b.expires_at),
        },
        request.claim,
      );
      // No Location or ETag: each reservation has its own.
      return { status: 201, body: { lines: held.map((line) => ({ reservations: line.map(toReservation) })) } };
    },

    async listReservations(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(RESERVATION_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await reservations.list(tenantId, list.request), toReservation) };
    },

    async getReservation(request) {
      return ok(await reservations.get(tenantOf(request), request.params.reservation_id));
    },

    async releaseReservation(request) {
      return ok(await reservations.release(tenantOf(request), request.params.reservation_id, expectedVersions(request.ifMatch), request.claim));
    },
  };
}
