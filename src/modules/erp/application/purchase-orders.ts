import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { type ExpectedVersion, NotFoundError } from '../../../platform/errors';
import type { Money } from '../../../platform/money';
import { formatQuantity, type StockApi, type StockReference } from '../../wms';
import { assertBaseCurrency, BASE_CURRENCY } from '../domain/party';
import { PURCHASE_ORDER_SERIES, PurchaseOrder, type PurchaseOrderLineInput, type PurchaseOrderState, receiptValue } from '../domain/purchase-order';
import { PurchaseOrderRepository } from '../infrastructure/purchase-order.repository';
import type { Journal } from './journal';
import { loadOrder, orderAction, orderNumber, partyOf, requestedQuantities, resolveLines, today } from './orders';

export interface PurchaseOrderDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
  /** The WMS's stock interface: items, and receipts in the order's unit of work. */
  stock: Pick<StockApi, 'items' | 'receive'>;
  /** Where a receipt's goods-received entry is posted, in the order's unit of work. */
  journal: Journal;
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
export function purchaseOrderUseCases({ db, runInUnitOfWork, stock, journal }: PurchaseOrderDeps) {
  /** The lines checked as every order's are; a location, when named, must be the tenant's (else a 400 naming `/lines/<n>/location_id`). */
  async function resolve(uow: UnitOfWork, lines: readonly PurchaseOrderLineRequest[], supplierId: string): Promise<PurchaseOrderLineInput[]> {
    const supplier = await partyOf(uow, 'supplier', supplierId);
    const resolved = await resolveLines(uow, stock, lines, supplier.taxRateId, 'supplier');
    return resolved.map((r, i) => ({ ...r, unitCost: lines[i].unitCost, locationId: lines[i].locationId ?? null }));
  }

  const load = (uow: UnitOfWork, id: string, expected: ExpectedVersion) => loadOrder(PurchaseOrderRepository.in(uow), id, expected, WHAT);

  const action = orderAction(runInUnitOfWork, load);

  return {
    create(tenantId: string, input: PurchaseOrderCreate, claim?: IdempotencyClaim): Promise<PurchaseOrderState> {
      const currency = input.currency ?? BASE_CURRENCY;
      assertBaseCurrency(currency);
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const lines = await resolve(uow, input.lines, input.supplierId);
          const orderDate = input.orderDate ?? today();
          const number = await orderNumber(uow, PURCHASE_ORDER_SERIES, orderDate);
          const order = PurchaseOrder.create(tenantId, { number, supplierId: input.supplierId, orderDate, currency, lines });
          await PurchaseOrderRepository.in(uow).add(order);
          return order.snapshot;
        },
        claim,
      );
    },

    async get(tenantId: string, id: string): Promise<PurchaseOrderState> {
      const state = await new PurchaseOrderRepository(db, tenantId).state(id);
      if (!state) throw new NotFoundError(`There is no ${WHAT} ${id}.`);
      return state;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<PurchaseOrderState>> {
      return new PurchaseOrderRepository(db, tenantId).list(request);
    },

    /** A merge patch of a draft (else 409); `lines` replaces them all, checked as on create. */
    update(tenantId: string, id: string, expected: ExpectedVersion, patch: PurchaseOrderChange): Promise<PurchaseOrderState> {
      if (patch.currency !== undefined) assertBaseCurrency(patch.currency);
      return runInUnitOfWork(tenantId, async (uow) => {
        const { repo, order, loaded } = await load(uow, id, expected);
        order.assertDraft();
        const supplierId = patch.supplierId ?? order.snapshot.supplierId;
        if (patch.supplierId !== undefined && !patch.lines) await partyOf(uow, 'supplier', supplierId);
        const lines = patch.lines && (await resolve(uow, patch.lines, supplierId));
        if (order.change({ supplierId: patch.supplierId, orderDate: patch.orderDate, currency: patch.currency, lines }).changed) await repo.save(order, loaded);
        return order.snapshot;
      });
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

    /** Cancels a draft, or a confirmed order of which nothing was received. */
    cancel(tenantId: string, id: string, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<PurchaseOrderState> {
      return action(tenantId, id, expected, claim, async (_uow, order) => order.cancel());
    },
  };
}

export type PurchaseOrderUseCases = ReturnType<typeof purchaseOrderUseCases>;
