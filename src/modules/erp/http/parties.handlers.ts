import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { expectedVersions, iso, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { PartyUseCases } from '../application/parties';
import type { Address, PartyState } from '../domain/party';
import { CUSTOMER_LIST, SUPPLIER_LIST } from '../infrastructure/party.repository';
import { searchText } from '../../../platform/search-text';

type Schemas = components['schemas'];

function toAddressBody(a: Address | null): Schemas['Address'] | null {
  return a && { line1: a.line1, line2: a.line2, city: a.city, region: a.region, postal_code: a.postalCode, country: a.country as Schemas['CountryCode'] };
}

function toParty(s: Readonly<PartyState>) {
  return {
    id: s.id,
    account_id: s.accountId,
    name: s.name,
    billing_address: toAddressBody(s.billingAddress),
    payment_terms_days: s.paymentTermsDays,
    tax_rate_id: s.taxRateId,
    currency: s.currency as Schemas['BaseCurrency'],
    version: s.version,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

export const toCustomer = (s: Readonly<PartyState>): Schemas['Customer'] => toParty(s);
export const toSupplier = (s: Readonly<PartyState>): Schemas['Supplier'] => toParty(s);

/** `q` is compared folded, as the name column holds it. */
function folded<Q extends { q?: string }>(query: Q): Q {
  return typeof query.q === 'string' ? { ...query, q: searchText(query.q) } : query;
}

export function customerHandlers(customers: PartyUseCases, cursors: CursorCodec): HandlerMap {
  return {
    async listCustomers(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(CUSTOMER_LIST, folded(request.query), tenantId, cursors);
      return { status: 200, body: list.body(await customers.list(tenantId, list.request), toCustomer) };
    },

    async createCustomer(request) {
      const b = request.body;
      const customer = await customers.create(tenantOf(request), { accountId: b.account_id, paymentTermsDays: b.payment_terms_days, taxRateId: b.tax_rate_id, currency: b.currency }, request.claim);
      return { status: 201, headers: { Location: `/v1/erp/customers/${customer.id}`, ETag: etag(customer.version) }, body: toCustomer(customer) };
    },

    async getCustomer(request) {
      const customer = await customers.get(tenantOf(request), request.params.customer_id);
      return { status: 200, headers: { ETag: etag(customer.version) }, body: toCustomer(customer) };
    },

    async updateCustomer(request) {
      const b = request.body;
      const customer = await customers.update(tenantOf(request), request.params.customer_id, expectedVersions(request.ifMatch), { paymentTermsDays: b.payment_terms_days, taxRateId: b.tax_rate_id, currency: b.currency });
      return { status: 200, headers: { ETag: etag(customer.version) }, body: toCustomer(customer) };
    },
  };
}

export function supplierHandlers(suppliers: PartyUseCases, cursors: CursorCodec): HandlerMap {
  return {
    async listSuppliers(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(SUPPLIER_LIST, folded(request.query), tenantId, cursors);
      return { status: 200, body: list.body(await suppliers.list(tenantId, list.request), toSupplier) };
    },

    async createSupplier(request) {
      const b = request.body;
      const supplier = await suppliers.create(tenantOf(request), { accountId: b.account_id, paymentTermsDays: b.payment_terms_days, taxRateId: b.tax_rate_id, currency: b.currency }, request.claim);
      return { status: 201, headers: { Location: `/v1/erp/suppliers/${supplier.id}`, ETag: etag(supplier.version) }, body: toSupplier(supplier) };
    },

    async getSupplier(request) {
      const supplier = await suppliers.get(tenantOf(request), request.params.supplier_id);
      return { status: 200, headers: { ETag: etag(supplier.version) }, body: toSupplier(supplier) };
    },

    async updateSupplier(request) {
      const b = request.body;
      const supplier = await suppliers.update(tenantOf(request), request.params.supplier_id, expectedVersions(request.ifMatch), { paymentTermsDays: b.payment_terms_days, taxRateId: b.tax_rate_id, currency: b.currency });
      return { status: 200, headers: { ETag: etag(supplier.version) }, body: toSupplier(supplier) };
    },
  };
}
