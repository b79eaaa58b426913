import { InvalidInputError } from '../../../platform/errors';

export type PeriodStatus = 'open' | 'locked';
export const PERIOD_STATUSES: readonly PeriodStatus[] = ['open', 'locked'];

/** A month of the ledger. One never touched is open; locking it refuses every post dated in it. */
export interface PeriodState {
  /** `2026-12`. */
  period: string;
  status: PeriodStatus;
  lockedAt: Date | null;
  /** 1 until first locked; each lock and unlock adds one. A month never touched is at 1. */
  version: number;
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Checks a period as the path names it (`2026-12`): a 400 naming it otherwise. */
export function checkPeriod(period: string, pointer = '/period'): string {
  if (!PERIOD.test(period)) throw new InvalidInputError([{ pointer, detail: `is not a month (YYYY-MM): ${period}` }]);
  return period;
}
