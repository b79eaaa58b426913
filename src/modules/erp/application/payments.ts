import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import { InvalidInputError, type InvalidField, NotFoundError } from '../../../platform/errors';
import type { Money } from '../../../platform/money';
import type { FinancialDocument } from '../domain/document';
import { isCalendarDate } from '../domain/journal-entry';
import { checkAmounts, DIRECTIONS, newPaymentId, Payment, type PaymentDirection, type PaymentState } from '../domain/payment';
import { BillRepository, InvoiceRepository } from '../infrastructure/document.repository';
import { PaymentRepository } from '../infrastructure/payment.repository';
import type { EntryLine, Journal } from './journal';
import { partyOf, today } from './orders';

export interface PaymentDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
  /** Where a payment posts its entry, in its unit of work. */
  journal: Journal;
}

/** A payment as the request writes it. */
export interface PaymentRequest {
  direction: PaymentDirection;
  customerId?: string;
  supplierId?: string;
  amount: Money;
  paidOn?: string;
  reference?: string;
  allocations: readonly { invoiceId?: string; billId?: string; amount: Money }[];
}

/**
 * Payments received and paid. Recording one is one unit of work: the party checked, each
 * document allocated to loaded in id order (on PostgreSQL its row locked: payments of one
 * document take turns, and none sees an amount due another has already taken), each allocation
 * applied (domain/document.ts: only open documents, never above the amount due), the entry posted
 * (received: Dr cash / Cr receivables; paid: Dr payables / Cr cash; dated `paid_on`, so a locked
 * period refuses it), the documents and the payment saved. Any refusal leaves nothing behind.
 */
export function paymentUseCases({ db, runInUnitOfWork, journal }: PaymentDeps) {
  return {
    async get(tenantId: string, id: string): Promise<PaymentState> {
      const state = await new PaymentRepository(db, tenantId).state(id);
      if (!state) throw new NotFoundError(`There is no payment ${id}.`);
      return state;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<PaymentState>> {
      return new PaymentRepository(db, tenantId).list(request);
    },

    record(tenantId: string, input: PaymentRequest, claim?: IdempotencyClaim): Promise<PaymentState> {
      const d = DIRECTIONS[input.direction];
      const other = input.direction === 'received' ? 'supplier' : 'customer';
      const partyId = input.direction === 'received' ? input.customerId : input.supplierId;
      const bad: InvalidField[] = [];
      if (!partyId) bad.push({ pointer: `/${d.role}_id`, detail: `is required: a payment ${input.direction} names its ${d.role}` });
      if ((input.direction === 'received' ? input.supplierId : input.customerId) !== undefined) bad.push({ pointer: `/${other}_id`, detail: `is not for a payment ${input.direction}: it names its ${d.role}` });
      const paidOn = input.paidOn ?? today();
      if (!isCalendarDate(paidOn)) bad.push({ pointer: '/paid_on', detail: `is not a date (YYYY-MM-DD): ${paidOn}` });
      const wrongKind = input.direction === 'received' ? 'billId' : 'invoiceId';
      const allocations = input.allocations.map((a, i) => {
        const documentId = input.direction === 'received' ? a.invoiceId : a.billId;
        if (a[wrongKind] !== undefined) bad.push({ pointer: `/allocations/${i}/${wrongKind === 'billId' ? 'bill_id' : 'invoice_id'}`, detail: `is not for a payment ${input.direction}: allocate to its ${d.document}s (${d.documentField})` });
        else if (!documentId) bad.push({ pointer: `/allocations/${i}/${d.documentField}`, detail: `is required: the ${d.document} the amount settles` });
        return { documentId: documentId ?? '', amount: a.amount };
      });
      if (bad.length) throw new InvalidInputError(bad);
      checkAmounts(input.direction, input.amount, allocations);

      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          await partyOf(uow, d.role, partyId!);
          const repo = d.document === 'invoice' ? InvoiceRepository.in(uow) : BillRepository.in(uow);
          // In id order, so that two payments of the same documents lock them in the same order.
          const order = allocations.map((a, i) => ({ ...a, i })).sort((a, b) => (a.documentId < b.documentId ? -1 : 1));
          const loaded: { doc: FinancialDocument; version: number; amount: bigint }[] = [];
          const missing: InvalidField[] = [];
          for (const a of order) {
            const doc = await repo.get(a.documentId);
            if (!doc) missing.push({ pointer: `/allocations/${a.i}/${d.documentField}`, detail: `is not ${d.document === 'invoice' ? 'an invoice' : 'a bill'} of this tenant (there is no ${d.document} ${a.documentId})` });
            else if (doc.snapshot.partyId !== partyId) missing.push({ pointer: `/allocations/${a.i}/${d.documentField}`, detail: `is ${d.document === 'invoice' ? 'an invoice' : 'a bill'} of another ${d.role} (${doc.snapshot.partyId})` });
            else loaded.push({ doc, version: doc.version, amount: BigInt(a.amount.amount) });
          }
          if (missing.length) throw new InvalidInputError(missing);
          for (const l of loaded) l.doc.receivePayment(l.amount);

          const id = newPaymentId();
          const amount = BigInt(input.amount.amount);
          const [debit, credit] = input.direction === 'received' ? (['cash', 'receivables'] as const) : (['payables', 'cash'] as const);
          const lines: EntryLine[] = [
            { ledgerAccountId: await journal.accountId(uow, debit), debit: amount, credit: 0n },
            { ledgerAccountId: await journal.accountId(uow, credit), debit: 0n, credit: amount },
          ];
          const memo = `Payment ${input.direction} ${input.direction === 'received' ? 'from' : 'to'} ${d.role} ${partyId}${input.reference ? `: ${input.reference}` : ''}`;
          const entry = await journal.post(uow, { date: paidOn, memo: memo.slice(0, 500), source: { type: 'payment', id }, lines });
          const payment = Payment.record(uow.tenantId, { id, direction: input.direction, partyId: partyId!, amount: input.amount, paidOn, reference: input.reference ?? null, allocations, journalEntryId: entry.id });
          for (const l of loaded) await repo.saveHeader(l.doc, l.version);
          await PaymentRepository.in(uow).add(payment);
          return payment.snapshot;
        },
        claim,
      );
    },
  };
}

export type PaymentUseCases = ReturnType<typeof paymentUseCases>;
