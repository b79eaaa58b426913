import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { date } from '../../../platform/db/rows';
import { DIRECTIONS, PAYMENT_DIRECTIONS, type Allocation, type Payment, type PaymentDirection, type PaymentState } from '../domain/payment';
import { day } from './order.repository';
import { groupBy } from '../../../platform/group-by';

interface PaymentRow {
  id: string;
  tenant_id: string;
  direction: string;
  customer_id: string | null;
  supplier_id: string | null;
  currency: string;
  amount: number | string;
  paid_on: string | Date;
  reference: string | null;
  journal_entry_id: string;
  created_at: Date | string;
}

interface AllocationRow {
  payment_id: string;
  position: number;
  invoice_id: string | null;
  bill_id: string | null;
  amount: number | string;
}

const COLUMNS = 'id, tenant_id, direction, customer_id, supplier_id, currency, amount, unallocated, paid_on, reference, journal_entry_id, created_at';
const GET = `SELECT ${COLUMNS} FROM erp_payments WHERE tenant_id = :tenantId AND id = :id`;
const INSERT = `INSERT INTO erp_payments (${COLUMNS}) VALUES (:id, :tenantId, :direction, :customer_id, :supplier_id, :currency, :amount, :unallocated, :paid_on, :reference, :journal_entry_id, :created_at)`;
const INSERT_ALLOCATION = 'INSERT INTO erp_payment_allocations (tenant_id, payment_id, position, invoice_id, bill_id, amount) VALUES (:tenantId, :payment_id, :position, :invoice_id, :bill_id, :amount)';
const ALLOCATIONS = (ids: string) => `SELECT payment_id, position, invoice_id, bill_id, amount FROM erp_payment_allocations WHERE tenant_id = :tenantId AND payment_id IN (${ids}) ORDER BY payment_id, position`;

/** The payments list (migrations/20261211100000-erp-payments.ts indexes each filter with the sorts). */
export const PAYMENT_LIST = defineList({
  name: 'erp.payments',
  table: 'erp_payments',
  select: COLUMNS,
  columns: {
    direction: { type: 'text' },
    customer_id: { type: 'text', nullable: true },
    supplier_id: { type: 'text', nullable: true },
    paid_on: { type: 'date' },
    created_at: { type: 'instant' },
  },
  filters: {
    direction: { kind: 'equals', column: 'direction', values: PAYMENT_DIRECTIONS },
    customer_id: { kind: 'equals', column: 'customer_id' },
    supplier_id: { kind: 'equals', column: 'supplier_id' },
    paid_on: { kind: 'range', column: 'paid_on' },
  },
  sorts: ['paid_on', 'created_at'],
  defaultSort: '-paid_on',
});

function toState(r: PaymentRow, allocations: Allocation[]): PaymentState {
  const direction = r.direction as PaymentDirection;
  return {
    id: r.id,
    tenantId: r.tenant_id,
    direction,
    partyId: (direction === 'received' ? r.customer_id : r.supplier_id) as string,
    currency: r.currency.trim(),
    amount: BigInt(String(r.amount)),
    paidOn: day(r.paid_on),
    reference: r.reference,
    allocations,
    journalEntryId: r.journal_entry_id,
    createdAt: date(r.created_at),
  };
}

/** Payments of one tenant with their allocations: written once, never updated. */
export class PaymentRepository extends TenantRepository {
  async add(payment: Payment): Promise<void> {
    const s = payment.snapshot;
    const role = DIRECTIONS[s.direction].role;
    const allocated = s.allocations.reduce((sum, a) => sum + a.amount, 0n);
    await this.execute(INSERT, {
      id: s.id,
      direction: s.direction,
      customer_id: role === 'customer' ? s.partyId : null,
      supplier_id: role === 'supplier' ? s.partyId : null,
      currency: s.currency,
      amount: String(s.amount),
      unallocated: String(s.amount - allocated),
      paid_on: s.paidOn,
      reference: s.reference,
      journal_entry_id: s.journalEntryId,
      created_at: s.createdAt,
    });
    const field = DIRECTIONS[s.direction].document;
    for (const [position, a] of s.allocations.entries()) {
      await this.execute(INSERT_ALLOCATION, { payment_id: s.id, position, invoice_id: field === 'invoice' ? a.documentId : null, bill_id: field === 'bill' ? a.documentId : null, amount: String(a.amount) });
    }
    this.record(payment.pullEvents());
  }

  async state(id: string): Promise<PaymentState | null> {
    const row = await this.selectOne<PaymentRow>(GET, { id });
    return row ? toState(row, (await this.allocationsOf([id])).get(id) ?? []) : null;
  }

  async list(request: ListRequest): Promise<ListPage<PaymentState>> {
    const page = await this.page<PaymentRow, PaymentRow>(PAYMENT_LIST, request, (r) => r);
    const allocations = await this.allocationsOf(page.items.map((r) => r.id));
    return { items: page.items.map((r) => toState(r, allocations.get(r.id) ?? [])), next: page.next };
  }

  private async allocationsOf(paymentIds: readonly string[]): Promise<Map<string, Allocation[]>> {
    if (!paymentIds.length) return new Map();
    const { list, params } = this.inList('p', paymentIds);
    return groupBy(
      await this.select<AllocationRow>(ALLOCATIONS(list), params),
      (r) => r.payment_id,
      (r): Allocation => ({ documentId: (r.invoice_id ?? r.bill_id) as string, amount: BigInt(String(r.amount)) }),
    );
  }
}
