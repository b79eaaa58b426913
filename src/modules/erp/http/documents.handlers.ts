import type { components } from '../../../../generated/api';
import { BinaryBody, etag, type HandlerMap, type HandlerRequest, type Reply } from '../../../platform/http/handler';
import { negotiatedType, tenantOf } from '../../../platform/http/handler-kit';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { DocumentLineRequest, DocumentUseCases } from '../application/documents';
import { documentBody, type DocumentState } from '../domain/document';
import { BILL_LIST, INVOICE_LIST } from '../infrastructure/document.repository';
import { today } from '../application/orders';
import { invoicePdf } from './invoice-pdf';
import { orderHandlerKit } from './orders';

type Schemas = components['schemas'];

/** The contract's Invoice: the same document the invoice events carry, `overdue` as of today. */
export const toInvoice = (s: Readonly<DocumentState>): Schemas['Invoice'] => documentBody(s, today()) as Schemas['Invoice'];
/** The contract's Bill. */
export const toBill = (s: Readonly<DocumentState>): Schemas['Bill'] => documentBody(s, today()) as Schemas['Bill'];

type LineInput = Schemas['InvoiceLineInput'] | Schemas['BillLineInput'];
const linesOf = (lines: readonly LineInput[]): DocumentLineRequest[] =>
  lines.map((l) => ({ description: l.description, itemId: l.item_id, quantity: l.quantity, unit: 'unit_price' in l ? l.unit_price : l.unit_cost, taxRateId: l.tax_rate_id }));

/** The handlers of invoices or bills: the orders' kit for list, get, create and update; delete and the three actions. */
function documentHandlers(docs: DocumentUseCases, cursors: CursorCodec, spec: { name: 'Invoice' | 'Bill'; path: string; list: typeof INVOICE_LIST; toBody: (s: Readonly<DocumentState>) => unknown }): HandlerMap {
  const { partyField, orderField } = docs.kind;
  const kit = orderHandlerKit(
    {
      name: spec.name,
      path: spec.path,
      idParam: `${docs.kind.type}_id`,
      list: spec.list,
      toBody: spec.toBody,
      orders: docs,
      input: (b: Record<string, any>) => ({ partyId: b[partyField], orderId: b[orderField], currency: b.currency, lines: linesOf(b.lines) }),
      patch: (b: Record<string, any>) => ({ partyId: b[partyField], orderId: b[orderField], currency: b.currency, lines: b.lines && linesOf(b.lines) }),
    },
    cursors,
  );
  const n = spec.name;
  return {
    ...kit.handlers,
    async [`delete${n}`](request: HandlerRequest<'deleteInvoice'>) {
      await docs.remove(...kit.target(request));
      return { status: 204, body: undefined };
    },
    async [`finalize${n}`](request: HandlerRequest<'finalizeInvoice'>) {
      return kit.ok(await docs.finalize(...kit.target(request), { issueDate: request.body?.issue_date }, request.claim));
    },
    async [`void${n}`](request: HandlerRequest<'voidInvoice'>) {
      return kit.ok(await docs.void(...kit.target(request), request.claim));
    },
    async [`markUncollectible${n}`](request: HandlerRequest<'markUncollectibleInvoice'>) {
      return kit.ok(await docs.markUncollectible(...kit.target(request), request.claim));
    },
  } as HandlerMap;
}

/** An invoice's media types: JSON by default, its PDF by `Accept` (`Vary: Accept` on both). */
const INVOICE_TYPES = ['application/json', 'application/pdf'] as const;

export function invoiceHandlers(invoices: DocumentUseCases, cursors: CursorCodec): HandlerMap {
  const handlers = documentHandlers(invoices, cursors, { name: 'Invoice', path: '/v1/erp/invoices', list: INVOICE_LIST, toBody: toInvoice });
  const getJson = handlers.getInvoice!;
  return {
    ...handlers,
    async getInvoice(request): Promise<Reply<'getInvoice'>> {
      if (negotiatedType(request.headers, INVOICE_TYPES) === 'application/json') {
        const reply = await getJson(request);
        const headers: Record<string, string> = { ...reply.headers, Vary: 'Accept' };
        return { ...reply, headers };
      }
      const printable = await invoices.printable(tenantOf(request), request.params.invoice_id);
      return { status: 200, headers: { ETag: etag(printable.document.version), Vary: 'Accept' }, body: new BinaryBody('application/pdf', await invoicePdf(printable)) };
    },
  };
}
export const billHandlers = (bills: DocumentUseCases, cursors: CursorCodec) => documentHandlers(bills, cursors, { name: 'Bill', path: '/v1/erp/bills', list: BILL_LIST, toBody: toBill });
