import { TenantRepository } from '../../../platform/db/repository';
import { ledgerCodeKey } from '../domain/ledger-account';

/** An entry whose lines do not add up: debits against credits, or against its total. */
export interface UnbalancedEntryRow {
  id: string;
  number: string;
  total: bigint;
  debit: bigint;
  credit: bigint;
  lines: number;
}

/** One standard account's id and balance (debits minus credits over all its lines). */
export interface StandardBalance {
  id: string;
  code: string;
  balance: bigint;
}

const UNBALANCED = `SELECT e.id, e.number, e.total_amount AS total, COALESCE(SUM(l.debit), 0) AS debit, COALESCE(SUM(l.credit), 0) AS credit, COUNT(l.line_no) AS lines
  FROM erp_journal_entries e LEFT JOIN erp_journal_lines l ON l.entry_id = e.id
  WHERE e.tenant_id = :tenantId
  GROUP BY e.id, e.number, e.total_amount
  HAVING COALESCE(SUM(l.debit), 0) <> COALESCE(SUM(l.credit), 0) OR COALESCE(SUM(l.debit), 0) <> e.total_amount OR COUNT(l.line_no) < 2
  ORDER BY e.number
  LIMIT :limit`;

/** An open or uncollectible document's line, with what the document has been paid. */
export interface OwedLineRow {
  documentId: string;
  /** Paid and credited: what no longer counts as due. */
  amountPaid: bigint;
  quantity: number;
  unitAmount: number;
  taxRate: number;
  taxInclusive: boolean;
}

const OWED_LINES = (table: 'erp_invoices' | 'erp_bills', lines: string, column: string) =>
  `SELECT d.id AS document_id, d.amount_paid + d.amount_credited AS amount_paid, l.quantity, l.unit_amount, l.tax_rate, l.tax_inclusive
     FROM ${table} d JOIN ${lines} l ON l.tenant_id = d.tenant_id AND l.${column} = d.id
    WHERE d.tenant_id = :tenantId AND d.status IN ('open', 'uncollectible')
    ORDER BY d.id, l.position`;

const BIG = (v: number | string | bigint) => BigInt(String(v));

/**
 * What the ledger check reads: every entry summed over its lines (one pass over the tenant's
 * entries and lines), and the balances of some standard accounts (their lines' index).
 */
export class LedgerCheckRepository extends TenantRepository {
  /**
   * On PostgreSQL, makes the unit of work one snapshot (REPEATABLE READ, read only), so that the
   * journal and the stock it is compared with are read as of the same commits; the first
   * statement of the unit of work. SQLite's transactions take turns: one already is.
   */
  async readAsOneSnapshot(): Promise<void> {
    if (this.db.dialect === 'postgres') await this.execute('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY', {});
  }

  async entryCount(): Promise<number> {
    const row = await this.selectOne<{ n: number | string }>('SELECT COUNT(*) AS n FROM erp_journal_entries WHERE tenant_id = :tenantId', {});
    return Number(row?.n ?? 0);
  }

  /** Up to `limit` entries that do not balance, in number order. */
  async unbalancedEntries(limit: number): Promise<UnbalancedEntryRow[]> {
    const rows = await this.select<{ id: string; number: string; total: number | string; debit: number | string; credit: number | string; lines: number | string }>(UNBALANCED, { limit });
    return rows.map((r) => ({ id: r.id, number: r.number, total: BIG(r.total), debit: BIG(r.debit), credit: BIG(r.credit), lines: Number(r.lines) }));
  }

  /** The lines of the open and uncollectible invoices (or bills): what the customers (suppliers) owe by them. */
  async owedLines(type: 'invoice' | 'bill'): Promise<OwedLineRow[]> {
    const sql = type === 'invoice' ? OWED_LINES('erp_invoices', 'erp_invoice_lines', 'invoice_id') : OWED_LINES('erp_bills', 'erp_bill_lines', 'bill_id');
    const rows = await this.select<{ document_id: string; amount_paid: number | string; quantity: number | string; unit_amount: number | string; tax_rate: number | string; tax_inclusive: boolean | number }>(sql, {});
    return rows.map((r) => ({ documentId: r.document_id, amountPaid: BIG(r.amount_paid), quantity: Number(r.quantity), unitAmount: Number(r.unit_amount), taxRate: Number(r.tax_rate), taxInclusive: r.tax_inclusive === true || r.tax_inclusive === 1 }));
  }

  /** What issued credit notes owe back to the customers (their totals less what they took off their invoices), summed. */
  async refundsOwed(): Promise<bigint> {
    const row = await this.selectOne<{ n: number | string | null }>("SELECT SUM(refund_owed) AS n FROM erp_credit_notes WHERE tenant_id = :tenantId AND status = 'issued'", {});
    return BIG(row?.n ?? 0);
  }

  /** What the payments of a direction left unallocated, summed. */
  async unallocated(direction: 'received' | 'paid'): Promise<bigint> {
    const row = await this.selectOne<{ n: number | string | null }>('SELECT SUM(unallocated) AS n FROM erp_payments WHERE tenant_id = :tenantId AND direction = :direction', { direction });
    return BIG(row?.n ?? 0);
  }

  /** The standard accounts among `codes` the tenant has, with their balances. */
  async standardBalances(codes: readonly string[]): Promise<Map<string, StandardBalance>> {
    const { list, params } = this.inList('c', codes.map(ledgerCodeKey));
    const rows = await this.select<{ id: string; code: string; debit: number | string; credit: number | string }>(
      `SELECT a.id, a.code, COALESCE(SUM(l.debit), 0) AS debit, COALESCE(SUM(l.credit), 0) AS credit
         FROM erp_ledger_accounts a LEFT JOIN erp_journal_lines l ON l.tenant_id = a.tenant_id AND l.ledger_account_id = a.id
        WHERE a.tenant_id = :tenantId AND a.system = TRUE AND a.code_key IN (${list})
        GROUP BY a.id, a.code`,
      params,
    );
    return new Map(rows.map((r) => [r.code, { id: r.id, code: r.code, balance: BIG(r.debit) - BIG(r.credit) }]));
  }
}
