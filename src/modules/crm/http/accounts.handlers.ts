import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { expectedVersions, iso, isoOrNull, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { AccountUseCases } from '../application/accounts';
import type { CustomFieldUseCases } from '../application/custom-fields';
import type { AccountPatch, AccountState } from '../domain/account';
import { ACCOUNT_LIST } from '../infrastructure/account.repository';
import { fromAddressBody, fromAddressPatch, toAddressBody } from './values';
import { fieldFiltersOf } from './custom-fields.handlers';

type Schemas = components['schemas'];

export function toAccount(s: Readonly<AccountState>): Schemas['Account'] {
  return {
    id: s.id,
    name: s.name,
    domain: s.domain,
    industry: s.industry,
    website: s.website,
    phone: s.phone,
    billing_address: toAddressBody(s.billingAddress),
    shipping_address: toAddressBody(s.shippingAddress),
    owner_id: s.ownerId,
    tags: s.tags,
    external_id: s.externalId,
    custom_fields: s.customFields,
    archived_at: isoOrNull(s.archivedAt),
    version: s.version,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

/** A merge patch of an account as the domain takes it (PATCH, and a batch item). */
export function fromAccountPatch(b: Schemas['AccountUpdate']): AccountPatch {
  return {
    name: b.name,
    domain: b.domain,
    industry: b.industry,
    website: b.website,
    phone: b.phone,
    billingAddress: fromAddressPatch(b.billing_address),
    shippingAddress: fromAddressPatch(b.shipping_address),
    ownerId: b.owner_id,
    tags: b.tags,
    externalId: b.external_id,
    customFields: b.custom_fields,
  };
}

export function accountHandlers(accounts: AccountUseCases, customFields: CustomFieldUseCases, cursors: CursorCodec): HandlerMap {
  return {
    async listAccounts(request) {
      const tenantId = tenantOf(request);
      const fields = await fieldFiltersOf(customFields, tenantId, 'account', request.query);
      const list = readListQuery(ACCOUNT_LIST, request.query, tenantId, cursors, fields);
      return { status: 200, body: list.body(await accounts.list(tenantId, list.request), toAccount) };
    },

    async createAccount(request) {
      const b = request.body;
      const account = await accounts.create(
        tenantOf(request),
        {
          name: b.name,
          domain: b.domain,
          industry: b.industry,
          website: b.website,
          phone: b.phone,
          billingAddress: fromAddressBody(b.billing_address),
          shippingAddress: fromAddressBody(b.shipping_address),
          ownerId: b.owner_id,
          tags: b.tags,
          externalId: b.external_id,
          customFields: b.custom_fields,
        },
        request.claim,
      );
      return { status: 201, headers: { Location: `/v1/crm/accounts/${account.id}`, ETag: etag(account.version) }, body: toAccount(account) };
    },

    async getAccount(request) {
      const account = await accounts.get(tenantOf(request), request.params.account_id);
      return { status: 200, headers: { ETag: etag(account.version) }, body: toAccount(account) };
    },

    async updateAccount(request) {
      const account = await accounts.update(tenantOf(request), request.params.account_id, expectedVersions(request.ifMatch), fromAccountPatch(request.body));
      return { status: 200, headers: { ETag: etag(account.version) }, body: toAccount(account) };
    },

    async archiveAccount(request) {
      await accounts.archive(tenantOf(request), request.params.account_id, expectedVersions(request.ifMatch));
      return { status: 204, body: undefined };
    },
  };
}
