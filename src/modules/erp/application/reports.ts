import type { Database } from '../../../platform/db/database';
import { InvalidInputError } from '../../../platform/errors';
import { agingReport, type AgingReport } from '../domain/aging';
import type { DocumentType } from '../domain/document';
import { isCalendarDate, today } from '../domain/journal-entry';
import { AgingRepository } from '../infrastructure/aging.repository';
import { JournalEntryRepository, type AccountTotals } from '../infrastructure/journal-entry.repository';

export interface TrialBalance {
  asOf: string;
  accounts: AccountTotals[];
  totalDebit: bigint;
  totalCredit: bigint;
}

export interface AgedReport extends AgingReport {
  asOf: string;
}

/** `asOf`, or today when absent; a day that is not a calendar date is a 400 naming `/as_of`. */
function reportDay(asOf: string | undefined): string {
  const day = asOf ?? today();
  if (!isCalendarDate(day)) throw new InvalidInputError([{ pointer: '/as_of', detail: `is not a date (YYYY-MM-DD): ${day}` }]);
  return day;
}

/**
 * The ledger's reports: the trial balance, summed by the database over the journal's lines; the
 * aged receivables and payables, the documents' totals computed from their lines (domain/aging.ts).
 */
export function reportUseCases({ db }: { db: Database }) {
  const aged = async (type: DocumentType, tenantId: string, asOf?: string): Promise<AgedReport> => {
    const day = reportDay(asOf);
    const documents = await new AgingRepository(db, tenantId).documentsAsOf(type, day);
    return { asOf: day, ...agingReport(documents, day) };
  };
  return {
    /** Each account's debits and credits of the lines dated on or before `asOf` (today when absent). */
    async trialBalance(tenantId: string, asOf?: string): Promise<TrialBalance> {
      const day = reportDay(asOf);
      const accounts = await new JournalEntryRepository(db, tenantId).trialBalance(day);
      return {
        asOf: day,
        accounts,
        totalDebit: accounts.reduce((sum, a) => sum + a.debit, 0n),
        totalCredit: accounts.reduce((sum, a) => sum + a.credit, 0n),
      };
    },

    /** What customers owe as of `asOf` (today when absent), by the days past the invoices' due dates. */
    agedReceivables: (tenantId: string, asOf?: string) => aged('invoice', tenantId, asOf),

    /** What is owed to suppliers as of `asOf` (today when absent), by the days past the bills' due dates. */
    agedPayables: (tenantId: string, asOf?: string) => aged('bill', tenantId, asOf),
  };
}

export type ReportUseCases = ReturnType<typeof reportUseCases>;
