import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { expectedVersions, iso, tenantOf } from '../../../platform/http/handler-kit';
import { contractDocument } from '../../../platform/http/contract-document';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { CustomFieldUseCases } from '../application/custom-fields';
import type { FieldType as ListFieldType } from '../../../platform/db/list-query';
import type { CustomFieldState, FieldObject } from '../domain/custom-field';
import { CUSTOM_FIELD_LIST } from '../infrastructure/custom-field.repository';
import { tenantContract } from './tenant-contract';

type Schemas = components['schemas'];

export function toCustomField(s: Readonly<CustomFieldState>): Schemas['CustomField'] {
  return {
    id: s.id,
    object: s.object,
    key: s.key,
    label: s.label,
    description: s.description,
    type: s.type,
    options: s.options,
    required: s.required,
    version: s.version,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

/**
 * The tenant's fields of `object` as list filters, read only when the query filters on one
 * (`?custom_fields.<key>=`); for readListQuery.
 */
export async function fieldFiltersOf(customFields: CustomFieldUseCases, tenantId: string, object: FieldObject, query: object): Promise<ReadonlyMap<string, ListFieldType> | undefined> {
  return Object.keys(query).some((k) => k.startsWith('custom_fields.')) ? customFields.filtersFor(tenantId, object) : undefined;
}

export function customFieldHandlers(customFields: CustomFieldUseCases, cursors: CursorCodec): HandlerMap {
  return {
    async getCrmContract(request) {
      const tenantId = tenantOf(request);
      const { document, etag: tag } = tenantContract(contractDocument(), tenantId, await customFields.all(tenantId));
      return { status: 200, headers: { ETag: tag }, body: document as Schemas['TenantContract'] };
    },

    async listCustomFields(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(CUSTOM_FIELD_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await customFields.list(tenantId, list.request), toCustomField) };
    },

    async createCustomField(request) {
      const field = await customFields.create(tenantOf(request), request.body, request.claim);
      return { status: 201, headers: { Location: `/v1/crm/custom-fields/${field.id}`, ETag: etag(field.version) }, body: toCustomField(field) };
    },

    async getCustomField(request) {
      const field = await customFields.get(tenantOf(request), request.params.custom_field_id);
      return { status: 200, headers: { ETag: etag(field.version) }, body: toCustomField(field) };
    },

    async updateCustomField(request) {
      const field = await customFields.update(tenantOf(request), request.params.custom_field_id, expectedVersions(request.ifMatch), request.body);
      return { status: 200, headers: { ETag: etag(field.version) }, body: toCustomField(field) };
    },

    async deleteCustomField(request) {
      await customFields.delete(tenantOf(request), request.params.custom_field_id, expectedVersions(request.ifMatch));
      return { status: 204, body: undefined };
    },
  };
}
