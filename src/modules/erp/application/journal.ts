import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, type ExpectedVersion, InvalidInputError, NotFoundError } from '../../../platform/errors';
import {
  documentNumber,
  EntryReversedError,
  entryVersion,
  type EntryLine,
  JOURNAL_SERIES,
  JournalEntry,
  type JournalEntryState,
  type NewEntry,
  PeriodLockedError,
  periodOf,
  checkEntry,
  today,
  isCalendarDate,
} from '../domain/journal-entry';
import { LedgerAccount, ledgerCodeKey, STANDARD_CHART, type StandardRole } from '../domain/ledger-account';
import { JournalEntryRepository } from '../infrastructure/journal-entry.repository';
import { LedgerAccountRepository } from '../infrastructure/ledger-account.repository';
import { PeriodRepository } from '../infrastructure/period.repository';
import { SequenceRepository } from '../infrastructure/sequence.repository';

export type { EntryLine, NewEntry, JournalEntryState };

/** What every ERP document posts through: the one way an entry gets into the journal. */
export interface Journal {
  /** Posts a balanced entry inside the caller's unit of work (uow.tenantId); a date in a locked period is a 409 (/problems/conflict or a dedicated kind, naming the period); an unbalanced or empty entry is a 400. Records `erp.journal_entry.posted`. */
  post(uow: UnitOfWork, entry: NewEntry): Promise<JournalEntryState>;
  /** The id of the tenant's standard account for a role (StandardRole from domain/ledger-account.ts), made with the standard chart on first use. */
  accountId(uow: UnitOfWork, role: StandardRole): Promise<string>;
  /** Posts the reversal of entry `id` dated `date` in the caller's unit of work (a 409 when it was reversed already or the date's period is locked). */
  reverse(uow: UnitOfWork, id: string, date: string, memo?: string): Promise<JournalEntryState>;
}

export interface JournalDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
}

/**
 * The journal: posting (for manual entries and every document of the ERP, in the caller's unit
 * of work), reversal, and reading entries. A post checks the entry (balanced, two lines or more,
 * each one-sided: 400), its accounts (the tenant's: 400 naming the line), its period (held
 * against a lock racing it; locked: 409 naming it), then takes the next number of its year and
 * writes it with its event.
 */
export function journalUseCases({ db, runInUnitOfWork }: JournalDeps) {
  const notFound = (id: string) => new NotFoundError(`There is no journal entry ${id}.`);

  async function post(uow: UnitOfWork, entry: NewEntry, reverses?: JournalEntry): Promise<JournalEntry> {
    checkEntry(entry);
    const repo = JournalEntryRepository.in(uow);
    const ids = [...new Set(entry.lines.map((l) => l.ledgerAccountId))];
    const known = await repo.existingAccounts(ids);
    const unknown = entry.lines.flatMap((l, i) => (known.has(l.ledgerAccountId) ? [] : [{ pointer: `/lines/${i}/ledger_account_id`, detail: `names no ledger account of the tenant: ${l.ledgerAccountId}` }]));
    if (unknown.length) throw new InvalidInputError(unknown);
    const period = periodOf(entry.date);
    if ((await PeriodRepository.in(uow).holdForPosting(period)) === 'locked') throw new PeriodLockedError(period);
    const year = Number(entry.date.slice(0, 4));
    const number = documentNumber(JOURNAL_SERIES, year, await SequenceRepository.in(uow).next(JOURNAL_SERIES, year));
    const posted = JournalEntry.post(uow.tenantId, entry, number, new Date(), reverses?.id ?? null);
    await repo.add(posted);
    if (reverses) {
      reverses.reversedBy(posted);
      await repo.markReversed(reverses);
    }
    return posted;
  }

  /** The reversal of `id`, dated `date`, posted in `uow`. */
  async function reverse(uow: UnitOfWork, id: string, date: string, memo?: string, expected?: ExpectedVersion): Promise<JournalEntry> {
    const state = await JournalEntryRepository.in(uow).get(id);
    if (!state) throw notFound(id);
    if (state.reversedByEntryId) throw new EntryReversedError(state.id, state.number, state.reversedByEntryId);
    if (expected) checkExpectedVersion(`journal entry ${id}`, entryVersion(state), expected);
    const original = JournalEntry.restore(state);
    return post(uow, original.reversal(date, memo), original);
  }

  /**
   * The standard accounts' ids by tenant and role, once read: a standard account keeps its code
   * and is never deleted, so its id never changes. Not remembered from a unit of work that made
   * the chart (it may still roll back); the posting's own check of its accounts (one read) would
   * refuse an id that is not the tenant's. Bounded: forgotten all at once past 10,000 tenants.
   */
  const standardIds = new Map<string, Map<StandardRole, string>>();
  const madeChart = new WeakSet<UnitOfWork>();
  const remember = (uow: UnitOfWork, role: StandardRole, id: string) => {
    if (madeChart.has(uow)) return;
    if (standardIds.size >= 10_000) standardIds.clear();
    let ids = standardIds.get(uow.tenantId);
    if (!ids) standardIds.set(uow.tenantId, (ids = new Map()));
    ids.set(role, id);
  };

  const journal: Journal = {
    async post(uow, entry) {
      return (await post(uow, entry)).snapshot;
    },

    async reverse(uow, id, date, memo) {
      return (await reverse(uow, id, date, memo)).snapshot;
    },

    async accountId(uow, role) {
      const known = standardIds.get(uow.tenantId)?.get(role);
      if (known) return known;
      const standard = STANDARD_CHART.find((a) => a.role === role);
      if (!standard) throw new Error(`no standard account for the role ${role}`);
      const accounts = LedgerAccountRepository.in(uow);
      const found = await accounts.idByCode(standard.code);
      if (found) {
        remember(uow, role, found);
        return found;
      }
      madeChart.add(uow);
      const have = await accounts.systemCodes();
      const now = new Date();
      await accounts.addStandard(STANDARD_CHART.filter((a) => !have.has(ledgerCodeKey(a.code))).map((a) => LedgerAccount.standard(uow.tenantId, a, now)));
      const made = await accounts.idByCode(standard.code);
      if (!made) throw new Error(`the standard account ${standard.code} was not made`);
      return made;
    },
  };

  return {
    journal,

    /** A manual entry, posted at once. */
    create(tenantId: string, entry: NewEntry, claim?: IdempotencyClaim): Promise<JournalEntryState> {
      return runInUnitOfWork(tenantId, async (uow) => (await post(uow, entry)).snapshot, claim);
    },

    /**
     * Posts the entry that reverses `id`, dated `date` or today (never the original date unless
     * that is today): a 409 when it was reversed already or the date's period is locked.
     */
    reverse(tenantId: string, id: string, expected: ExpectedVersion, input: { date?: string; memo?: string }, claim?: IdempotencyClaim): Promise<JournalEntryState> {
      const date = input.date ?? today();
      if (!isCalendarDate(date)) throw new InvalidInputError([{ pointer: '/date', detail: `is not a date (YYYY-MM-DD): ${date}` }]);
      return runInUnitOfWork(tenantId, async (uow) => (await reverse(uow, id, date, input.memo, expected)).snapshot, claim);
    },

    async get(tenantId: string, id: string): Promise<JournalEntryState> {
      const state = await new JournalEntryRepository(db, tenantId).state(id);
      if (!state) throw notFound(id);
      return state;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<JournalEntryState>> {
      return new JournalEntryRepository(db, tenantId).list(request);
    },
  };
}

export type JournalUseCases = ReturnType<typeof journalUseCases>;
