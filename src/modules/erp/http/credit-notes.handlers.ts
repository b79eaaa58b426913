import type { components } from '../../../../generated/api';
import { etag, type HandlerMap } from '../../../platform/http/handler';
import { expectedVersions, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import { parseQuantity } from '../../wms';
import type { CreditNoteUseCases } from '../application/credit-notes';
import { creditNoteBody, type CreditNoteState } from '../domain/credit-note';
import { CREDIT_NOTE_LIST } from '../infrastructure/credit-note.repository';

type Schemas = components['schemas'];

/** The contract's CreditNote: the same document its event carries. */
export const toCreditNote = (s: Readonly<CreditNoteState>): Schemas['CreditNote'] => creditNoteBody(s) as Schemas['CreditNote'];

export function creditNoteHandlers(notes: CreditNoteUseCases, cursors: CursorCodec): HandlerMap {
  const ok = (s: Readonly<CreditNoteState>) => ({ status: 200 as const, headers: { ETag: etag(s.version) }, body: toCreditNote(s) });
  return {
    async listCreditNotes(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(CREDIT_NOTE_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await notes.list(tenantId, list.request), toCreditNote) };
    },

    async createCreditNote(request) {
      const b = request.body;
      const lines = b.lines?.map((l, i) => ({ invoiceLineId: l.invoice_line_id, quantity: parseQuantity(l.quantity, `/lines/${i}/quantity`) }));
      const note = await notes.create(tenantOf(request), { invoiceId: b.invoice_id, reason: b.reason, lines }, request.claim);
      return { status: 201, headers: { Location: `/v1/erp/credit-notes/${note.id}`, ETag: etag(note.version) }, body: toCreditNote(note) };
    },

    async getCreditNote(request) {
      return ok(await notes.get(tenantOf(request), request.params.credit_note_id));
    },

    async deleteCreditNote(request) {
      await notes.remove(tenantOf(request), request.params.credit_note_id, expectedVersions(request.ifMatch));
      return { status: 204, body: undefined };
    },

    async finalizeCreditNote(request) {
      return ok(await notes.finalize(tenantOf(request), request.params.credit_note_id, expectedVersions(request.ifMatch), { issueDate: request.body?.issue_date }, request.claim));
    },
  };
}
