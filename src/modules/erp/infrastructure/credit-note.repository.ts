import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { date } from '../../../platform/db/rows';
import { StaleVersionError } from '../../../platform/errors';
import { CREDIT_NOTE_STATUSES, CreditNote, type CreditNoteLineState, type CreditNoteState, type CreditNoteStatus } from '../domain/credit-note';
import { day } from './order.repository';
import { groupBy } from '../../../platform/group-by';
import { pricedLineOf } from './line-rows';

type Row = Record<string, unknown> & { id: string };
type LineRow = Record<string, unknown>;

const HEADER = ['id', 'tenant_id', 'number', 'customer_id', 'invoice_id', 'status', 'issue_date', 'reason', 'currency', 'amount_applied', 'refund_owed', 'journal_entry_id', 'version', 'created_at', 'updated_at'];
const COLUMNS = HEADER.join(', ');
const LINE_COLUMNS = ['id', 'credit_note_id', 'position', 'invoice_line_id', 'description', 'item_id', 'quantity', 'unit_amount', 'tax_rate_id', 'tax_rate', 'tax_inclusive'];
const GET = `SELECT ${COLUMNS} FROM erp_credit_notes WHERE tenant_id = :tenantId AND id = :id`;
const INSERT = `INSERT INTO erp_credit_notes (${COLUMNS}) VALUES (${HEADER.map((c) => (c === 'tenant_id' ? ':tenantId' : `:${c}`)).join(', ')})`;
const UPDATE = `UPDATE erp_credit_notes SET number = :number, status = :status, issue_date = :issue_date, amount_applied = :amount_applied, refund_owed = :refund_owed,
  journal_entry_id = :journal_entry_id, version = :version, updated_at = :updated_at WHERE tenant_id = :tenantId AND id = :id AND version = :loaded RETURNING id`;
const DELETE = 'DELETE FROM erp_credit_notes WHERE tenant_id = :tenantId AND id = :id AND version = :loaded RETURNING id';
const DELETE_LINES = 'DELETE FROM erp_credit_note_lines WHERE tenant_id = :tenantId AND credit_note_id = :id';
const INSERT_LINE = `INSERT INTO erp_credit_note_lines (tenant_id, ${LINE_COLUMNS.join(', ')}) VALUES (:tenantId, ${LINE_COLUMNS.map((c) => `:${c}`).join(', ')})`;
const LINES = (ids: string) => `SELECT ${LINE_COLUMNS.join(', ')} FROM erp_credit_note_lines WHERE tenant_id = :tenantId AND credit_note_id IN (${ids}) ORDER BY credit_note_id, position`;
const CREDITED = `SELECT l.invoice_line_id, SUM(l.quantity) AS quantity FROM erp_credit_notes n JOIN erp_credit_note_lines l ON l.credit_note_id = n.id
  WHERE n.tenant_id = :tenantId AND n.invoice_id = :invoiceId AND n.status = 'issued' GROUP BY l.invoice_line_id`;

/** The credit notes list: by customer, invoice and status, newest first (migrations/20261211200000-erp-credit-notes.ts). */
export const CREDIT_NOTE_LIST = defineList({
  name: 'erp.credit_notes',
  table: 'erp_credit_notes',
  select: COLUMNS,
  columns: { customer_id: { type: 'text' }, invoice_id: { type: 'text' }, status: { type: 'text' }, created_at: { type: 'instant' } },
  filters: {
    customer_id: { kind: 'equals', column: 'customer_id' },
    invoice_id: { kind: 'equals', column: 'invoice_id' },
    status: { kind: 'equals', column: 'status', values: CREDIT_NOTE_STATUSES },
  },
  sorts: ['created_at'],
  defaultSort: '-created_at',
});

function toLine(r: LineRow): CreditNoteLineState {
  return { ...pricedLineOf(r), invoiceLineId: r.invoice_line_id as string };
}

