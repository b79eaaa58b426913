/**
 * What the ERP scenarios' baselines share: the money arithmetic and JSON of the app's documents
 * (written again here, not imported: a scenario imports nothing from src/ but types), and the
 * small plumbing of their setup and refusals.
 */

/** a ÷ b rounded half to even (b > 0, a ≥ 0), as src/modules/erp/domain/tax.ts rounds. */
export function divideHalfEven(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  if (r * 2n > b || (r * 2n === b && q % 2n === 1n)) return q + 1n;
  return q;
}

export const money = (amount: number | bigint, currency: string) => ({ amount: Number(amount), currency });
export const iso = (v: Date | string) => (v instanceof Date ? v : new Date(v)).toISOString();

/** A refusal of the baseline's request: answered with this status. */
export class Refused extends Error {
  constructor(readonly status: number) {
    super(String(status));
  }
}

/** The body of a setup request that must have made something (201). */
export async function made(res: Response, what: string): Promise<any> {
  if (res.status !== 201) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res.json();
}
