import { ConflictError, InvalidInputError, NotSupportedError, type InvalidField } from '../../../platform/errors';
import { type DomainEvent, domainEvent } from '../../../platform/events/domain-event';
import { isId, newId } from '../../../platform/ids';
import { BASE_CURRENCY } from './party';

/** One line of an entry: exactly one of debit/credit is > 0, integer minor units of the base currency. */
export interface EntryLine {
  ledgerAccountId: string;
  debit: bigint;
  credit: bigint;
  memo?: string;
}

/** What a caller posts: the number, the id and the time are the journal's. */
export interface NewEntry {
  /** YYYY-MM-DD, the entry's accounting date (its period). */
  date: string;
  memo: string;
  /** The document behind it (`{ type: 'sales_order', id }`), null for manual entries. */
  source: { type: string; id: string } | null;
  lines: EntryLine[];
}

export type JournalEntryStatus = 'posted' | 'reversed';
export const JOURNAL_ENTRY_STATUSES: readonly JournalEntryStatus[] = ['posted', 'reversed'];

export interface JournalLineState {
  ledgerAccountId: string;
  debit: bigint;
  credit: bigint;
  memo: string | null;
}

export interface JournalEntryState {
  id: string;
  tenantId: string;
  /** `JE-2026-000001`: gapless per tenant and year of `date`, given in the posting transaction. */
  number: string;
  date: string;
  memo: string;
  source: { type: string; id: string } | null;
  currency: string;
  lines: JournalLineState[];
  totalDebit: bigint;
  totalCredit: bigint;
  /** `reversed` once another entry reverses it; the only change an entry ever sees. */
  status: JournalEntryStatus;
  reversesEntryId: string | null;
  reversedByEntryId: string | null;
  postedAt: Date;
}

export const JOURNAL_SERIES = 'JE';
export const isJournalEntryId = (value: string): boolean => isId('jen', value);

/** `2026-12` for `2026-12-31`. */
export const periodOf = (date: string): string => date.slice(0, 7);

