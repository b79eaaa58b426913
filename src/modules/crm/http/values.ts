import type { components } from '../../../../generated/api';
import type { Address, AddressPatch } from '../domain/values';

type Schemas = components['schemas'];

/** Address as the contract spells it, and back. */
export function toAddressBody(a: Address | null): Schemas['Address'] | null {
  return a && { line1: a.line1, line2: a.line2, city: a.city, region: a.region, postal_code: a.postalCode, country: a.country as Schemas['CountryCode'] };
}

export function fromAddressBody(a: Schemas['Address'] | null | undefined): Address | null | undefined {
  return a && { line1: a.line1, line2: a.line2 ?? null, city: a.city ?? null, region: a.region ?? null, postalCode: a.postal_code ?? null, country: a.country };
}

/** A merge patch of an address: only the members sent (a `null` clears). */
export function fromAddressPatch(a: Schemas['AddressPatch'] | null | undefined): AddressPatch | null | undefined {
  if (!a) return a;
  const out: AddressPatch = {};
  if (a.line1 !== undefined) out.line1 = a.line1;
  if (a.line2 !== undefined) out.line2 = a.line2;
  if (a.city !== undefined) out.city = a.city;
  if (a.region !== undefined) out.region = a.region;
  if (a.postal_code !== undefined) out.postalCode = a.postal_code;
  if (a.country !== undefined) out.country = a.country;
  return out;
}
