import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { date, isUniqueViolation } from '../../../platform/db/rows';
import { EntryReversedError, JOURNAL_ENTRY_STATUSES, type JournalEntry, type JournalEntryState, type JournalEntryStatus, type JournalLineState } from '../domain/journal-entry';
import type { LedgerAccountType } from '../domain/ledger-account';
import { groupBy } from '../../../platform/group-by';

interface EntryRow {
  id: string;
  tenant_id: string;
  number: string;
  date: string | Date;
  memo: string;
  source_type: string | null;
  source_id: string | null;
  currency: string;
  total_amount: number | string;
  status: string;
  reverses_entry_id: string | null;
  reversed_by_entry_id: string | null;
  posted_at: Date | string;
}

interface LineRow {
  entry_id: string;
  line_no: number;
  ledger_account_id: string;
  debit: number | string;
  credit: number | string;
  memo: string | null;
}

/** A date column as YYYY-MM-DD, from either driver. */
function day(v: string | Date): string {
  if (!(v instanceof Date)) return String(v).slice(0, 10);
  return `${String(v.getFullYear()).padStart(4, '0')}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`;
}

function toState(r: EntryRow, lines: readonly LineRow[]): JournalEntryState {
  const total = BigInt(String(r.total_amount));
  return {
    id: r.id,
    tenantId: r.tenant_id,
    number: r.number,
    date: day(r.date),
    memo: r.memo,
    source: r.source_type && r.source_id ? { type: r.source_type, id: r.source_id } : null,
    currency: r.currency.trim(),
    lines: [...lines]
      .sort((a, b) => Number(a.line_no) - Number(b.line_no))
      .map((l): JournalLineState => ({ ledgerAccountId: l.ledger_account_id, debit: BigInt(String(l.debit)), credit: BigInt(String(l.credit)), memo: l.memo })),
    totalDebit: total,
    totalCredit: total,
    status: r.status as JournalEntryStatus,
    reversesEntryId: r.reverses_entry_id,
    reversedByEntryId: r.reversed_by_entry_id,
    postedAt: date(r.posted_at),
  };
}

const COLUMNS = 'id, tenant_id, number, date, memo, source_type, source_id, currency, total_amount, status, reverses_entry_id, reversed_by_entry_id, posted_at';
const GET = `SELECT ${COLUMNS} FROM erp_journal_entries WHERE tenant_id = :tenantId AND id = :id`;
const LINES = 'SELECT entry_id, line_no, ledger_account_id, debit, credit, memo FROM erp_journal_lines WHERE tenant_id = :tenantId AND entry_id';
const REVERSES_INDEX = 'erp_journal_entries_reverses';

/** The journal, paged (migrations/20261209100000-erp-ledger.ts indexes each filter with the sort). */
export const JOURNAL_ENTRY_LIST = defineList({
  name: 'erp.journal_entries',
  table: 'erp_journal_entries',
  select: COLUMNS,
  columns: {
    date: { type: 'date' },
    posted_at: { type: 'instant' },
    ledger_account_ids: { type: 'set' },
    source_type: { type: 'text', nullable: true },
    source_id: { type: 'text', nullable: true },
    status: { type: 'text' },
  },
  filters: {
    ledger_account_id: { kind: 'member', column: 'ledger_account_ids' },
    source_type: { kind: 'equals', column: 'source_type' },
    source_id: { kind: 'equals', column: 'source_id' },
    status: { kind: 'equals', column: 'status', values: JOURNAL_ENTRY_STATUSES },
    date: { kind: 'range', column: 'date' },
  },
  sorts: ['date', 'posted_at'],
  defaultSort: '-date',
});

/** One account's sums up to a date, as the trial balance shows it. */
export interface AccountTotals {
  id: string;
  code: string;
  name: string;
  type: LedgerAccountType;
  debit: bigint;
  credit: bigint;
}

/**
 * The sums per account of the lines dated up to `asOf`: one aggregation over the index
 * (tenant_id, date, ledger_account_id, debit, credit), joined to the accounts it names.
 */
export const TRIAL_BALANCE = `SELECT a.id, a.code, a.name, a.type, t.debit, t.credit
  FROM (SELECT ledger_account_id, SUM(debit) AS debit, SUM(credit) AS credit
          FROM erp_journal_lines WHERE tenant_id = :tenantId AND date <= :asOf GROUP BY ledger_account_id) t
  JOIN erp_ledger_accounts a ON a.tenant_id = :tenantId AND a.id = t.ledger_account_id
  ORDER BY a.code_key, a.id`;

/** Journal entries and their lines: added, read, changed only to mark one reversed. */
export class JournalEntryRepository extends TenantRepository {
  /** The ids among `ids` that are accounts of the tenant; on PostgreSQL they are held (FOR SHARE) until the commit, so none is deleted under the post. */
  async existingAccounts(ids: readonly string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const { list, params } = this.inList('a', ids);
    const rows = await this.select<{ id: string }>(`SELECT id FROM erp_ledger_accounts WHERE tenant_id = :tenantId AND id IN (${list})${this.lock('share')}`, params);
    return new Set(rows.map((r) => r.id));
  }

