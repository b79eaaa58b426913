import { divideHalfEven } from '../../../platform/money';

/**
 * A tax rate in thousandths of a percent: `"19.000"` % is 19000, `"7.5"` % is 7500. Kept as an
 * integer so that no rate and no tax is ever a binary fraction. 0 ≤ rate < 1,000,000 (below 1000 %).
 */
export type RateThousandths = number;

/** The largest rate, 999.999 %, in thousandths of a percent. */
export const MAX_RATE: RateThousandths = 999_999;

const RATE = /^(0|[1-9][0-9]{0,2})(?:\.([0-9]{1,3}))?$/;

/** `"19"`, `"19.5"`, `"19.000"` → thousandths of a percent; null for anything else (the contract's pattern). */
export function parseRate(text: string): RateThousandths | null {
  const m = RATE.exec(text);
  if (!m) return null;
  return Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
}

/** Thousandths of a percent → `"19.000"`: always three decimals. */
export function formatRate(rate: RateThousandths): string {
  if (!Number.isSafeInteger(rate) || rate < 0 || rate > MAX_RATE) throw new RangeError(`not a rate: ${rate}`);
  return `${Math.floor(rate / 1000)}.${String(rate % 1000).padStart(3, '0')}`;
}

/** One line's tax, in the currency's minor units: net + tax = gross, always. */
export interface LineTax {
  net: number;
  tax: number;
  gross: number;
}

/** 100 % in thousandths of a percent. */
const HUNDRED_PERCENT = 100_000n;

/**
 * The tax of one line of a document, in minor units, rounded half to even once per line (the
 * contract's `TaxRate` describes it):
 * - exclusive (`inclusive: false`): `amount` is the net; tax = net × rate ÷ 100, rounded;
 *   gross = net + tax;
 * - inclusive: `amount` is the gross; tax = gross × rate ÷ (100 + rate), rounded;
 *   net = gross − tax.
 * Computed in integers (bigint), never floats. `amount` is a non-negative safe integer.
 */
export function lineTax(netOrGrossMinor: number, rate: RateThousandths, inclusive: boolean): LineTax {
  if (!Number.isSafeInteger(netOrGrossMinor) || netOrGrossMinor < 0) throw new RangeError(`not an amount of minor units: ${netOrGrossMinor}`);
  if (!Number.isSafeInteger(rate) || rate < 0 || rate > MAX_RATE) throw new RangeError(`not a rate: ${rate}`);
  const amount = BigInt(netOrGrossMinor);
  const r = BigInt(rate);
  if (inclusive) {
    const tax = divideHalfEven(amount * r, HUNDRED_PERCENT + r);
    return { net: Number(amount - tax), tax: Number(tax), gross: netOrGrossMinor };
  }
  const tax = divideHalfEven(amount * r, HUNDRED_PERCENT);
  const gross = amount + tax;
  if (gross > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('the gross amount is beyond a safe integer');
  return { net: netOrGrossMinor, tax: Number(tax), gross: Number(gross) };
}
