import type { components } from '../../../../generated/api';
import type { HandlerMap } from '../../../platform/http/handler';
import { tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { PaymentUseCases } from '../application/payments';
import { paymentBody, type PaymentState } from '../domain/payment';
import { PAYMENT_LIST } from '../infrastructure/payment.repository';

type Schemas = components['schemas'];

/** The contract's Payment: the same document the payment events carry. */
export const toPayment = (s: Readonly<PaymentState>): Schemas['Payment'] => paymentBody(s) as Schemas['Payment'];

export function paymentHandlers(payments: PaymentUseCases, cursors: CursorCodec): HandlerMap {
  return {
    async listPayments(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(PAYMENT_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await payments.list(tenantId, list.request), toPayment) };
    },

    async createPayment(request) {
      const b = request.body;
      const payment = await payments.record(
        tenantOf(request),
        {
          direction: b.direction,
          customerId: b.customer_id,
          supplierId: b.supplier_id,
          amount: b.amount,
          paidOn: b.paid_on,
          reference: b.reference,
          allocations: (b.allocations ?? []).map((a) => ({ invoiceId: a.invoice_id, billId: a.bill_id, amount: a.amount })),
        },
        request.claim,
      );
      return { status: 201, headers: { Location: `/v1/erp/payments/${payment.id}` }, body: toPayment(payment) };
    },

    async getPayment(request) {
      return { status: 200, body: toPayment(await payments.get(tenantOf(request), request.params.payment_id)) };
    },
  };
}
