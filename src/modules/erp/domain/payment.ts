import { InvalidInputError, type InvalidField } from '../../../platform/errors';
import { domainEvent, type DomainEvent } from '../../../platform/events/domain-event';
import { newId } from '../../../platform/ids';
import type { Money } from '../../../platform/money';
import type { DocumentType } from './document';
import { assertBaseCurrency, type PartyRole } from './party';

/**
 * A payment: money received from a customer or paid to a supplier on a day, allocated to some of
 * the party's invoices or bills; what is left stays on the party's account. It is recorded once
 * (its entry posted, its allocations added to the documents' `amount_paid`) and never changed.
 */

export const PAYMENT_DIRECTIONS = ['received', 'paid'] as const;
export type PaymentDirection = (typeof PAYMENT_DIRECTIONS)[number];

/** What tells a payment received from one paid. */
export const DIRECTIONS: Record<PaymentDirection, { role: PartyRole; document: DocumentType; documentField: 'invoice_id' | 'bill_id'; event: string }> = {
  received: { role: 'customer', document: 'invoice', documentField: 'invoice_id', event: 'erp.payment.received' },
  paid: { role: 'supplier', document: 'bill', documentField: 'bill_id', event: 'erp.payment.paid' },
};

export interface Allocation {
  /** The invoice (received) or bill (paid). */
  documentId: string;
  /** Minor units, > 0. */
  amount: bigint;
}

export interface PaymentState {
  id: string;
  tenantId: string;
  direction: PaymentDirection;
  partyId: string;
  currency: string;
  /** Minor units, > 0. */
  amount: bigint;
  /** YYYY-MM-DD. */
  paidOn: string;
  reference: string | null;
  allocations: Allocation[];
  journalEntryId: string;
  createdAt: Date;
}

/** A payment as the request writes it, the party and the documents already checked to be the tenant's. */
export interface PaymentInput {
  /** From newPaymentId(): the entry posted for it names it as its source before it is recorded. */
  id: string;
  direction: PaymentDirection;
  partyId: string;
  amount: Money;
  paidOn: string;
  reference: string | null;
  allocations: readonly { documentId: string; amount: Money }[];
  journalEntryId: string;
}

/** What is not allocated: stays on the party's account. */
export const unallocated = (s: Readonly<PaymentState>): bigint => s.amount - s.allocations.reduce((sum, a) => sum + a.amount, 0n);

/**
 * The amounts of a payment as written, checked: the amount more than 0 in the base currency (another
 * is a 422), each allocation more than 0 in the payment's currency, each document named once, and
 * together no more than the amount; each refusal a 400 naming its field.
 */
export function checkAmounts(direction: PaymentDirection, amount: Money, allocations: readonly { documentId: string; amount: Money }[]): void {
  assertBaseCurrency(amount.currency, '/amount/currency');
  const bad: InvalidField[] = [];
  if (amount.amount <= 0) bad.push({ pointer: '/amount/amount', detail: 'must be more than 0' });
  const field = DIRECTIONS[direction].documentField;
  const seen = new Set<string>();
  let sum = 0n;
  allocations.forEach((a, i) => {
    if (a.amount.amount <= 0) bad.push({ pointer: `/allocations/${i}/amount/amount`, detail: 'must be more than 0' });
    if (a.amount.currency !== amount.currency) bad.push({ pointer: `/allocations/${i}/amount/currency`, detail: `must be the payment's currency, ${amount.currency}` });
    if (seen.has(a.documentId)) bad.push({ pointer: `/allocations/${i}/${field}`, detail: `names ${a.documentId} a second time: allocate to each document once` });
    seen.add(a.documentId);
    sum += BigInt(a.amount.amount);
  });
  if (!bad.length && sum > BigInt(amount.amount)) bad.push({ pointer: '/allocations', detail: `allocate ${sum} minor units in all, more than the payment's amount (${amount.amount})` });
  if (bad.length) throw new InvalidInputError(bad);
}

/** A new payment's id. */
export const newPaymentId = (): string => newId('pay');

export class Payment {
  private readonly pending: DomainEvent[] = [];

  private constructor(private readonly state: PaymentState) {}

  /** A payment recorded now: its amounts checked (checkAmounts), its event recorded. */
  static record(tenantId: string, input: PaymentInput, now = new Date()): Payment {
    checkAmounts(input.direction, input.amount, input.allocations);
    const payment = new Payment({
      id: input.id,
      tenantId,
      direction: input.direction,
      partyId: input.partyId,
      currency: input.amount.currency,
      amount: BigInt(input.amount.amount),
      paidOn: input.paidOn,
      reference: input.reference,
      allocations: input.allocations.map((a) => ({ documentId: a.documentId, amount: BigInt(a.amount.amount) })),
      journalEntryId: input.journalEntryId,
      createdAt: now,
    });
    payment.pending.push(domainEvent(DIRECTIONS[input.direction].event, tenantId, { type: 'payment', id: payment.state.id }, paymentBody(payment.state), now));
    return payment;
  }

  get id(): string {
    return this.state.id;
  }

  get snapshot(): Readonly<PaymentState> {
    return this.state;
  }

  pullEvents(): DomainEvent[] {
    return this.pending.splice(0);
  }
}

const money = (amount: bigint, currency: string): Money => ({ amount: Number(amount), currency });

/** A payment as the contract shows it (the API's body and its event's data). */
export function paymentBody(s: Readonly<PaymentState>) {
  const d = DIRECTIONS[s.direction];
  return {
    id: s.id,
    direction: s.direction,
    customer_id: d.role === 'customer' ? s.partyId : null,
    supplier_id: d.role === 'supplier' ? s.partyId : null,
    amount: money(s.amount, s.currency),
    paid_on: s.paidOn,
    reference: s.reference,
    allocations: s.allocations.map((a) => ({ [d.documentField]: a.documentId, amount: money(a.amount, s.currency) })),
    unallocated: money(unallocated(s), s.currency),
    journal_entry_id: s.journalEntryId,
    created_at: s.createdAt.toISOString(),
  };
}
