import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { type ExpectedVersion, InvalidInputError, NotFoundError } from '../../../platform/errors';
import { CreditNote, type CreditNoteState, creditLines, creditNoteTotals } from '../domain/credit-note';
import { PaymentNotAcceptedError } from '../domain/document';
import { documentNumber, isCalendarDate } from '../domain/journal-entry';
import { CreditNoteRepository } from '../infrastructure/credit-note.repository';
import { InvoiceRepository } from '../infrastructure/document.repository';
import { SequenceRepository } from '../infrastructure/sequence.repository';
import type { EntryLine, Journal } from './journal';
import { loadOrder, today } from './orders';

export interface CreditNoteDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
  /** Where issuing posts its entry, in its unit of work. */
  journal: Journal;
}

export interface CreditNoteCreate {
  invoiceId: string;
  reason?: string;
  /** Invoice lines and quantities as written (`"2"`): none, every line's rest. */
  lines?: readonly { invoiceLineId: string; quantity: number }[];
}

/**
 * Credit notes of invoices. A draft is checked against the invoice as it is (open or paid, each
 * line's quantity not credited by issued notes); `finalize` checks again with the invoice's row
 * locked (so two notes issued at once never credit a line twice), numbers it (series CN), posts
 * its entry (Dr revenue, Dr tax payable / Cr receivables) and applies it to the invoice's amount
 * due, all in one unit of work.
 */
export function creditNoteUseCases({ db, runInUnitOfWork, journal }: CreditNoteDeps) {
  async function load(uow: UnitOfWork, id: string, expected: ExpectedVersion) {
    const { repo, order: note, loaded } = await loadOrder(CreditNoteRepository.in(uow), id, expected, 'credit note');
    return { repo, note, loaded };
  }

  /** The invoice, locked (PostgreSQL), open or paid (else 409); a 400 naming `/invoice_id` when there is none. */
  async function creditable(uow: UnitOfWork, invoiceId: string) {
    const repo = InvoiceRepository.in(uow);
    const invoice = await repo.get(invoiceId);
    if (!invoice) throw new InvalidInputError([{ pointer: '/invoice_id', detail: `is not an invoice of this tenant (there is no invoice ${invoiceId})` }]);
    const s = invoice.snapshot;
    if (s.status !== 'open' && s.status !== 'paid') throw new PaymentNotAcceptedError(`Invoice ${s.id}${s.number ? ` (${s.number})` : ''} is ${s.status}: only an open or paid invoice takes a credit note.`);
    return { repo, invoice, loaded: invoice.version };
  }

  return {
    async get(tenantId: string, id: string): Promise<CreditNoteState> {
      const state = await new CreditNoteRepository(db, tenantId).state(id);
      if (!state) throw new NotFoundError(`There is no credit note ${id}.`);
      return state;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<CreditNoteState>> {
      return new CreditNoteRepository(db, tenantId).list(request);
    },

    create(tenantId: string, input: CreditNoteCreate, claim?: IdempotencyClaim): Promise<CreditNoteState> {
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const { invoice } = await creditable(uow, input.invoiceId);
          const repo = CreditNoteRepository.in(uow);
          const lines = creditLines(invoice.snapshot, await repo.credited(input.invoiceId), input.lines);
          const note = CreditNote.draft(uow.tenantId, invoice.snapshot, lines, input.reason ?? null);
          await repo.add(note);
          return note.snapshot;
        },
        claim,
      );
    },

    /** Deletes a draft (else 409). */
    remove(tenantId: string, id: string, expected: ExpectedVersion): Promise<void> {
      return runInUnitOfWork(tenantId, async (uow) => {
        const { repo, note, loaded } = await load(uow, id, expected);
        note.assertDraft('delete');
        await repo.remove(note, loaded);
      });
    },

    /** Issues a draft: see above. The number is taken after the checks, so a refusal takes none. */
    finalize(tenantId: string, id: string, expected: ExpectedVersion, input: { issueDate?: string }, claim?: IdempotencyClaim): Promise<CreditNoteState> {
      const issueDate = input.issueDate ?? today();
      if (!isCalendarDate(issueDate)) throw new InvalidInputError([{ pointer: '/issue_date', detail: `is not a date (YYYY-MM-DD): ${issueDate}` }]);
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const { repo, note, loaded } = await load(uow, id, expected);
          note.assertDraft('finalize');
          const s = note.snapshot;
          // The invoice locked, then what is left of each line checked again (issued notes only).
          const { repo: invoices, invoice, loaded: invoiceVersion } = await creditable(uow, s.invoiceId);
          creditLines(
            invoice.snapshot,
            await repo.credited(s.invoiceId),
            s.lines.map((l) => ({ invoiceLineId: l.invoiceLineId, quantity: l.quantity })),
          );
          const year = Number(issueDate.slice(0, 4));
          const number = documentNumber('CN', year, await SequenceRepository.in(uow).next('CN', year));
          const { net, tax, total } = creditNoteTotals(s);
          const entry: EntryLine[] = [
            { ledgerAccountId: await journal.accountId(uow, 'revenue'), debit: net, credit: 0n },
            { ledgerAccountId: await journal.accountId(uow, 'tax_payable'), debit: tax, credit: 0n },
            { ledgerAccountId: await journal.accountId(uow, 'receivables'), debit: 0n, credit: total },
          ].filter((l) => l.debit > 0n || l.credit > 0n);
          const posted = entry.length >= 2 ? await journal.post(uow, { date: issueDate, memo: `Credit note ${number} of invoice ${invoice.snapshot.number}`, source: { type: 'credit_note', id }, lines: entry }) : null;
          const { applied, refund } = invoice.credit(total);
          note.issue({ number, issueDate, journalEntryId: posted?.id ?? null, applied, refund });
          await invoices.saveHeader(invoice, invoiceVersion);
          await repo.save(note, loaded);
          return note.snapshot;
        },
        claim,
      );
    },
  };
}

export type CreditNoteUseCases = ReturnType<typeof creditNoteUseCases>;
