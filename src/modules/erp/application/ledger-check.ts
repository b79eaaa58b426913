import type { RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { formatMinor } from '../../../platform/money';
import { BASE_CURRENCY } from '../domain/party';
import { standardCode } from '../domain/ledger-account';
import { orderTotals } from '../domain/order';
import { LedgerCheckRepository, type OwedLineRow } from '../infrastructure/ledger-check.repository';
import { groupBy } from '../../../platform/group-by';

/** What the documents of `lines` still have due: each document's total (its lines' amounts, as the document computes them) less what it was paid. */
function owedBy(lines: readonly OwedLineRow[]): bigint {
  const byDocument = groupBy(lines, (l) => l.documentId);
  let owed = 0n;
  for (const ls of byDocument.values()) owed += orderTotals(ls).total - ls[0].amountPaid;
  return owed;
}

/** An amount of the base currency (EUR, two decimals) as text for a finding's detail: `-12.50`. */
/** At most this many findings are listed (the check stops looking for more). */
export const LEDGER_CHECK_LIMIT = 1000;

export type LedgerFindingKind = 'unbalanced_entry' | 'inventory_valuation' | 'receivables_documents' | 'payables_documents';

export interface LedgerFinding {
  kind: LedgerFindingKind;
  detail: string;
  journalEntryId: string | null;
  ledgerAccountId: string | null;
  /** What the ledger says (an entry's debits, or an account's balance), minor units. */
  ledger: bigint | null;
  /** What it should be (an entry's credits, or what the account must equal), minor units. */
  expected: bigint | null;
}

export interface LedgerCheck {
  checkedAt: Date;
  entriesChecked: number;
  findings: LedgerFinding[];
}

/** What the check needs of the WMS: what the tenant's stock is worth, per currency. */
export interface StockValuation {
  valuation(uow: UnitOfWork): Promise<Map<string, bigint>>;
}

/**
 * The ledger check: every entry balances (its lines' debits equal their credits and its total,
 * two lines or more), the inventory account equals what the WMS values the stock at, and the
 * receivables and payables accounts what the open and uncollectible documents have due less the
 * payments' unallocated amounts (the documents' lines are read whole: an off-peak check). Read in
 * one unit of work as one snapshot, so a post committing meanwhile is seen whole or not at all.
 */
export function ledgerCheckUseCases({ runInUnitOfWork, stock }: { runInUnitOfWork: RunInUnitOfWork; stock: StockValuation }) {
  return {
    check(tenantId: string): Promise<LedgerCheck> {
      return runInUnitOfWork(tenantId, async (uow) => {
        const repo = LedgerCheckRepository.in(uow);
        await repo.readAsOneSnapshot();
        const checkedAt = new Date();
        const entriesChecked = await repo.entryCount();
        const findings: LedgerFinding[] = (await repo.unbalancedEntries(LEDGER_CHECK_LIMIT)).map((e) => ({
          kind: 'unbalanced_entry',
          detail:
            e.lines < 2
              ? `Entry ${e.number} has ${e.lines} line(s); an entry has two or more.`
              : `Entry ${e.number}: debits ${formatMinor(e.debit)}, credits ${formatMinor(e.credit)}, total ${formatMinor(e.total)}; all three must be equal.`,
          journalEntryId: e.id,
          ledgerAccountId: null,
          ledger: e.debit,
          expected: e.credit,
        }));
        const inventoryCode = standardCode('inventory');
        const inventory = (await repo.standardBalances([inventoryCode])).get(inventoryCode);
        const valuation = await stock.valuation(uow);
        const stockValue = valuation.get(BASE_CURRENCY) ?? 0n;
        const booked = inventory?.balance ?? 0n;
        if (booked !== stockValue && findings.length < LEDGER_CHECK_LIMIT) {
          findings.push({
            kind: 'inventory_valuation',
            detail: `Inventory (${inventoryCode}) stands at ${formatMinor(booked)}, the stock is valued at ${formatMinor(stockValue)} ${BASE_CURRENCY}: a difference of ${formatMinor(booked - stockValue)}. Stock moved in the WMS without an ERP document (a receipt, an adjustment, a cycle count) needs its journal entry.`,
            ledgerAccountId: inventory?.id ?? null,
            journalEntryId: null,
            ledger: booked,
            expected: stockValue,
          });
        }
        // Receivables (a debit balance) and payables (a credit one) against their documents.
        const receivablesCode = standardCode('receivables');
        const payablesCode = standardCode('payables');
        const balances = await repo.standardBalances([receivablesCode, payablesCode]);
        for (const [kind, code, type, direction, sign, what] of [
          ['receivables_documents', receivablesCode, 'invoice', 'received', 1n, 'the customers owe by their open and uncollectible invoices, less payments received and not allocated and refunds owed by credit notes'],
          ['payables_documents', payablesCode, 'bill', 'paid', -1n, 'is owed to the suppliers by their open and uncollectible bills, less payments paid and not allocated'],
        ] as const) {
          const credits = type === 'invoice' ? await repo.refundsOwed() : 0n;
          const expected = sign * (owedBy(await repo.owedLines(type)) - (await repo.unallocated(direction)) - credits);
          const account = balances.get(code);
          const ledger = account?.balance ?? 0n;
          if (ledger === expected || findings.length >= LEDGER_CHECK_LIMIT) continue;
          findings.push({
            kind,
            detail: `${kind === 'receivables_documents' ? 'Receivables' : 'Payables'} (${code}) stand at ${formatMinor(ledger)}; what ${what}, is ${formatMinor(expected)} ${BASE_CURRENCY}: a difference of ${formatMinor(ledger - expected)}. An entry on the account that no invoice, bill or payment posted does this.`,
            ledgerAccountId: account?.id ?? null,
            journalEntryId: null,
            ledger,
            expected,
          });
        }
        for (const [currency, value] of valuation) {
          if (currency === BASE_CURRENCY || findings.length >= LEDGER_CHECK_LIMIT) continue;
          findings.push({
            kind: 'inventory_valuation',
            detail: `Stock valued at ${formatMinor(value)} ${currency} is not in the ledger's currency (${BASE_CURRENCY}); the ledger cannot hold it.`,
            ledgerAccountId: inventory?.id ?? null,
            journalEntryId: null,
            ledger: null,
            expected: null,
          });
        }
        return { checkedAt, entriesChecked, findings };
      });
    },
  };
}

export type LedgerCheckUseCases = ReturnType<typeof ledgerCheckUseCases>;
