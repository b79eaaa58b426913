/** An amount of money: integer minor units of an ISO 4217 currency (never a float). */
export interface Money {
  amount: number;
  currency: string;
}

/** A sum of amounts of one currency, exact whatever its size. */
export interface MoneyTotal {
  currency: string;
  amount: bigint;
}

/** `n / d` rounded half to even (banker's rounding), for n ≥ 0 and d > 0, exactly. */
export function divideHalfEven(n: bigint, d: bigint): bigint {
  if (n < 0n || d <= 0n) throw new RangeError('divideHalfEven takes n ≥ 0 and d > 0');
  const q = n / d;
  const twice = (n % d) * 2n;
  if (twice > d || (twice === d && q % 2n === 1n)) return q + 1n;
  return q;
}

/** `total × probability / 100` in whole minor units, rounded half to even. */
export function weightedAmount(total: bigint, probability: number): bigint {
  return divideHalfEven(total * BigInt(probability), 100n);
}

/**
 * Amounts summed per currency, never across currencies (a missing amount adds nothing), in
 * currency order.
 */
export function totalsByCurrency(amounts: Iterable<Money | MoneyTotal | null | undefined>): MoneyTotal[] {
  const sums = new Map<string, bigint>();
  for (const m of amounts) {
    if (!m) continue;
    sums.set(m.currency, (sums.get(m.currency) ?? 0n) + BigInt(m.amount));
  }
  return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([currency, amount]) => ({ currency, amount }));
}
