import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { expectedVersions, isoOrNull, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { JournalUseCases } from '../application/journal';
import type { PeriodUseCases } from '../application/periods';
import type { AgedReport, ReportUseCases } from '../application/reports';
import { AGING_BUCKETS, type AgingAmounts } from '../domain/aging';
import { entryVersion, journalEntryDocument, type JournalEntryState, manualLines } from '../domain/journal-entry';
import { BASE_CURRENCY } from '../domain/party';
import type { PeriodState } from '../domain/period';
import { JOURNAL_ENTRY_LIST } from '../infrastructure/journal-entry.repository';
import { PERIOD_LIST } from '../infrastructure/period.repository';

type Schemas = components['schemas'];

/** The contract's JournalEntry: the same document the `erp.journal_entry.posted` event carries. */
export const toJournalEntry = (s: Readonly<JournalEntryState>): Schemas['JournalEntry'] => journalEntryDocument(s) as Schemas['JournalEntry'];

/** Money of the base currency. */
const money = (amount: bigint): Schemas['Money'] => ({ amount: Number(amount), currency: BASE_CURRENCY });

/** The buckets and total of an aged report's row or totals, as Money. */
const agingAmounts = (a: AgingAmounts): Schemas['AgingAmounts'] => ({
  ...(Object.fromEntries(AGING_BUCKETS.map((b) => [b, money(a[b])])) as Record<(typeof AGING_BUCKETS)[number], Schemas['Money']>),
  total: money(a.total),
});

/** The contract's AgedReceivables or AgedPayables: the party's id under `partyField`. */
function toAgedReport<F extends 'customer_id' | 'supplier_id'>(r: AgedReport, partyField: F) {
  return {
    as_of: r.asOf,
    currency: BASE_CURRENCY as Schemas['AgedReceivables']['currency'],
    parties: r.parties.map((p) => ({ [partyField]: p.partyId, name: p.name, ...agingAmounts(p) }) as { [K in F]: string } & { name: string } & Schemas['AgingAmounts']),
    totals: agingAmounts(r.totals),
  };
}

export const toPeriod = (s: PeriodState): Schemas['Period'] => ({ period: s.period, status: s.status, locked_at: isoOrNull(s.lockedAt), version: s.version });

export function journalHandlers(journal: JournalUseCases, periods: PeriodUseCases, reports: ReportUseCases, cursors: CursorCodec): HandlerMap {
  const created = (e: Readonly<JournalEntryState>) => ({ status: 201 as const, headers: { Location: `/v1/erp/journal-entries/${e.id}`, ETag: etag(entryVersion(e)) }, body: toJournalEntry(e) });
  return {
    async listJournalEntries(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(JOURNAL_ENTRY_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await journal.list(tenantId, list.request), toJournalEntry) };
    },

    async createJournalEntry(request) {
      const b = request.body;
      const lines = manualLines(b.lines.map((l) => ({ ledgerAccountId: l.ledger_account_id, debit: l.debit, credit: l.credit, memo: l.memo })));
      const entry = await journal.create(tenantOf(request), { date: b.date, memo: b.memo, source: null, lines }, request.claim);
      return created(entry);
    },

    async getJournalEntry(request) {
      const entry = await journal.get(tenantOf(request), request.params.journal_entry_id);
      return { status: 200, headers: { ETag: etag(entryVersion(entry)) }, body: toJournalEntry(entry) };
    },

    async reverseJournalEntry(request) {
      const b = request.body ?? {};
      const entry = await journal.reverse(tenantOf(request), request.params.journal_entry_id, expectedVersions(request.ifMatch), { date: b.date, memo: b.memo }, request.claim);
      return created(entry);
    },

    async listPeriods(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(PERIOD_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await periods.list(tenantId, list.request), toPeriod) };
    },

    async getPeriod(request) {
      const period = await periods.get(tenantOf(request), request.params.period);
      return { status: 200, headers: { ETag: etag(period.version) }, body: toPeriod(period) };
    },

    async lockPeriod(request) {
      const period = await periods.lock(tenantOf(request), request.params.period, expectedVersions(request.ifMatch), request.claim);
      return { status: 200, headers: { ETag: etag(period.version) }, body: toPeriod(period) };
    },

    async unlockPeriod(request) {
      const period = await periods.unlock(tenantOf(request), request.params.period, expectedVersions(request.ifMatch), request.claim);
      return { status: 200, headers: { ETag: etag(period.version) }, body: toPeriod(period) };
    },

    async getTrialBalance(request) {
      const tb = await reports.trialBalance(tenantOf(request), request.query.as_of);
      return {
        status: 200,
        body: {
          as_of: tb.asOf,
          currency: BASE_CURRENCY,
          accounts: tb.accounts.map((a) => ({
            ledger_account_id: a.id,
            code: a.code,
            name: a.name,
            type: a.type,
            debit: money(a.debit),
            credit: money(a.credit),
            balance: money(a.debit - a.credit),
          })),
          total_debit: money(tb.totalDebit),
          total_credit: money(tb.totalCredit),
        },
      };
    },

    async getAgedReceivables(request) {
      const body: Schemas['AgedReceivables'] = toAgedReport(await reports.agedReceivables(tenantOf(request), request.query.as_of), 'customer_id');
      return { status: 200, body };
    },

    async getAgedPayables(request) {
      const body: Schemas['AgedPayables'] = toAgedReport(await reports.agedPayables(tenantOf(request), request.query.as_of), 'supplier_id');
      return { status: 200, body };
    },
  };
}
