/**
 * Money, for every module's domain: integer minor units of an ISO 4217 currency, never a float,
 * and the one rounding rule (half to even) wherever an amount is divided.
 */
export interface Money {
  amount: number;
  currency: string;
}

/** `n / d` rounded half to even (banker's rounding), for n ≥ 0 and d > 0, exactly. */
export function divideHalfEven(n: bigint, d: bigint): bigint {
  if (n < 0n || d <= 0n) throw new RangeError('divideHalfEven takes n ≥ 0 and d > 0');
  const q = n / d;
  const twice = (n % d) * 2n;
  if (twice > d || (twice === d && q % 2n === 1n)) return q + 1n;
  return q;
}

/**
 * Minor units as decimal text with the currency's two minor digits (`123456` → `"1234.56"`,
 * `-5` → `"-0.05"`), exactly: for messages and documents, never for arithmetic.
 */
export function formatMinor(minor: bigint | number): string {
  const n = BigInt(minor);
  const abs = n < 0n ? -n : n;
  return `${n < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}
