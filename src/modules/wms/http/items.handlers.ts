import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { expectedVersions, iso, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { ItemUseCases } from '../application/items';
import { type ItemPatch, type ItemState, skuKey } from '../domain/item';
import { formatQuantity } from '../domain/quantity';
import { ITEM_LIST } from '../infrastructure/item.repository';

type Schemas = components['schemas'];

export function toItem(s: Readonly<ItemState>): Schemas['Item'] {
  return {
    id: s.id,
    sku: s.sku,
    name: s.name,
    description: s.description,
    category: s.category,
    unit: s.unit,
    weight_grams: s.weightGrams,
    length_mm: s.lengthMm,
    width_mm: s.widthMm,
    height_mm: s.heightMm,
    barcode: s.barcode,
    supplier_email: s.supplierEmail,
    reorder_point: formatQuantity(s.reorderPoint),
    tracking: s.tracking,
    is_active: s.isActive,
    version: s.version,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

/** An item body (create, merge patch) as the domain takes it: only the members sent. */
function fromItemBody(b: Schemas['ItemCreate'] | Schemas['ItemUpdate']): ItemPatch {
  return {
    sku: b.sku,
    name: b.name,
    description: b.description,
    category: b.category,
    unit: b.unit,
    weightGrams: b.weight_grams,
    lengthMm: b.length_mm,
    widthMm: b.width_mm,
    heightMm: b.height_mm,
    barcode: b.barcode,
    supplierEmail: b.supplier_email,
    reorderPoint: b.reorder_point,
    tracking: b.tracking,
    isActive: b.is_active,
  };
}

export function itemHandlers(items: ItemUseCases, cursors: CursorCodec): HandlerMap {
  return {
    async listItems(request) {
      const tenantId = tenantOf(request);
      // `sku` is compared folded, as the column holds it.
      const query = typeof request.query.sku === 'string' ? { ...request.query, sku: skuKey(request.query.sku) } : request.query;
      const list = readListQuery(ITEM_LIST, query, tenantId, cursors);
      return { status: 200, body: list.body(await items.list(tenantId, list.request), toItem) };
    },

    async createItem(request) {
      const b = request.body;
      const item = await items.create(tenantOf(request), { ...fromItemBody(b), sku: b.sku, name: b.name, category: b.category }, request.claim);
      return { status: 201, headers: { Location: `/v1/wms/items/${item.id}`, ETag: etag(item.version) }, body: toItem(item) };
    },

    async getItem(request) {
      const item = await items.get(tenantOf(request), request.params.item_id);
      return { status: 200, headers: { ETag: etag(item.version) }, body: toItem(item) };
    },

    async updateItem(request) {
      const item = await items.update(tenantOf(request), request.params.item_id, expectedVersions(request.ifMatch), fromItemBody(request.body));
      return { status: 200, headers: { ETag: etag(item.version) }, body: toItem(item) };
    },
  };
}