function toState(r: Row, lines: CreditNoteLineState[]): CreditNoteState {
  return {
    id: r.id,
    tenantId: r.tenant_id as string,
    number: (r.number as string | null) ?? null,
    customerId: r.customer_id as string,
    invoiceId: r.invoice_id as string,
    status: r.status as CreditNoteStatus,
    issueDate: r.issue_date === null || r.issue_date === undefined ? null : day(r.issue_date as string | Date),
    reason: (r.reason as string | null) ?? null,
    currency: String(r.currency).trim(),
    amountApplied: Number(r.amount_applied),
    refundOwed: Number(r.refund_owed),
    journalEntryId: (r.journal_entry_id as string | null) ?? null,
    lines,
    version: Number(r.version),
    createdAt: date(r.created_at as Date | string),
    updatedAt: date(r.updated_at as Date | string),
  };
}

const params = (s: Readonly<CreditNoteState>) => ({
  id: s.id,
  number: s.number,
  customer_id: s.customerId,
  invoice_id: s.invoiceId,
  status: s.status,
  issue_date: s.issueDate,
  reason: s.reason,
  currency: s.currency,
  amount_applied: s.amountApplied,
  refund_owed: s.refundOwed,
  journal_entry_id: s.journalEntryId,
  version: s.version,
  created_at: s.createdAt,
  updated_at: s.updatedAt,
});

/** Credit notes of one tenant with their lines; the quantities issued notes credited of an invoice. */
export class CreditNoteRepository extends TenantRepository {
  /** Inside a unit of work on PostgreSQL the row is locked. */
  async get(id: string): Promise<CreditNote | null> {
    const row = await this.lockingSelectOne<Row>(GET, { id });
    return row ? CreditNote.restore(toState(row, (await this.linesOf([id])).get(id) ?? [])) : null;
  }

  async state(id: string): Promise<CreditNoteState | null> {
    const row = await this.selectOne<Row>(GET, { id });
    return row ? toState(row, (await this.linesOf([id])).get(id) ?? []) : null;
  }

  async list(request: ListRequest): Promise<ListPage<CreditNoteState>> {
    const page = await this.page<Row, Row>(CREDIT_NOTE_LIST, request, (r) => r);
    const lines = await this.linesOf(page.items.map((r) => r.id));
    return { items: page.items.map((r) => toState(r, lines.get(r.id) ?? [])), next: page.next };
  }

  async add(note: CreditNote): Promise<void> {
    const s = note.snapshot;
    await this.execute(INSERT, params(s));
    for (const [position, l] of s.lines.entries()) {
      await this.execute(INSERT_LINE, { id: l.id, credit_note_id: s.id, position, invoice_line_id: l.invoiceLineId, description: l.description, item_id: l.itemId, quantity: l.quantity, unit_amount: l.unitAmount, tax_rate_id: l.taxRateId, tax_rate: l.taxRate, tax_inclusive: l.taxInclusive });
    }
    this.record(note.pullEvents());
  }

  /** Saves the note's own row (its lines never change) if it is still at `loadedVersion` (else 412). */
  async save(note: CreditNote, loadedVersion: number): Promise<void> {
    const rows = await this.execute<{ id: string }>(UPDATE, { ...params(note.snapshot), loaded: loadedVersion });
    if (rows.length !== 1) throw new StaleVersionError(`Credit note ${note.id} was changed by another request; get it again and retry.`);
    this.record(note.pullEvents());
  }

  /** Deletes a draft (the caller checked) if it is still at `loadedVersion` (else 412). */
  async remove(note: CreditNote, loadedVersion: number): Promise<void> {
    await this.execute(DELETE_LINES, { id: note.id });
    const rows = await this.execute<{ id: string }>(DELETE, { id: note.id, loaded: loadedVersion });
    if (rows.length !== 1) throw new StaleVersionError(`Credit note ${note.id} was changed by another request; get it again and retry.`);
  }

  /** What issued credit notes credited of each line of `invoiceId` (thousandths, by invoice line). */
  async credited(invoiceId: string): Promise<Map<string, number>> {
    const rows = await this.select<{ invoice_line_id: string; quantity: number | string }>(CREDITED, { invoiceId });
    return new Map(rows.map((r) => [r.invoice_line_id, Number(r.quantity)]));
  }

  private async linesOf(ids: readonly string[]): Promise<Map<string, CreditNoteLineState[]>> {
    if (!ids.length) return new Map();
    const { list, params: p } = this.inList('n', ids);
    return groupBy(await this.select<LineRow>(LINES(list), p), (r) => r.credit_note_id as string, toLine);
  }
}
