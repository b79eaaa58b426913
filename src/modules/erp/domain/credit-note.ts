import { ConflictError, InvalidInputError, type InvalidField } from '../../../platform/errors';
import { domainEvent, type DomainEvent } from '../../../platform/events/domain-event';
import { newId } from '../../../platform/ids';
import type { Money } from '../../../platform/money';
import { formatQuantity } from '../../wms';
import type { DocumentLineState, DocumentState } from './document';
import { ActionNotAllowedError, lineAmounts, orderTotals, type PricedLine } from './order';
import type { RateThousandths } from './tax';

/**
 * A credit note: what is credited back of an invoice, line by line, never more of a line than was
 * invoiced less what issued credit notes credited already. A draft is made and deleted freely;
 * `finalize` issues it: its number (`CN-<year>-<n>`), its issue date, its entry (debit revenue and
 * tax payable, credit receivables), and what it takes off the invoice's amount due (`applied`; the
 * rest of its total is owed back to the customer, `refund owed`). Issued, it never changes.
 */

export const CREDIT_NOTE_STATUSES = ['draft', 'issued'] as const;
export type CreditNoteStatus = (typeof CREDIT_NOTE_STATUSES)[number];
export type CreditNoteAction = 'finalize';

export interface CreditNoteLineState {
  id: string;
  invoiceLineId: string;
  description: string;
  itemId: string | null;
  /** Thousandths, > 0. */
  quantity: number;
  /** The invoice line's unit price, minor units. */
  unitAmount: number;
  taxRateId: string;
  taxRate: RateThousandths;
  taxInclusive: boolean;
}