/** The number of the `n`th entry of a series in a year: `JE-2026-000042`. */
export function documentNumber(series: string, year: number, n: number): string {
  return `${series}-${year}-${String(n).padStart(6, '0')}`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** What the contract takes for a memo, a source's type and its id (so no post can write what the API could not answer). */
const MEMO = /^[^\s](?:[^\t\n\r]{0,498}[^\s])?$/;
const SOURCE_TYPE = /^[a-z][a-z0-9_]{0,39}$/;
const SOURCE_ID = /^[A-Za-z0-9_.-]{1,100}$/;

/** Whether `value` is a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Today's date in UTC, YYYY-MM-DD. */
export const today = (now = new Date()): string => now.toISOString().slice(0, 10);

/**
 * The checks every entry passes before it is written, whoever posts it: a real date, two lines
 * or more, each with exactly one side above zero, and the debits equal to the credits. A failure
 * is a 400 naming the field (`/lines/<n>/debit`, or `/lines` with both totals).
 */
export function checkEntry(entry: NewEntry): { totalDebit: bigint; totalCredit: bigint } {
  const fields: InvalidField[] = [];
  if (!isCalendarDate(entry.date)) fields.push({ pointer: '/date', detail: `is not a date (YYYY-MM-DD): ${entry.date}` });
  if (!MEMO.test(entry.memo)) fields.push({ pointer: '/memo', detail: 'must be 1 to 500 characters, without tabs or line breaks or spaces at either end' });
  if (entry.source && (!SOURCE_TYPE.test(entry.source.type) || !SOURCE_ID.test(entry.source.id))) fields.push({ pointer: '/source', detail: 'must name its document by a snake_case type and an id of 1 to 100 letters, digits, `_`, `.` or `-`' });
  entry.lines.forEach((line, i) => {
    if (line.memo !== undefined && !MEMO.test(line.memo)) fields.push({ pointer: `/lines/${i}/memo`, detail: 'must be 1 to 500 characters, without tabs or line breaks or spaces at either end' });
  });
  if (entry.lines.length < 2) fields.push({ pointer: '/lines', detail: `has ${entry.lines.length} line(s): an entry has two or more` });
  let totalDebit = 0n;
  let totalCredit = 0n;
  entry.lines.forEach((line, i) => {
    if (line.debit < 0n || line.credit < 0n) fields.push({ pointer: `/lines/${i}`, detail: 'has a negative amount' });
    else if ((line.debit > 0n) === (line.credit > 0n)) fields.push({ pointer: `/lines/${i}`, detail: 'must have exactly one of debit and credit above zero' });
    totalDebit += line.debit;
    totalCredit += line.credit;
  });
  if (!fields.length && totalDebit !== totalCredit) {
    fields.push({ pointer: '/lines', detail: `do not balance: debits total ${totalDebit}, credits total ${totalCredit} (minor units of ${BASE_CURRENCY})` });
  }
  if (fields.length) throw new InvalidInputError(fields);
  return { totalDebit, totalCredit };
}

/**
 * A posted entry of the journal: balanced, two lines or more, never changed but for being
 * reversed once (by another entry with each line's sides swapped).
 */
export class JournalEntry {
  private readonly pending: DomainEvent[] = [];

  private constructor(private state: JournalEntryState) {}

  /** The entry to post, checked (400 when it does not balance); `number` is given by the journal's sequence. */
  static post(tenantId: string, entry: NewEntry, number: string, now = new Date(), reversesEntryId: string | null = null): JournalEntry {
    const { totalDebit, totalCredit } = checkEntry(entry);
    const e = new JournalEntry({
      id: newId('jen'),
      tenantId,
      number,
      date: entry.date,
      memo: entry.memo,
      source: entry.source,
      currency: BASE_CURRENCY,
      lines: entry.lines.map((l) => ({ ledgerAccountId: l.ledgerAccountId, debit: l.debit, credit: l.credit, memo: l.memo ?? null })),
      totalDebit,
      totalCredit,
      status: 'posted',
      reversesEntryId,
      reversedByEntryId: null,
      postedAt: now,
    });
    e.pending.push(domainEvent('erp.journal_entry.posted', tenantId, { type: 'journal_entry', id: e.state.id }, journalEntryDocument(e.state), now));
    return e;
  }

  static restore(state: JournalEntryState): JournalEntry {
    return new JournalEntry({ ...state, lines: state.lines.map((l) => ({ ...l })) });
  }

  get snapshot(): Readonly<JournalEntryState> {
    return this.state;
  }

  get id(): string {
    return this.state.id;
  }

  /** The events of what happened since it was loaded. */
  pullEvents(): DomainEvent[] {
    return this.pending.splice(0);
  }

  /**
   * What reverses this entry: each line's sides swapped, dated `date` (the day it is made, never
   * the original date unless that is today). Refused (ReversedAlready) when it was reversed.
   */
  reversal(date: string, memo?: string): NewEntry {
    const s = this.state;
    if (s.reversedByEntryId) throw new EntryReversedError(s.id, s.number, s.reversedByEntryId);
    return {
      date,
      memo: memo ?? `Reversal of ${s.number}`,
      source: s.source,
      lines: s.lines.map((l) => ({ ledgerAccountId: l.ledgerAccountId, debit: l.credit, credit: l.debit, ...(l.memo !== null && { memo: l.memo }) })),
    };
  }

  /** Marks this entry reversed by `reversal` (the entry reversal() described, posted). */
  reversedBy(reversal: JournalEntry): void {
    const s = this.state;
    if (s.reversedByEntryId) throw new EntryReversedError(s.id, s.number, s.reversedByEntryId);
    this.state = { ...s, status: 'reversed', reversedByEntryId: reversal.id };
  }
}

/** The 409 for a second reversal. */
export class EntryReversedError extends ConflictError {
  constructor(id: string, number: string, reversedBy: string) {
    super(`Journal entry ${id} (${number}) was reversed already, by ${reversedBy}: an entry is reversed once.`);
  }
}

/** The 409 for a date in a locked period, naming it. */
export class PeriodLockedError extends ConflictError {
  constructor(readonly period: string) {
    super(`The period ${period} is locked: nothing is posted dated in it.`, { period });
  }
}

/** Money as the contract and the events write it. */
export const moneyOf = (amount: bigint, currency = BASE_CURRENCY) => ({ amount: Number(amount), currency });

/** The entry as events carry it (the same shape as the API's). */
export function journalEntryDocument(s: Readonly<JournalEntryState>) {
  return {
    id: s.id,
    number: s.number,
    date: s.date,
    memo: s.memo,
    source: s.source,
    status: s.status,
    currency: s.currency,
    lines: s.lines.map((l) => ({ ledger_account_id: l.ledgerAccountId, debit: moneyOf(l.debit, s.currency), credit: moneyOf(l.credit, s.currency), memo: l.memo })),
    total_debit: moneyOf(s.totalDebit, s.currency),
    total_credit: moneyOf(s.totalCredit, s.currency),
    reverses_entry_id: s.reversesEntryId,
    reversed_by_entry_id: s.reversedByEntryId,
    posted_at: s.postedAt.toISOString(),
    version: s.status === 'reversed' ? 2 : 1,
  };
}

/** The version of an entry (its ETag): 1 as posted, 2 once reversed. */
export const entryVersion = (s: Readonly<JournalEntryState>): number => (s.status === 'reversed' ? 2 : 1);

interface Money {
  amount: number;
  currency: string;
}

/** A manual entry's line as the API takes it: `debit` or `credit`, a money object. */
export interface ManualLineInput {
  ledgerAccountId: string;
  debit?: Money;
  credit?: Money;
  memo?: string;
}

/**
 * A manual entry's lines as the journal takes them: each line gives exactly one of `debit` and
 * `credit`, above zero (400 naming `/lines/<n>`), in the base currency (another: 422 naming its
 * `currency`).
 */
export function manualLines(lines: readonly ManualLineInput[]): EntryLine[] {
  const invalid: InvalidField[] = [];
  const unsupported: InvalidField[] = [];
  const out = lines.map((line, i): EntryLine => {
    const sides = (['debit', 'credit'] as const).filter((side) => line[side] !== undefined);
    if (sides.length !== 1) invalid.push({ pointer: `/lines/${i}`, detail: `must give exactly one of debit and credit (it gives ${sides.length ? 'both' : 'neither'})` });
    for (const side of sides) {
      const money = line[side]!;
      if (money.amount <= 0) invalid.push({ pointer: `/lines/${i}/${side}/amount`, detail: 'must be above zero' });
      if (money.currency !== BASE_CURRENCY) unsupported.push({ pointer: `/lines/${i}/${side}/currency`, detail: `is not the base currency ${BASE_CURRENCY} (the journal keeps the base currency only)` });
    }
    return { ledgerAccountId: line.ledgerAccountId, debit: BigInt(line.debit?.amount ?? 0), credit: BigInt(line.credit?.amount ?? 0), ...(line.memo !== undefined && { memo: line.memo }) };
  });
  if (invalid.length) throw new InvalidInputError(invalid);
  if (unsupported.length) throw new NotSupportedError(unsupported);
  return out;
}
