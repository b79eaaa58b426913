import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { expectedVersions, iso, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { LocationUseCases } from '../application/locations';
import type { LocationState } from '../domain/location';
import { codeKey } from '../domain/warehouse';
import { LOCATION_LIST } from '../infrastructure/location.repository';

type Schemas = components['schemas'];

export function toLocation(s: Readonly<LocationState>): Schemas['Location'] {
  return {
    id: s.id,
    warehouse_id: s.warehouseId,
    parent_id: s.parentId,
    code: s.code,
    type: s.type,
    is_active: s.isActive,
    version: s.version,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

export function locationHandlers(locations: LocationUseCases, cursors: CursorCodec): HandlerMap {
  return {
    async listLocations(request) {
      const tenantId = tenantOf(request);
      // `code` is compared folded, as the column holds it.
      const query = typeof request.query.code === 'string' ? { ...request.query, code: codeKey(request.query.code) } : request.query;
      const list = readListQuery(LOCATION_LIST, query, tenantId, cursors);
      return { status: 200, body: list.body(await locations.list(tenantId, list.request), toLocation) };
    },

    async createLocation(request) {
      const b = request.body;
      const location = await locations.create(tenantOf(request), { warehouseId: b.warehouse_id, parentId: b.parent_id, code: b.code, type: b.type, isActive: b.is_active }, request.claim);
      return { status: 201, headers: { Location: `/v1/wms/locations/${location.id}`, ETag: etag(location.version) }, body: toLocation(location) };
    },

    async getLocation(request) {
      const location = await locations.get(tenantOf(request), request.params.location_id);
      return { status: 200, headers: { ETag: etag(location.version) }, body: toLocation(location) };
    },

    async updateLocation(request) {
      const b = request.body;
      const location = await locations.update(tenantOf(request), request.params.location_id, expectedVersions(request.ifMatch), { parentId: b.parent_id, code: b.code, type: b.type, isActive: b.is_active });
      return { status: 200, headers: { ETag: etag(location.version) }, body: toLocation(location) };
    },

    async deleteLocation(request) {
      await locations.delete(tenantOf(request), request.params.location_id, expectedVersions(request.ifMatch));
      return { status: 204, body: undefined };
    },
  };
}
