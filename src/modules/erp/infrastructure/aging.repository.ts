import { TenantRepository } from '../../../platform/db/repository';
import type { AgingDocument } from '../domain/aging';
import type { DocumentType } from '../domain/document';
import { day } from './order.repository';

const TABLES: Record<DocumentType, { table: string; lines: string; document: string; party: string; parties: string }> = {
  invoice: { table: 'erp_invoices', lines: 'erp_invoice_lines', document: 'invoice_id', party: 'customer_id', parties: 'erp_customers' },
  bill: { table: 'erp_bills', lines: 'erp_bill_lines', document: 'bill_id', party: 'supplier_id', parties: 'erp_suppliers' },
};

/**
 * The documents that count as of :asOf with their lines, their party's name and what payments
 * made by then allocated to them (and, for invoices, what credit notes issued by then applied): one statement, so that documents and payments are read as
 * of the same commits. Finalized (a number), issued by then, and open, paid or uncollectible.
 */
function agingSql(type: DocumentType): string {
  const t = TABLES[type];
  // An invoice's credit notes issued by then took `amount_applied` off it (bills have none yet).
  const credited =
    type === 'invoice'
      ? `LEFT JOIN (SELECT c.invoice_id AS document_id, SUM(c.amount_applied) AS credited FROM erp_credit_notes c
              WHERE c.tenant_id = :tenantId AND c.status = 'issued' AND c.issue_date <= :asOf GROUP BY c.invoice_id) c ON c.document_id = d.id`
      : '';
  const paid = type === 'invoice' ? 'COALESCE(x.paid, 0) + COALESCE(c.credited, 0)' : 'COALESCE(x.paid, 0)';
  return `SELECT d.id, d.${t.party} AS party_id, p.name AS party_name, d.due_date, l.quantity, l.unit_amount, l.tax_rate, l.tax_inclusive, ${paid} AS paid
  FROM ${t.table} d
  JOIN ${t.parties} p ON p.tenant_id = d.tenant_id AND p.id = d.${t.party}
  JOIN ${t.lines} l ON l.tenant_id = d.tenant_id AND l.${t.document} = d.id
  LEFT JOIN (SELECT a.${t.document} AS document_id, SUM(a.amount) AS paid
               FROM erp_payment_allocations a JOIN erp_payments y ON y.tenant_id = a.tenant_id AND y.id = a.payment_id
              WHERE a.tenant_id = :tenantId AND a.${t.document} IS NOT NULL AND y.paid_on <= :asOf
              GROUP BY a.${t.document}) x ON x.document_id = d.id
  ${credited}
  WHERE d.tenant_id = :tenantId AND d.number IS NOT NULL AND d.issue_date <= :asOf AND d.status IN ('open', 'paid', 'uncollectible')
  ORDER BY d.id, l.position`;
}

const SQL = { invoice: agingSql('invoice'), bill: agingSql('bill') };

interface Row {
  id: string;
  party_id: string;
  party_name: string;
  due_date: string | Date;
  quantity: number | string;
  unit_amount: number | string;
  tax_rate: number | string;
  tax_inclusive: boolean | number;
  paid: number | string;
}

/** What the aged receivables and payables read: the invoices or bills that count as of a day. */
export class AgingRepository extends TenantRepository {
  /** The invoices (or bills) that count as of `asOf`, each with its lines and what was paid of it by then. */
  async documentsAsOf(type: DocumentType, asOf: string): Promise<AgingDocument[]> {
    const rows = await this.select<Row>(SQL[type], { asOf });
    const documents = new Map<string, AgingDocument & { lines: AgingDocument['lines'][number][] }>();
    for (const r of rows) {
      let d = documents.get(r.id);
      if (!d) documents.set(r.id, (d = { partyId: r.party_id, partyName: r.party_name, dueDate: day(r.due_date), lines: [], paid: BigInt(String(r.paid)) }));
      d.lines.push({ quantity: Number(r.quantity), unitAmount: Number(r.unit_amount), taxRate: Number(r.tax_rate), taxInclusive: r.tax_inclusive === true || r.tax_inclusive === 1 });
    }
    return [...documents.values()];
  }
}