  async add(entry: JournalEntry): Promise<void> {
    const s = entry.snapshot;
    try {
      await this.execute(
        `INSERT INTO erp_journal_entries (id, tenant_id, number, date, memo, source_type, source_id, currency, total_amount, ledger_account_ids, status, reverses_entry_id, reversed_by_entry_id, posted_at)
         VALUES (:id, :tenantId, :number, :date, :memo, :sourceType, :sourceId, :currency, :total, :accounts, :status, :reverses, NULL, :postedAt)`,
        {
          id: s.id,
          number: s.number,
          date: s.date,
          memo: s.memo,
          sourceType: s.source?.type ?? null,
          sourceId: s.source?.id ?? null,
          currency: s.currency,
          total: s.totalDebit.toString(),
          accounts: JSON.stringify([...new Set(s.lines.map((l) => l.ledgerAccountId))]),
          status: s.status,
          reverses: s.reversesEntryId,
          postedAt: s.postedAt,
        },
      );
    } catch (err) {
      if (s.reversesEntryId && isUniqueViolation(err, REVERSES_INDEX, ['tenant_id', 'reverses_entry_id'])) throw new EntryReversedError(s.reversesEntryId, '', '(another entry)');
      throw err;
    }
    const values: string[] = [];
    const params: Record<string, unknown> = { entryId: s.id, date: s.date };
    s.lines.forEach((l, i) => {
      values.push(`(:entryId, ${i + 1}, :tenantId, :a${i}, :date, :d${i}, :c${i}, :m${i})`);
      params[`a${i}`] = l.ledgerAccountId;
      params[`d${i}`] = l.debit.toString();
      params[`c${i}`] = l.credit.toString();
      params[`m${i}`] = l.memo;
    });
    await this.execute(`INSERT INTO erp_journal_lines (entry_id, line_no, tenant_id, ledger_account_id, date, debit, credit, memo) VALUES ${values.join(', ')}`, params);
    this.record(entry.pullEvents());
  }

  /**
   * Marks `entry` reversed (its one change): only if no other reversal got there first, else the
   * 409 of a second reversal.
   */
  async markReversed(entry: JournalEntry): Promise<void> {
    const s = entry.snapshot;
    const rows = await this.execute<{ id: string }>(
      `UPDATE erp_journal_entries SET status = 'reversed', reversed_by_entry_id = :by WHERE tenant_id = :tenantId AND id = :id AND reversed_by_entry_id IS NULL RETURNING id`,
      { id: s.id, by: s.reversedByEntryId },
    );
    if (rows.length !== 1) throw new EntryReversedError(s.id, s.number, '(another entry)');
  }

  /** Inside a unit of work on PostgreSQL the row is locked: a reversal is decided on what is read. */
  async get(id: string): Promise<JournalEntryState | undefined> {
    const row = await this.lockingSelectOne<EntryRow>(GET, { id });
    if (!row) return undefined;
    return toState(row, await this.select<LineRow>(`${LINES} = :id`, { id }));
  }

  async state(id: string): Promise<JournalEntryState | undefined> {
    const row = await this.selectOne<EntryRow>(GET, { id });
    if (!row) return undefined;
    return toState(row, await this.select<LineRow>(`${LINES} = :id`, { id }));
  }

  /** A page of entries, each with its lines (one more query for the page's lines). */
  async list(request: ListRequest): Promise<ListPage<JournalEntryState>> {
    const page = await this.page<EntryRow, EntryRow>(JOURNAL_ENTRY_LIST, request, (r) => r);
    if (!page.items.length) return { items: [], next: page.next };
    const { list, params } = this.inList('e', page.items.map((r) => r.id));
    const lines = await this.select<LineRow>(`${LINES} IN (${list})`, params);
    const byEntry = groupBy(lines, (l) => l.entry_id);
    return { items: page.items.map((r) => toState(r, byEntry.get(r.id) ?? [])), next: page.next };
  }

  /** Whether any line posts to the account (it cannot be deleted then). */
  async accountHasLines(ledgerAccountId: string): Promise<boolean> {
    return Boolean(await this.selectOne(`SELECT 1 AS one FROM erp_journal_lines WHERE tenant_id = :tenantId AND ledger_account_id = :ledgerAccountId LIMIT 1`, { ledgerAccountId }));
  }

  /** Each account's debits and credits of the lines dated up to `asOf`, in code order. */
  async trialBalance(asOf: string): Promise<AccountTotals[]> {
    const rows = await this.select<{ id: string; code: string; name: string; type: string; debit: number | string; credit: number | string }>(TRIAL_BALANCE, { asOf });
    return rows.map((r) => ({ id: r.id, code: r.code, name: r.name, type: r.type as LedgerAccountType, debit: BigInt(String(r.debit)), credit: BigInt(String(r.credit)) }));
  }
}
