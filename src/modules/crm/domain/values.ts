import { InvalidInputError } from '../../../platform/errors';
import { mergePatch } from '../../../platform/merge-patch';

/** A postal address; `line1` and `country` (ISO 3166-1 alpha-2) always present. */
export interface Address {
  line1: string;
  line2: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string;
}

/** Changes to an address (JSON Merge Patch): members sent replace, `null` clears. */
export type AddressPatch = Partial<{ [K in keyof Address]: Address[K] | null }>;

/**
 * `current` with `patch` merged in: a whole address, or a 400 naming the missing line under
 * `pointer` (a patch that sets an address where there was none must send `line1` and `country`).
 */
export function mergeAddress(current: Address | null, patch: AddressPatch, pointer: string): Address {
  const merged = mergePatch<AddressPatch>(current ?? {}, patch);
  const missing = (['line1', 'country'] as const).filter((k) => !merged[k]);
  if (missing.length) throw new InvalidInputError(missing.map((k) => ({ pointer: `${pointer}/${k === 'line1' ? 'line1' : 'country'}`, detail: 'is required: an address has a first line and a country' })));
  return {
    line1: merged.line1!,
    line2: merged.line2 ?? null,
    city: merged.city ?? null,
    region: merged.region ?? null,
    postalCode: merged.postalCode ?? null,
    country: merged.country!,
  };
}

/** A set of tags: each once, in the order first given. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags)];
}
