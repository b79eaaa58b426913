import { defineList, type List } from '../../../platform/db/list-query';
import { date } from '../../../platform/db/rows';
import { StaleVersionError } from '../../../platform/errors';
import { DOCUMENT_KINDS, DOCUMENT_STATUSES, FinancialDocument, type DocumentLineState, type DocumentState, type DocumentStatus, type DocumentType } from '../domain/document';
import { day, OrderRepository, type OrderTables } from './order.repository';
import { pricedLineOf } from './line-rows';

type Row = Record<string, unknown> & { id: string };
type LineRow = Record<string, unknown>;

const TABLE: Record<DocumentType, { table: string; lines: string; document: string; party: string; order: string }> = {
  invoice: { table: 'erp_invoices', lines: 'erp_invoice_lines', document: 'invoice_id', party: 'customer_id', order: 'sales_order_id' },
  bill: { table: 'erp_bills', lines: 'erp_bill_lines', document: 'bill_id', party: 'supplier_id', order: 'purchase_order_id' },
};

const LINE_COLUMNS = ['id', 'description', 'item_id', 'quantity', 'unit_amount', 'tax_rate_id', 'tax_rate', 'tax_inclusive', 'order_line_id'];

/**
 * The SQL of invoices or bills and their lines, in the shape the orders' repository takes
 * (infrastructure/order.repository.ts): the list filters by party, status, issue date and due
 * date and sorts by creation or issue date, each with its index
 * (migrations/20261209400000-erp-invoices-and-bills.ts).
 */
function documentTables(type: DocumentType): OrderTables<Row, LineRow, DocumentState, DocumentLineState> & { list: List; delete: string } {
  const t = TABLE[type];
  const header = ['id', 'tenant_id', 'number', t.party, t.order, 'status', 'issue_date', 'due_date', 'currency', 'amount_paid', 'amount_credited', 'journal_entry_id', 'version', 'created_at', 'updated_at'];
  const columns = header.join(', ');
  const lineColumns = ['id', t.document, 'position', ...LINE_COLUMNS.slice(1)];
  const list = defineList({
    name: t.table.replace('_', '.'),
    table: t.table,
    select: columns,
    columns: { [t.party]: { type: 'text' }, status: { type: 'text' }, issue_date: { type: 'date', nullable: true }, due_date: { type: 'date', nullable: true }, created_at: { type: 'instant' } },
    filters: {
      [t.party]: { kind: 'equals', column: t.party },
      status: { kind: 'equals', column: 'status', values: DOCUMENT_STATUSES },
      issue_date: { kind: 'range', column: 'issue_date' },
      due_date: { kind: 'range', column: 'due_date' },
    },
    sorts: ['created_at', 'issue_date'],
    defaultSort: '-created_at',
  });
  const optionalDay = (v: unknown) => (v === null || v === undefined ? null : day(v as string | Date));
  return {
    what: DOCUMENT_KINDS[type].what,
    list,
    get: `SELECT ${columns} FROM ${t.table} WHERE tenant_id = :tenantId AND id = :id`,
    insert: `INSERT INTO ${t.table} (${columns}) VALUES (${header.map((c) => (c === 'tenant_id' ? ':tenantId' : `:${c}`)).join(', ')})`,
    update: `UPDATE ${t.table} SET number = :number, ${t.party} = :${t.party}, ${t.order} = :${t.order}, status = :status, issue_date = :issue_date, due_date = :due_date,
      currency = :currency, amount_paid = :amount_paid, amount_credited = :amount_credited, journal_entry_id = :journal_entry_id, version = :version, updated_at = :updated_at
      WHERE tenant_id = :tenantId AND id = :id AND version = :loaded RETURNING id`,
    delete: `DELETE FROM ${t.table} WHERE tenant_id = :tenantId AND id = :id AND version = :loaded RETURNING id`,
    deleteLines: `DELETE FROM ${t.lines} WHERE tenant_id = :tenantId AND ${t.document} = :id`,
    lineInsert: { table: t.lines, columns: lineColumns },
    selectLines: (ids) => `SELECT ${lineColumns.join(', ')} FROM ${t.lines} WHERE tenant_id = :tenantId AND ${t.document} IN (${ids}) ORDER BY ${t.document}, position`,
    orderIdOf: (r) => r[t.document] as string,
    toLine: (r) => ({ ...pricedLineOf(r), orderLineId: (r.order_line_id as string | null) ?? null }),
    toState: (r, lines) => ({
      id: r.id,
      tenantId: r.tenant_id as string,
      type,
      number: (r.number as string | null) ?? null,
      partyId: r[t.party] as string,
      orderId: (r[t.order] as string | null) ?? null,
      status: r.status as DocumentStatus,
      issueDate: optionalDay(r.issue_date),
      dueDate: optionalDay(r.due_date),
      currency: String(r.currency).trim(),
      amountPaid: Number(r.amount_paid),
      amountCredited: Number(r.amount_credited),
      journalEntryId: (r.journal_entry_id as string | null) ?? null,
      lines,
      version: Number(r.version),
      createdAt: date(r.created_at as Date | string),
      updatedAt: date(r.updated_at as Date | string),
    }),
    params: (s) => ({
      id: s.id,
      number: s.number,
      [t.party]: s.partyId,
      [t.order]: s.orderId,
      status: s.status,
      issue_date: s.issueDate,
      due_date: s.dueDate,
      currency: s.currency,
      amount_paid: s.amountPaid,
      amount_credited: s.amountCredited,
      journal_entry_id: s.journalEntryId,
      version: s.version,
      created_at: s.createdAt,
      updated_at: s.updatedAt,
    }),
    lineParams: (s, l, position) => ({
      line_id: l.id,
      [`line_${t.document}`]: s.id,
      line_position: position,
      line_description: l.description,
      line_item_id: l.itemId,
      line_quantity: l.quantity,
      line_unit_amount: l.unitAmount,
      line_tax_rate_id: l.taxRateId,
      line_tax_rate: l.taxRate,
      line_tax_inclusive: l.taxInclusive,
      line_order_line_id: l.orderLineId,
    }),
  };
}

const TABLES = { invoice: documentTables('invoice'), bill: documentTables('bill') };

/** The invoices list: by customer, status, issue and due date. */
export const INVOICE_LIST = TABLES.invoice.list;
/** The bills list: by supplier, status, issue and due date. */
export const BILL_LIST = TABLES.bill.list;

/** Invoices or bills of one tenant with their lines: the repository of orders on the documents' tables, and drafts deleted. */
export abstract class DocumentRepository extends OrderRepository<Row, LineRow, DocumentState, DocumentLineState, FinancialDocument> {
  protected abstract readonly tables: (typeof TABLES)['invoice'];

  protected restore(state: DocumentState): FinancialDocument {
    return FinancialDocument.restore(state);
  }

  /** Deletes the document (a draft: the caller checked) if it is still at `loadedVersion`, else 412. */
  async remove(doc: FinancialDocument, loadedVersion: number): Promise<void> {
    await this.execute(this.tables.deleteLines, { id: doc.id });
    const rows = await this.execute<{ id: string }>(this.tables.delete, { id: doc.id, loaded: loadedVersion });
    if (rows.length !== 1) throw new StaleVersionError(`${this.tables.what} ${doc.id} was changed by another request; get it again and retry.`);
  }
}

export class InvoiceRepository extends DocumentRepository {
  protected readonly tables = TABLES.invoice;
}

export class BillRepository extends DocumentRepository {
  protected readonly tables = TABLES.bill;
}
