import { ConflictError, InvalidInputError, type InvalidField } from '../../../platform/errors';
import { newId } from '../../../platform/ids';
import { formatMinor, type Money } from '../../../platform/money';
import { formatQuantity } from '../../wms';
import { checkPricedLines, lineAmounts, Order, type OrderKind, orderTotals, type PricedLine } from './order';
import { assertBaseCurrency, type PartyRole } from './party';
import type { RateThousandths } from './tax';

/**
 * Invoices (to customers) and bills (from suppliers): one state machine, draft → open → paid |
 * void | uncollectible, after Stripe's invoices. A draft is changed freely; `finalize` gives it
 * its number, its issue and due dates and the entry it posted, and it never changes again;
 * `void` (open, nothing paid) is undone by the reversal of that entry; `mark-uncollectible`
 * (open) posts nothing. Totals are the sums of the lines' amounts (domain/order.ts's line math).
 */

export const DOCUMENT_STATUSES = ['draft', 'open', 'paid', 'void', 'uncollectible'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];
export type DocumentAction = 'finalize' | 'void' | 'mark-uncollectible';
export type DocumentType = 'invoice' | 'bill';

const ACTIONS: Record<DocumentStatus, readonly DocumentAction[]> = {
  draft: ['finalize'],
  open: ['void', 'mark-uncollectible'],
  paid: [],
  void: [],
  uncollectible: [],
};

/** What tells an invoice from a bill. */
export interface DocumentKind extends OrderKind<DocumentStatus, DocumentAction> {
  type: DocumentType;
  /** The party: a customer's invoice, a supplier's bill. */
  role: PartyRole;
  idPrefix: string;
  linePrefix: string;
  /** The series of its numbers: `INV-<year>-<n>`, `BILL-<year>-<n>`. */
  series: string;
  /** The contract's names: the party's id, the order's id, a line's unit amount. */
  partyField: 'customer_id' | 'supplier_id';
  orderField: 'sales_order_id' | 'purchase_order_id';
  unitField: 'unit_price' | 'unit_cost';
  /** The events finalize and void record. */
  events: { finalized: string; voided: string; paid: string };
}

export const DOCUMENT_KINDS: Record<DocumentType, DocumentKind> = {
  invoice: { type: 'invoice', what: 'Invoice', aggregate: 'invoice', actions: ACTIONS, role: 'customer', idPrefix: 'inv', linePrefix: 'invl', series: 'INV', events: { finalized: 'erp.invoice.finalized', voided: 'erp.invoice.voided', paid: 'erp.invoice.paid' }, partyField: 'customer_id', orderField: 'sales_order_id', unitField: 'unit_price' },
  bill: { type: 'bill', what: 'Bill', aggregate: 'bill', actions: ACTIONS, role: 'supplier', idPrefix: 'bil', linePrefix: 'bill', series: 'BILL', events: { finalized: 'erp.bill.finalized', voided: 'erp.bill.voided', paid: 'erp.bill.paid' }, partyField: 'supplier_id', orderField: 'purchase_order_id', unitField: 'unit_cost' },
};

/** A line as the application hands it over: references checked, the tax rate resolved. */
export interface DocumentLineInput {
  description: string;
  itemId: string | null;
  /** Thousandths, > 0. */
  quantity: number;
  /** The unit price (invoice) or cost (bill), in the document's currency. */
  unit: Money;
  taxRateId: string;
  taxRate: RateThousandths;
  taxInclusive: boolean;
  /** The order line it invoices or bills (an order's `invoice` / `bill` action), else null. */
  orderLineId: string | null;
}

export interface DocumentLineState extends Omit<DocumentLineInput, 'unit'> {
  id: string;
  /** Minor units of the document's currency. */
  unitAmount: number;
}

