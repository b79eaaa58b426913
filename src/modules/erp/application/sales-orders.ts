import type { Database } from '../../../platform/db/database';
import type { IdempotencyClaim, RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { ConflictError, type ExpectedVersion } from '../../../platform/errors';
import type { Money } from '../../../platform/money';
import { formatQuantity, ReservationShortageError, type StockApi, type StockReference } from '../../wms';
import { type PlannedDelivery, SALES_ORDER_SERIES, SalesOrder, type SalesOrderLineInput, type SalesOrderState } from '../domain/sales-order';
import { SalesOrderRepository } from '../infrastructure/sales-order.repository';
import { type DocumentUseCases, followUpDocument } from './documents';
import type { Journal } from './journal';
import { orderAction, orderDrafts, requestedQuantities, today } from './orders';

/** Short lines a confirm's 409 names in `detail`; `shortages` lists every one. */
const SHORT_LINES_NAMED = 10;

export interface SalesOrderDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
  /** The WMS's stock interface: items, reserve, ship, release in the order's unit of work. */
  stock: Pick<StockApi, 'items' | 'reserve' | 'ship' | 'release' | 'active'>;
  /** Where a delivery's cost of goods is posted, in the order's unit of work. */
  journal: Journal;
  /** Where the `invoice` action drafts, in the order's unit of work. */
  invoices: DocumentUseCases;
}

/** A line as the request writes it. */
export interface SalesOrderLineRequest {
  itemId: string;
  quantity: string;
  unitPrice: Money;
  taxRateId?: string;
  locationId?: string;
  warehouseId?: string;
}

export interface SalesOrderCreate {
  customerId: string;
  orderDate?: string;
  currency?: string;
  lines: readonly SalesOrderLineRequest[];
}

export interface SalesOrderChange {
  customerId?: string;
  orderDate?: string;
  currency?: string;
  lines?: readonly SalesOrderLineRequest[];
}

const WHAT = 'sales order';
const reference = (id: string): StockReference => ({ type: 'sales_order', id });

/**
 * Sales orders: drafts written and changed, then confirmed (every line reserved in the WMS, all
 * or none), delivered (shipped through the WMS, the cost of goods posted to the journal) or
 * cancelled (the reservations released) — each in one unit of work with the order.
 */
