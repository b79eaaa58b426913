import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { expectedVersions, iso, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { TaxRateUseCases } from '../application/tax-rates';
import { formatRate, parseRate } from '../domain/tax';
import type { TaxRateState } from '../domain/tax-rate';
import { TAX_RATE_LIST } from '../infrastructure/tax-rate.repository';

type Schemas = components['schemas'];

export function toTaxRate(s: Readonly<TaxRateState>): Schemas['TaxRate'] {
  return {
    id: s.id,
    name: s.name,
    rate: formatRate(s.rate),
    inclusive: s.inclusive,
    is_active: s.isActive,
    version: s.version,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

/** The contract's pattern has checked the rate: it always parses. */
const rateOf = (text: string | undefined) => (text === undefined ? undefined : parseRate(text)!);

export function taxRateHandlers(taxRates: TaxRateUseCases, cursors: CursorCodec): HandlerMap {
  return {
    async listTaxRates(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(TAX_RATE_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await taxRates.list(tenantId, list.request), toTaxRate) };
    },

    async createTaxRate(request) {
      const b = request.body;
      const taxRate = await taxRates.create(tenantOf(request), { name: b.name, rate: rateOf(b.rate)!, inclusive: b.inclusive, isActive: b.is_active }, request.claim);
      return { status: 201, headers: { Location: `/v1/erp/tax-rates/${taxRate.id}`, ETag: etag(taxRate.version) }, body: toTaxRate(taxRate) };
    },

    async getTaxRate(request) {
      const taxRate = await taxRates.get(tenantOf(request), request.params.tax_rate_id);
      return { status: 200, headers: { ETag: etag(taxRate.version) }, body: toTaxRate(taxRate) };
    },

    async updateTaxRate(request) {
      const b = request.body;
      const taxRate = await taxRates.update(tenantOf(request), request.params.tax_rate_id, expectedVersions(request.ifMatch), { name: b.name, rate: rateOf(b.rate), inclusive: b.inclusive, isActive: b.is_active });
      return { status: 200, headers: { ETag: etag(taxRate.version) }, body: toTaxRate(taxRate) };
    },
  };
}