export interface DocumentState {
  id: string;
  tenantId: string;
  type: DocumentType;
  /** Null while a draft; given once by finalize. */
  number: string | null;
  partyId: string;
  orderId: string | null;
  status: DocumentStatus;
  /** YYYY-MM-DD, set by finalize. */
  issueDate: string | null;
  dueDate: string | null;
  currency: string;
  /** Minor units; 0 until payments come. */
  amountPaid: number;
  /** Minor units that issued credit notes took off the amount due (invoices only). */
  amountCredited: number;
  /** The entry finalize posted. */
  journalEntryId: string | null;
  lines: DocumentLineState[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface DocumentInput {
  partyId: string;
  orderId?: string | null;
  currency: string;
  lines: readonly DocumentLineInput[];
}

/** What finalize sets. */
export interface Finalization {
  number: string;
  issueDate: string;
  dueDate: string;
  journalEntryId: string | null;
}

/** YYYY-MM-DD plus `days` days. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A line as the line math (domain/order.ts) takes it. */
export const priced = (l: DocumentLineState): PricedLine => ({ quantity: l.quantity, unitAmount: l.unitAmount, taxRate: l.taxRate, taxInclusive: l.taxInclusive });

/** The document's totals in minor units: net, tax and total of its lines. */
export const documentTotals = (s: Readonly<DocumentState>) => orderTotals(s.lines.map(priced));

/** What is still owed: total − paid − credited while draft or open; nothing once paid, void or uncollectible. */
export function amountDue(s: Readonly<DocumentState>): bigint {
  return s.status === 'draft' || s.status === 'open' ? documentTotals(s).total - BigInt(s.amountPaid) - BigInt(s.amountCredited) : 0n;
}

/** Open and due before `today` (YYYY-MM-DD). */
export const isOverdue = (s: Readonly<DocumentState>, today: string): boolean => s.status === 'open' && s.dueDate !== null && s.dueDate < today;

const DESCRIPTION_MAX = 500;

/** The 409 of a void of a document that was paid in part. */
export class DocumentPaidError extends ConflictError {}

/** The 409 of a payment allocated to a document that is not open, or beyond what it is due. */
export class PaymentNotAcceptedError extends ConflictError {}

/** An invoice or a bill. */
export class FinancialDocument extends Order<DocumentStatus, DocumentAction, DocumentState, DocumentLineInput> {
  private constructor(state: DocumentState) {
    super(state, DOCUMENT_KINDS[state.type]);
  }

  static create(tenantId: string, type: DocumentType, input: DocumentInput, now = new Date()): FinancialDocument {
    assertBaseCurrency(input.currency);
    const kind = DOCUMENT_KINDS[type];
    return new FinancialDocument({
      id: newId(kind.idPrefix),
      tenantId,
      type,
      number: null,
      partyId: input.partyId,
      orderId: input.orderId ?? null,
      status: 'draft',
      issueDate: null,
      dueDate: null,
      currency: input.currency,
      amountPaid: 0,
      amountCredited: 0,
      journalEntryId: null,
      lines: newLines(kind, input.lines, input.currency),
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
  }

  static restore(state: DocumentState): FinancialDocument {
    return new FinancialDocument({ ...state, lines: state.lines.map((l) => ({ ...l })) });
  }

  get documentKind(): DocumentKind {
    return DOCUMENT_KINDS[this.state.type];
  }

  /** Open: numbered, dated, due, its entry posted; immutable from now on. */
  finalize(f: Finalization, now = new Date()): void {
    this.assertAllowed('finalize');
    Object.assign(this.state, { number: f.number, issueDate: f.issueDate, dueDate: f.dueDate, journalEntryId: f.journalEntryId });
    this.transition('open', this.documentKind.events.finalized, now);
  }

  /** Void: an open document of which nothing was paid or credited (its entry is reversed by the caller). */
  void(now = new Date()): void {
    this.assertAllowed('void');
    if (this.state.amountPaid > 0) throw new DocumentPaidError(`${this.documentKind.what} ${this.state.id} (${this.state.number}) was paid in part: it cannot be voided.`);
    // Its credit notes' entries stand: voiding it too would take their amounts off receivables twice.
    if (this.state.amountCredited > 0) throw new DocumentPaidError(`${this.documentKind.what} ${this.state.id} (${this.state.number}) was credited in part by credit notes: it cannot be voided; credit the rest instead.`);
    this.transition('void', this.documentKind.events.voided, now);
  }

  /**
   * A payment's allocation of `amount` (minor units, > 0): only an open document takes one, and
   * never more than its amount due (409 naming it and what is due). Paid in full, it is `paid`.
   */
  receivePayment(amount: bigint, now = new Date()): void {
    const s = this.state;
    const what = `${this.documentKind.what} ${s.id}${s.number ? ` (${s.number})` : ''}`;
    if (s.status !== 'open') throw new PaymentNotAcceptedError(`${what} is ${s.status}: only an open ${this.documentKind.type} takes a payment.`);
    const due = amountDue(s);
    if (amount > due) throw new PaymentNotAcceptedError(`${what} has ${formatMinor(due)} ${s.currency} due: an allocation of ${formatMinor(amount)} ${s.currency} is more than that.`);
    s.amountPaid += Number(amount);
    if (amount === due) this.transition('paid', this.documentKind.events.paid, now);
    else {
      s.version += 1;
      s.updatedAt = now;
    }
  }

  /**
   * An issued credit note of `amount` (minor units) against this invoice (open or paid, else
   * 409): what it takes off the amount due (`applied`, the invoice `paid` when nothing is left
   * due) and what is left of it to refund (`refund`).
   */
  credit(amount: bigint, now = new Date()): { applied: bigint; refund: bigint } {
    const s = this.state;
    if (s.status !== 'open' && s.status !== 'paid') throw new PaymentNotAcceptedError(`${this.documentKind.what} ${s.id}${s.number ? ` (${s.number})` : ''} is ${s.status}: only an open or paid invoice takes a credit note.`);
    const due = amountDue(s);
    const applied = amount < due ? amount : due;
    s.amountCredited += Number(applied);
    if (s.status === 'open' && applied === due) this.transition('paid', this.documentKind.events.paid, now);
    else {
      s.version += 1;
      s.updatedAt = now;
    }
    return { applied, refund: amount - applied };
  }

  /** Uncollectible: an open document given up on; nothing is posted. */
  markUncollectible(now = new Date()): void {
    this.assertAllowed('mark-uncollectible');
    this.transition('uncollectible', null, now);
  }

  protected newLines(inputs: readonly DocumentLineInput[], currency: string): DocumentLineState[] {
    return newLines(this.documentKind, inputs, currency);
  }

  protected document() {
    return documentBody(this.state, this.state.updatedAt.toISOString().slice(0, 10));
  }
}

/** New lines (new ids), each checked: a description, an amount in the document's currency, amounts in range. */
function newLines(kind: DocumentKind, inputs: readonly DocumentLineInput[], currency: string): DocumentLineState[] {
  const bad: InvalidField[] = [];
  inputs.forEach((l, i) => {
    if (!l.description.trim() || l.description.length > DESCRIPTION_MAX) bad.push({ pointer: `/lines/${i}/description`, detail: `must be 1 to ${DESCRIPTION_MAX} characters, not blank` });
  });
  if (!inputs.length) throw new InvalidInputError([{ pointer: '/lines', detail: 'has no line: a document has at least one' }]);
  checkPricedLines(inputs, currency, kind.unitField, bad);
  return inputs.map(({ unit, ...l }) => ({ ...l, id: newId(kind.linePrefix), unitAmount: unit.amount }));
}

const money = (amount: number | bigint, currency: string): Money => ({ amount: Number(amount), currency });

/** Minor units for people: `148.75 EUR` (two decimals: the base currency's). */
/** An invoice or bill as the contract shows it (the API's body and the events' data); `overdue` as of `today`. */
export function documentBody(s: Readonly<DocumentState>, today: string) {
  const kind = DOCUMENT_KINDS[s.type];
  const totals = documentTotals(s);
  return {
    id: s.id,
    number: s.number,
    [kind.partyField]: s.partyId,
    [kind.orderField]: s.orderId,
    status: s.status,
    issue_date: s.issueDate,
    due_date: s.dueDate,
    overdue: isOverdue(s, today),
    currency: s.currency,
    lines: s.lines.map((l) => {
      const a = lineAmounts(priced(l));
      return {
        id: l.id,
        description: l.description,
        item_id: l.itemId,
        quantity: formatQuantity(l.quantity),
        [kind.unitField]: money(l.unitAmount, s.currency),
        tax_rate_id: l.taxRateId,
        order_line_id: l.orderLineId,
        net: money(a.net, s.currency),
        tax: money(a.tax, s.currency),
        total: money(a.total, s.currency),
      };
    }),
    subtotal: money(totals.net, s.currency),
    tax_total: money(totals.tax, s.currency),
    total: money(totals.total, s.currency),
    amount_paid: money(s.amountPaid, s.currency),
    amount_credited: money(s.amountCredited, s.currency),
    amount_due: money(amountDue(s), s.currency),
    journal_entry_id: s.journalEntryId,
    available_actions: [...ACTIONS[s.status]],
    version: s.version,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}
