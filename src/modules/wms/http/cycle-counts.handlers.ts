import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { callerOf, expectedVersions, iso, isoOrNull, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { CycleCountUseCases } from '../application/cycle-counts';
import { signedQuantity, type CycleCountState } from '../domain/cycle-count';
import { formatQuantity } from '../domain/quantity';
import { CYCLE_COUNT_LIST } from '../infrastructure/cycle-count.repository';

type Schemas = components['schemas'];

const toCycleCount = (c: CycleCountState): Schemas['CycleCount'] => ({
  id: c.id,
  location_id: c.locationId,
  status: c.status,
  lines: c.lines.map((l) => ({
    item_id: l.itemId,
    lot: l.lot === '' ? null : l.lot,
    counted_quantity: formatQuantity(l.counted),
    expected_quantity: l.expected === null ? null : formatQuantity(l.expected),
    difference: signedQuantity(l.difference),
    stock_move_id: l.moveId,
    stock_move_ids: l.moveIds,
    serials: l.serials,
    serials_missing: l.serialsMissing,
    serials_found: l.serialsFound,
  })),
  created_at: iso(c.createdAt),
  posted_at: isoOrNull(c.postedAt),
  version: c.version,
});

export function cycleCountHandlers(counts: CycleCountUseCases, cursors: CursorCodec): HandlerMap {
  const ok = (c: CycleCountState) => ({ status: 200 as const, headers: { ETag: etag(c.version) }, body: toCycleCount(c) });
  return {
    async createCycleCount(request) {
      const b = request.body;
      const c = await counts.create(
        tenantOf(request),
        b.location_id,
        b.lines.map((l) => ({ itemId: l.item_id, lot: l.lot, countedQuantity: l.counted_quantity, serials: l.serials })),
        request.claim,
      );
      return { status: 201, headers: { Location: `/v1/wms/cycle-counts/${c.id}`, ETag: etag(c.version) }, body: toCycleCount(c) };
    },

    async listCycleCounts(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(CYCLE_COUNT_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await counts.list(tenantId, list.request), toCycleCount) };
    },

    async getCycleCount(request) {
      return ok(await counts.get(tenantOf(request), request.params.cycle_count_id));
    },

    async postCycleCount(request) {
      return ok(await counts.post(tenantOf(request), request.params.cycle_count_id, expectedVersions(request.ifMatch), callerOf(request).clientId, request.claim));
    },

    async cancelCycleCount(request) {
      return ok(await counts.cancel(tenantOf(request), request.params.cycle_count_id, expectedVersions(request.ifMatch)));
    },
  };
}
