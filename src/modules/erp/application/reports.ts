import type { Database } from '../../../platform/db/database';
import { InvalidInputError } from '../../../platform/errors';
import { isCalendarDate, today } from '../domain/journal-entry';
import { JournalEntryRepository, type AccountTotals } from '../infrastructure/journal-entry.repository';

export interface TrialBalance {
  asOf: string;
  accounts: AccountTotals[];
  totalDebit: bigint;
  totalCredit: bigint;
}

/** The ledger's reports, summed by the database over the journal's lines. */
export function reportUseCases({ db }: { db: Database }) {
  return {
    /** Each account's debits and credits of the lines dated on or before `asOf` (today when absent). */
    async trialBalance(tenantId: string, asOf?: string): Promise<TrialBalance> {
      const day = asOf ?? today();
      if (!isCalendarDate(day)) throw new InvalidInputError([{ pointer: '/as_of', detail: `is not a date (YYYY-MM-DD): ${day}` }]);
      const accounts = await new JournalEntryRepository(db, tenantId).trialBalance(day);
      return {
        asOf: day,
        accounts,
        totalDebit: accounts.reduce((sum, a) => sum + a.debit, 0n),
        totalCredit: accounts.reduce((sum, a) => sum + a.credit, 0n),
      };
    },
  };
}

export type ReportUseCases = ReturnType<typeof reportUseCases>;