export function salesOrderUseCases({ db, runInUnitOfWork, stock, journal, invoices }: SalesOrderDeps) {
  /**
   * What a delivery ships from each reservation: each line's quantity taken from its
   * reservations in order, each giving what it still holds. A line whose reservations hold less
   * (one was released in the WMS by hand) is a 409 naming it; nothing is shipped.
   */
  async function fromReservations(uow: UnitOfWork, id: string, planned: readonly PlannedDelivery[]): Promise<Map<string, number>> {
    const holding = new Map((await stock.active(uow, reference(id))).map((r) => [r.id, r.remaining]));
    const quantities = new Map<string, number>();
    for (const p of planned) {
      let left = p.quantity;
      for (const reservationId of p.reservationIds) {
        const take = Math.min(left, holding.get(reservationId) ?? 0);
        if (take <= 0) continue;
        quantities.set(reservationId, (quantities.get(reservationId) ?? 0) + take);
        holding.set(reservationId, holding.get(reservationId)! - take);
        left -= take;
        if (left === 0) break;
      }
      if (left > 0) {
        throw new ConflictError(`Line ${p.lineId} of sales order ${id} is reserved for ${formatQuantity(p.quantity - left)} less than the ${formatQuantity(p.quantity)} to deliver: a reservation of it was released in the WMS. Cancel the order, or deliver less.`, {
          line_id: p.lineId,
          shortfall: formatQuantity(left),
        });
      }
    }
    return quantities;
  }

  const drafts = orderDrafts(
    { runInUnitOfWork, stock },
    {
      role: 'customer',
      series: SALES_ORDER_SERIES,
      what: WHAT,
      repo: (uow) => SalesOrderRepository.in(uow),
      reader: (tenantId) => new SalesOrderRepository(db, tenantId),
      line: (r: SalesOrderLineRequest, checked): SalesOrderLineInput => ({ ...checked, unitPrice: r.unitPrice, locationId: r.locationId ?? null, warehouseId: r.warehouseId ?? null }),
      make: (tenantId, { partyId, ...fields }) => SalesOrder.create(tenantId, { ...fields, customerId: partyId }),
      partyIdOf: (order) => order.snapshot.customerId,
      change: (order, { partyId, ...patch }) => order.change({ ...patch, customerId: partyId }),
    },
  );
  const action = orderAction(runInUnitOfWork, drafts.load);

  return {
    create(tenantId: string, { customerId, ...input }: SalesOrderCreate, claim?: IdempotencyClaim): Promise<SalesOrderState> {
      return drafts.create(tenantId, { ...input, partyId: customerId }, claim);
    },

    get: drafts.get,
    list: drafts.list,

    /** A merge patch of a draft (else 409); `lines` replaces them all, checked as on create. */
    update(tenantId: string, id: string, expected: ExpectedVersion, { customerId, ...patch }: SalesOrderChange): Promise<SalesOrderState> {
      return drafts.update(tenantId, id, expected, { ...patch, partyId: customerId });
    },

    /**
     * Reserves every line in the WMS, all or none, with the order in one unit of work. A short
     * line is the WMS's 409, each shortage naming the order's line (`line_id`).
     */
    confirm(tenantId: string, id: string, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<SalesOrderState> {
      return action(tenantId, id, expected, claim, async (uow, order) => {
        order.assertAllowed('confirm');
        const lines = order.snapshot.lines;
        let reserved;
        try {
          reserved = await stock.reserve(
            uow,
            reference(id),
            lines.map((l) => ({ itemId: l.itemId, quantity: formatQuantity(l.quantity), ...(l.locationId ? { locationId: l.locationId } : { warehouseId: l.warehouseId! }) })),
          );
        } catch (err) {
          if (!(err instanceof ReservationShortageError)) throw err;
          const shortages = (err.extensions.shortages as Record<string, unknown>[]).map((s, k) => ({ ...s, line_id: lines[err.lines[k]].id }));
          // `detail` names a few lines (it holds 2,000 characters; an order up to 200 lines), `shortages` all of them.
          const named = shortages.slice(0, SHORT_LINES_NAMED).map((s) => s.line_id);
          const more = shortages.length - named.length;
          throw new ConflictError(
            `${shortages.length} of ${lines.length} lines of sales order ${id} cannot be reserved in full (${named.join(', ')}${more ? ` and ${more} more, see shortages` : ''}); nothing was reserved.`,
            { shortages },
          );
        }
        order.confirm(reserved.map((held) => held.map((r) => r.id)));
      });
    },

    /**
     * Ships the outstanding quantities (or those asked for) through the WMS, each consuming the
     * line's reservation, and posts the shipments' cost of goods (debit cost of goods sold,
     * credit inventory) to the journal: one unit of work.
     */
    deliver(tenantId: string, id: string, expected: ExpectedVersion, requested: readonly { lineId: string; quantity: string }[] | undefined, actor: string, claim?: IdempotencyClaim): Promise<SalesOrderState> {
      return action(tenantId, id, expected, claim, async (uow, order) => {
        order.assertAllowed('deliver');
        const asked = requested && (await requestedQuantities(uow, stock, order.snapshot.lines, requested));
        const planned = order.planDelivery(asked);
        const shipped = await stock.ship(uow, reference(id), actor, await fromReservations(uow, id, planned));
        const cost = shipped.reduce((sum, s) => sum + BigInt(s.move.cost?.amount ?? 0), 0n);
        if (cost > 0n) {
          const [costOfGoods, inventory] = [await journal.accountId(uow, 'cost_of_goods'), await journal.accountId(uow, 'inventory')];
          await journal.post(uow, {
            date: today(),
            memo: `Cost of goods of sales order ${id}`,
            source: reference(id),
            lines: [
              { ledgerAccountId: costOfGoods, debit: cost, credit: 0n },
              { ledgerAccountId: inventory, debit: 0n, credit: cost },
            ],
          });
        }
        order.delivered(planned);
      });
    },

    /** A draft invoice of what was delivered and not invoiced yet (none: 409); the order is `invoiced` once everything delivered is. */
    invoice: followUpDocument({ runInUnitOfWork, stock }, invoices, drafts.load, {
      plan: (order) => order.planInvoice(),
      record: (order, planned) => order.invoiced(planned),
      partyId: (order) => order.snapshot.customerId,
      unitAmount: (order, i) => order.snapshot.lines[i].unitPrice,
    }),

    /** Cancels a draft or confirmed order; what it reserved is released in the same unit of work. */
    cancel(tenantId: string, id: string, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<SalesOrderState> {
      return action(tenantId, id, expected, claim, async (uow, order) => {
        order.assertAllowed('cancel');
        if (order.snapshot.status === 'confirmed') await stock.release(uow, reference(id));
        order.cancel();
      });
    },
  };
}

export type SalesOrderUseCases = ReturnType<typeof salesOrderUseCases>;
