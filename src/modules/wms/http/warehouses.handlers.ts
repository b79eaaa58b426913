import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { expectedVersions, iso, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { WarehouseUseCases } from '../application/warehouses';
import { type Address, codeKey, type WarehouseState } from '../domain/warehouse';
import { WAREHOUSE_LIST } from '../infrastructure/warehouse.repository';

type Schemas = components['schemas'];

function toAddressBody(a: Address | null): Schemas['Address'] | null {
  return a && { line1: a.line1, line2: a.line2, city: a.city, region: a.region, postal_code: a.postalCode, country: a.country as Schemas['CountryCode'] };
}

function fromAddressBody(a: Schemas['Address'] | null | undefined): Address | null | undefined {
  return a && { line1: a.line1, line2: a.line2 ?? null, city: a.city ?? null, region: a.region ?? null, postalCode: a.postal_code ?? null, country: a.country };
}

export function toWarehouse(s: Readonly<WarehouseState>): Schemas['Warehouse'] {
  return {
    id: s.id,
    code: s.code,
    name: s.name,
    address: toAddressBody(s.address),
    version: s.version,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

export function warehouseHandlers(warehouses: WarehouseUseCases, cursors: CursorCodec): HandlerMap {
  return {
    async listWarehouses(request) {
      const tenantId = tenantOf(request);
      // `code` is compared folded, as the column holds it.
      const query = typeof request.query.code === 'string' ? { ...request.query, code: codeKey(request.query.code) } : request.query;
      const list = readListQuery(WAREHOUSE_LIST, query, tenantId, cursors);
      return { status: 200, body: list.body(await warehouses.list(tenantId, list.request), toWarehouse) };
    },

    async createWarehouse(request) {
      const b = request.body;
      const warehouse = await warehouses.create(tenantOf(request), { code: b.code, name: b.name, address: fromAddressBody(b.address) }, request.claim);
      return { status: 201, headers: { Location: `/v1/wms/warehouses/${warehouse.id}`, ETag: etag(warehouse.version) }, body: toWarehouse(warehouse) };
    },

    async getWarehouse(request) {
      const warehouse = await warehouses.get(tenantOf(request), request.params.warehouse_id);
      return { status: 200, headers: { ETag: etag(warehouse.version) }, body: toWarehouse(warehouse) };
    },

    async updateWarehouse(request) {
      const b = request.body;
      const warehouse = await warehouses.update(tenantOf(request), request.params.warehouse_id, expectedVersions(request.ifMatch), { code: b.code, name: b.name, address: fromAddressBody(b.address) });
      return { status: 200, headers: { ETag: etag(warehouse.version) }, body: toWarehouse(warehouse) };
    },

    async deleteWarehouse(request) {
      await warehouses.delete(tenantOf(request), request.params.warehouse_id, expectedVersions(request.ifMatch));
      return { status: 204, body: undefined };
    },
  };
}
