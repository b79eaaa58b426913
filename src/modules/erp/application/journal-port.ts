import type { UnitOfWork } from '../../../platform/db/unit-of-work';
import type { StandardRole } from '../domain/ledger-account';

/**
 * The journal's posting interface as the ledger slice (application/journal.ts, in the works)
 * offers it, declared here until it lands: sales orders post their cost of goods through it.
 * Without a journal (null) a delivery posts no entry.
 */
export interface EntryLine {
  ledgerAccountId: string;
  debit: bigint;
  credit: bigint;
  memo?: string;
}

export interface NewEntry {
  /** YYYY-MM-DD. */
  date: string;
  memo: string;
  source: { type: string; id: string } | null;
  lines: EntryLine[];
}

export interface Journal {
  /** Posts a balanced entry in the caller's unit of work; 409 in a locked period. */
  post(uow: UnitOfWork, entry: NewEntry): Promise<unknown>;
  /** The tenant's standard account of a role. */
  accountId(uow: UnitOfWork, role: StandardRole): Promise<string>;
}
