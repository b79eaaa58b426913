import { orderTotals, type PricedLine } from './order';

/**
 * The aged reports (receivables, payables): what each party has outstanding as of a day, by the
 * days from each document's due date to that day. Plain arithmetic on what the repository read:
 * a document's total from its lines (the line math of domain/order.ts, tax half-even per line),
 * less what was paid of it by then.
 */

export const AGING_BUCKETS = ['current', 'days_0_30', 'days_31_60', 'days_61_90', 'days_over_90'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];
export type AgingAmounts = Record<AgingBucket, bigint> & { total: bigint };

const DAY_MS = 86_400_000;

/** Whole days from `from` to `to` (YYYY-MM-DD each): negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/**
 * The bucket of a document due on `dueDate` as of `asOf`: `current` while not yet due (due after
 * `asOf`); then by the days past due: 0–30 (the due day itself is 0), 31–60, 61–90, over 90.
 */
export function agingBucket(dueDate: string, asOf: string): AgingBucket {
  const late = daysBetween(dueDate, asOf);
  if (late < 0) return 'current';
  if (late <= 30) return 'days_0_30';
  if (late <= 60) return 'days_31_60';
  if (late <= 90) return 'days_61_90';
  return 'days_over_90';
}

/** A document as the aged reports read it: its party, due date, lines, and what was paid of it as of the day. */
export interface AgingDocument {
  partyId: string;
  partyName: string;
  dueDate: string;
  lines: readonly PricedLine[];
  /** Minor units allocated to it by payments made on or before the day. */
  paid: bigint;
}

export interface AgingRow extends AgingAmounts {
  partyId: string;
  name: string;
}

export interface AgingReport {
  parties: AgingRow[];
  totals: AgingAmounts;
}

const zero = (): AgingAmounts => ({ current: 0n, days_0_30: 0n, days_31_60: 0n, days_61_90: 0n, days_over_90: 0n, total: 0n });

/** What a document has outstanding: its total (from its lines) less what was paid of it. */
export const outstanding = (d: Pick<AgingDocument, 'lines' | 'paid'>): bigint => orderTotals(d.lines).total - d.paid;

/**
 * The aged report as of `asOf`: each document's outstanding amount in its bucket, summed per
 * party (a row for each party with anything outstanding, by name then id) and over all of them.
 * Documents with nothing outstanding are left out.
 */
export function agingReport(documents: readonly AgingDocument[], asOf: string): AgingReport {
  const rows = new Map<string, AgingRow>();
  const totals = zero();
  for (const d of documents) {
    const amount = outstanding(d);
    if (amount === 0n) continue;
    const bucket = agingBucket(d.dueDate, asOf);
    let row = rows.get(d.partyId);
    if (!row) rows.set(d.partyId, (row = { partyId: d.partyId, name: d.partyName, ...zero() }));
    row[bucket] += amount;
    row.total += amount;
    totals[bucket] += amount;
    totals.total += amount;
  }
  const parties = [...rows.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.partyId < b.partyId ? -1 : a.partyId > b.partyId ? 1 : 0));
  return { parties, totals };
}
