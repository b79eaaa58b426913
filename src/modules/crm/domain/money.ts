import { divideHalfEven, type Money } from '../../../platform/money';

export { divideHalfEven, type Money };

/** A sum of amounts of one currency, exact whatever its size. */
export interface MoneyTotal {
  currency: string;
  amount: bigint;
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