export interface CreditNoteState {
  id: string;
  tenantId: string;
  number: string | null;
  customerId: string;
  invoiceId: string;
  status: CreditNoteStatus;
  issueDate: string | null;
  reason: string | null;
  currency: string;
  /** Minor units: what issuing it took off the invoice's amount due; 0 while a draft. */
  amountApplied: number;
  /** Minor units: the rest of its total, owed back to the customer; 0 while a draft. */
  refundOwed: number;
  journalEntryId: string | null;
  lines: CreditNoteLineState[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The 409 of a credit of more than an invoice line has left to credit. */
export class OverCreditError extends ConflictError {}

const priced = (l: CreditNoteLineState): PricedLine => ({ quantity: l.quantity, unitAmount: l.unitAmount, taxRate: l.taxRate, taxInclusive: l.taxInclusive });

export const creditNoteTotals = (s: Readonly<CreditNoteState>) => orderTotals(s.lines.map(priced));

/**
 * The lines of a credit of `invoice`: `requested` (invoice line id and quantity; none: every line's
 * whole remaining quantity) checked against what `credited` (by invoice line, issued notes) left;
 * an unknown line or a line named twice is a 400, more than is left a 409 naming the line and what is left.
 */
export function creditLines(invoice: Readonly<DocumentState>, credited: ReadonlyMap<string, number>, requested?: readonly { invoiceLineId: string; quantity: number }[]): CreditNoteLineState[] {
  const left = (l: DocumentLineState) => l.quantity - (credited.get(l.id) ?? 0);
  const wanted = requested ?? invoice.lines.filter((l) => left(l) > 0).map((l) => ({ invoiceLineId: l.id, quantity: left(l) }));
  const bad: InvalidField[] = [];
  const seen = new Set<string>();
  wanted.forEach((w, i) => {
    if (!invoice.lines.some((l) => l.id === w.invoiceLineId)) bad.push({ pointer: `/lines/${i}/invoice_line_id`, detail: `is not a line of invoice ${invoice.id}` });
    else if (seen.has(w.invoiceLineId)) bad.push({ pointer: `/lines/${i}/invoice_line_id`, detail: 'names a line a second time' });
    seen.add(w.invoiceLineId);
  });
  if (bad.length) throw new InvalidInputError(bad);
  if (!wanted.length) throw new OverCreditError(`Invoice ${invoice.id} (${invoice.number}) has nothing left to credit.`);
  const over = wanted.flatMap((w) => {
    const line = invoice.lines.find((l) => l.id === w.invoiceLineId)!;
    return w.quantity > left(line) ? [`line ${line.id} has ${formatQuantity(left(line))} left to credit, not ${formatQuantity(w.quantity)}`] : [];
  });
  if (over.length) throw new OverCreditError(`Invoice ${invoice.id} (${invoice.number}): ${over.join('; ')}.`);
  return wanted.map((w) => {
    const l = invoice.lines.find((x) => x.id === w.invoiceLineId)!;
    return { id: newId('cnl'), invoiceLineId: l.id, description: l.description, itemId: l.itemId, quantity: w.quantity, unitAmount: l.unitAmount, taxRateId: l.taxRateId, taxRate: l.taxRate, taxInclusive: l.taxInclusive };
  });
}

export class CreditNote {
  private readonly pending: DomainEvent[] = [];

  private constructor(private state: CreditNoteState) {}

  static draft(tenantId: string, invoice: Readonly<DocumentState>, lines: CreditNoteLineState[], reason: string | null, now = new Date()): CreditNote {
    if (reason !== null && (!reason.trim() || reason.length > 500)) throw new InvalidInputError([{ pointer: '/reason', detail: 'must be 1 to 500 characters, not blank' }]);
    return new CreditNote({
      id: newId('crn'),
      tenantId,
      number: null,
      customerId: invoice.partyId,
      invoiceId: invoice.id,
      status: 'draft',
      issueDate: null,
      reason,
      currency: invoice.currency,
      amountApplied: 0,
      refundOwed: 0,
      journalEntryId: null,
      lines,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
  }

  static restore(state: CreditNoteState): CreditNote {
    return new CreditNote({ ...state, lines: state.lines.map((l) => ({ ...l })) });
  }

  get id(): string {
    return this.state.id;
  }

  get version(): number {
    return this.state.version;
  }

  get snapshot(): Readonly<CreditNoteState> {
    return this.state;
  }

  pullEvents(): DomainEvent[] {
    return this.pending.splice(0);
  }

  /** A draft only (else 409): deleted, or issued. */
  assertDraft(action: CreditNoteAction | 'delete'): void {
    if (this.state.status !== 'draft') throw new ActionNotAllowedError('Credit note', this.state.id, this.state.status, [], action);
  }

  /** Issued: its number, date, entry and what it applied to the invoice; `erp.credit_note.issued` recorded. */
  issue(f: { number: string; issueDate: string; journalEntryId: string | null; applied: bigint; refund: bigint }, now = new Date()): void {
    this.assertDraft('finalize');
    Object.assign(this.state, { number: f.number, issueDate: f.issueDate, journalEntryId: f.journalEntryId, amountApplied: Number(f.applied), refundOwed: Number(f.refund), status: 'issued', version: this.state.version + 1, updatedAt: now });
    this.pending.push(domainEvent('erp.credit_note.issued', this.state.tenantId, { type: 'credit_note', id: this.state.id }, creditNoteBody(this.state), now));
  }
}

const money = (amount: number | bigint, currency: string): Money => ({ amount: Number(amount), currency });

/** A credit note as the contract shows it (the API's body and its event's data). */
export function creditNoteBody(s: Readonly<CreditNoteState>) {
  const totals = creditNoteTotals(s);
  return {
    id: s.id,
    number: s.number,
    customer_id: s.customerId,
    invoice_id: s.invoiceId,
    status: s.status,
    issue_date: s.issueDate,
    reason: s.reason,
    currency: s.currency,
    lines: s.lines.map((l) => {
      const a = lineAmounts(priced(l));
      return {
        id: l.id,
        invoice_line_id: l.invoiceLineId,
        description: l.description,
        item_id: l.itemId,
        quantity: formatQuantity(l.quantity),
        unit_price: money(l.unitAmount, s.currency),
        tax_rate_id: l.taxRateId,
        net: money(a.net, s.currency),
        tax: money(a.tax, s.currency),
        total: money(a.total, s.currency),
      };
    }),
    subtotal: money(totals.net, s.currency),
    tax_total: money(totals.tax, s.currency),
    total: money(totals.total, s.currency),
    amount_applied: money(s.amountApplied, s.currency),
    refund_owed: money(s.refundOwed, s.currency),
    journal_entry_id: s.journalEntryId,
    available_actions: s.status === 'draft' ? ['finalize'] : [],
    version: s.version,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}
