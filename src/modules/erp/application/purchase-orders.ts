import type { Database } from '../../../platform/db/database';
import type { IdempotencyClaim, RunInUnitOfWork } from '../../../platform/db/unit-of-work';
import type { ExpectedVersion } from '../../../platform/errors';
import type { Money } from '../../../platform/money';
import { formatQuantity, type StockApi, type StockReference } from '../../wms';
import { PURCHASE_ORDER_SERIES, PurchaseOrder, type PurchaseOrderLineInput, type PurchaseOrderState, receiptValue } from '../domain/purchase-order';
import { PurchaseOrderRepository } from '../infrastructure/purchase-order.repository';
import { type DocumentUseCases, followUpDocument } from './documents';
import type { Journal } from './journal';
import { orderAction, orderDrafts, requestedQuantities, today } from './orders';

export interface PurchaseOrderDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
  /** The WMS's stock interface: items, and receipts in the order's unit of work. */
  stock: Pick<StockApi, 'items' | 'receive'>;
  /** Where a receipt's goods-received entry is posted, in the order's unit of work. */
  journal: Journal;
  /** Where the `bill` action drafts, in the order's unit of work. */
  bills: DocumentUseCases;
}

/** A line as the request writes it. */
export interface PurchaseOrderLineRequest {
  itemId: string;
  quantity: string;
  unitCost: Money;
  taxRateId?: string;
  locationId?: string;
}

export interface PurchaseOrderCreate {
  supplierId: string;
  orderDate?: string;
  currency?: string;
  lines: readonly PurchaseOrderLineRequest[];
}

export interface PurchaseOrderChange {
  supplierId?: string;
  orderDate?: string;
  currency?: string;
  lines?: readonly PurchaseOrderLineRequest[];
}

/** What a receipt asks for: where (else each line's location) and which lines (else all that is outstanding). */
export interface ReceiptRequestInput {
  locationId?: string;
  lines?: readonly { lineId: string; quantity: string; lot?: string; serials?: readonly string[] }[];
}

const WHAT = 'purchase order';
const reference = (id: string): StockReference => ({ type: 'purchase_order', id });

/**
 * Purchase orders: drafts written and changed, confirmed, received (WMS receipts at the lines'
 * unit costs and the goods-received entry, with the order in one unit of work) or cancelled
 * while nothing came in.
 */
export function purchaseOrderUseCases({ db, runInUnitOfWork, stock, journal, bills }: PurchaseOrderDeps) {
  const drafts = orderDrafts(
    { runInUnitOfWork, stock },
    {
      role: 'supplier',
      series: PURCHASE_ORDER_SERIES,
      what: WHAT,
      repo: (uow) => PurchaseOrderRepository.in(uow),
      reader: (tenantId) => new PurchaseOrderRepository(db, tenantId),
      line: (r: PurchaseOrderLineRequest, checked): PurchaseOrderLineInput => ({ ...checked, unitCost: r.unitCost, locationId: r.locationId ?? null }),
      make: (tenantId, { partyId, ...fields }) => PurchaseOrder.create(tenantId, { ...fields, supplierId: partyId }),
      partyIdOf: (order) => order.snapshot.supplierId,
      change: (order, { partyId, ...patch }) => order.change({ ...patch, supplierId: partyId }),
    },
  );
  const action = orderAction(runInUnitOfWork, drafts.load);

  return {
    create(tenantId: string, { supplierId, ...input }: PurchaseOrderCreate, claim?: IdempotencyClaim): Promise<PurchaseOrderState> {
      return drafts.create(tenantId, { ...input, partyId: supplierId }, claim);
    },

    get: drafts.get,
    list: drafts.list,

    /** A merge patch of a draft (else 409); `lines` replaces them all, checked as on create. */
    update(tenantId: string, id: string, expected: ExpectedVersion, { supplierId, ...patch }: PurchaseOrderChange): Promise<PurchaseOrderState> {
      return drafts.update(tenantId, id, expected, { ...patch, partyId: supplierId });
    },

    /** Sends a draft: nothing comes into stock yet. */
    confirm(tenantId: string, id: string, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<PurchaseOrderState> {
      return action(tenantId, id, expected, claim, async (_uow, order) => order.confirm());
    },

    /**
     * Receives the outstanding quantities (or those asked for) as WMS receipts at the lines'
     * unit costs, and posts the goods-received entry (debit inventory, credit goods received not
     * invoiced, for what the receipts are worth): one unit of work.
     */
    receive(tenantId: string, id: string, expected: ExpectedVersion, request: ReceiptRequestInput, actor: string, claim?: IdempotencyClaim): Promise<PurchaseOrderState> {
      return action(tenantId, id, expected, claim, async (uow, order) => {
        order.assertAllowed('receive');
        const asked = request.lines && (await requestedQuantities(uow, stock, order.snapshot.lines, request.lines));
        const planned = order.planReceipt(asked, request.locationId);
        await stock.receive(
          uow,
          reference(id),
          planned.map((p) => ({ itemId: p.itemId, quantity: formatQuantity(p.quantity), locationId: p.locationId, unitCost: p.unitCost, lot: p.lot, serials: p.serials })),
          actor,
        );
        const value = receiptValue(planned);
        if (value > 0n) {
          const [inventory, grni] = [await journal.accountId(uow, 'inventory'), await journal.accountId(uow, 'goods_received_not_invoiced')];
          await journal.post(uow, {
            date: today(),
            memo: `Goods received on purchase order ${order.snapshot.number}`,
            source: reference(id),
            lines: [
              { ledgerAccountId: inventory, debit: value, credit: 0n },
              { ledgerAccountId: grni, debit: 0n, credit: value },
            ],
          });
        }
        order.received(planned);
      });
    },

    /** A draft bill of what was received and not billed yet (none: 409); the lines count what is billed. */
    bill: followUpDocument({ runInUnitOfWork, stock }, bills, drafts.load, {
      plan: (order) => order.planBill(),
      record: (order, planned) => order.billed(planned),
      partyId: (order) => order.snapshot.supplierId,
      unitAmount: (order, i) => order.snapshot.lines[i].unitCost,
    }),

    /** Cancels a draft, or a confirmed order of which nothing was received. */
    cancel(tenantId: string, id: string, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<PurchaseOrderState> {
      return action(tenantId, id, expected, claim, async (_uow, order) => order.cancel());
    },
  };
}

export type PurchaseOrderUseCases = ReturnType<typeof purchaseOrderUseCases>;
