import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, ConflictError, type ExpectedVersion, InvalidInputError, type InvalidField, NotFoundError } from '../../../platform/errors';
import type { Money } from '../../../platform/money';
import { formatQuantity, parseQuantity, ReservationShortageError, type StockApi, type StockReference } from '../../wms';
import { assertBaseCurrency, BASE_CURRENCY } from '../domain/party';
import { documentNumber } from '../domain/journal-entry';
import { ActionNotAllowedError, SALES_ORDER_SERIES, SalesOrder, type SalesOrderLineInput, type SalesOrderState } from '../domain/sales-order';
import { JournalEntryRepository } from '../infrastructure/journal-entry.repository';
import { PartyRepository } from '../infrastructure/party.repository';
import { SalesOrderRepository } from '../infrastructure/sales-order.repository';
import type { Journal } from './journal';
import { activeTaxRate } from './tax-rates';

export interface SalesOrderDeps {
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
  /** The WMS's stock interface: items, reserve, ship, release in the order's unit of work. */
  stock: Pick<StockApi, 'items' | 'reserve' | 'ship' | 'release'>;
  /** Where a delivery's cost of goods is posted, in the order's unit of work. */
  journal: Journal;
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

/** Today in UTC, as YYYY-MM-DD. */
const today = (now = new Date()) => now.toISOString().slice(0, 10);

const reference = (id: string): StockReference => ({ type: 'sales_order', id });

/**
 * Sales orders: drafts written and changed, then confirmed (every line reserved in the WMS, all
 * or none), delivered (shipped through the WMS, the cost of goods posted to the journal) or
 * cancelled (the reservations released) — each in one unit of work with the order.
 */
export function salesOrderUseCases({ db, runInUnitOfWork, stock, journal }: SalesOrderDeps) {
  const notFound = (id: string) => new NotFoundError(`There is no sales order ${id}.`);

  /** The customer must be one of the tenant's (else a 400 naming `customer_id`); returns its default tax rate. */
  async function customerOf(uow: UnitOfWork, customerId: string): Promise<{ taxRateId: string | null }> {
    const customer = await PartyRepository.in(uow).of('customer').state(customerId);
    if (!customer) throw new InvalidInputError([{ pointer: '/customer_id', detail: `is not a customer of this tenant (there is no customer ${customerId})` }]);
    return { taxRateId: customer.taxRateId };
  }

  /**
   * The lines checked against the WMS's items (of the tenant, active; the quantity in the item's
   * unit) and the tax rates (the line's or the customer's default; active), each refusal a 400
   * naming `/lines/<n>/…`.
   */
  async function resolveLines(uow: UnitOfWork, lines: readonly SalesOrderLineRequest[], defaultTaxRateId: string | null): Promise<SalesOrderLineInput[]> {
    const items = await stock.items(
      uow,
      lines.map((l) => l.itemId),
    );
    const bad: InvalidField[] = [];
    const quantities = lines.map((l, i) => {
      const item = items.get(l.itemId);
      if (!item) bad.push({ pointer: `/lines/${i}/item_id`, detail: `is not an item of this tenant (there is no item ${l.itemId})` });
      else if (!item.isActive) bad.push({ pointer: `/lines/${i}/item_id`, detail: `is inactive (item ${item.sku}): it is not sold` });
      else {
        try {
          return parseQuantity(l.quantity, `/lines/${i}/quantity`, { unit: item.unit });
        } catch (err) {
          if (!(err instanceof InvalidInputError)) throw err;
          bad.push(...err.fields);
        }
      }
      return 0;
    });
    lines.forEach((l, i) => {
      if (!l.taxRateId && !defaultTaxRateId) bad.push({ pointer: `/lines/${i}/tax_rate_id`, detail: 'is required: the customer has no default tax rate' });
    });
    if (bad.length) throw new InvalidInputError(bad);
    const resolved: SalesOrderLineInput[] = [];
    for (const [i, l] of lines.entries()) {
      const rate = await activeTaxRate(uow, (l.taxRateId ?? defaultTaxRateId)!, `/lines/${i}/tax_rate_id`);
      resolved.push({
        itemId: l.itemId,
        quantity: quantities[i],
        unitPrice: l.unitPrice,
        taxRateId: rate.id,
        taxRate: rate.rate,
        taxInclusive: rate.inclusive,
        locationId: l.locationId ?? null,
        warehouseId: l.warehouseId ?? null,
      });
    }
    return resolved;
  }

  /** Loads the order locked, checks If-Match; every action starts here. */
  async function load(uow: UnitOfWork, id: string, expected: ExpectedVersion): Promise<{ repo: SalesOrderRepository; order: SalesOrder; loaded: number }> {
    const repo = SalesOrderRepository.in(uow);
    const order = await repo.get(id);
    if (!order) throw notFound(id);
    checkExpectedVersion(`sales order ${id}`, order.version, expected);
    return { repo, order, loaded: order.version };
  }

  return {
    create(tenantId: string, input: SalesOrderCreate, claim?: IdempotencyClaim): Promise<SalesOrderState> {
      const currency = input.currency ?? BASE_CURRENCY;
      assertBaseCurrency(currency);
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const customer = await customerOf(uow, input.customerId);
          const lines = await resolveLines(uow, input.lines, customer.taxRateId);
          const orderDate = input.orderDate ?? today();
          // Taken last, in the order's unit of work: a refused order takes no number (gapless).
          const year = Number(orderDate.slice(0, 4));
          const number = documentNumber(SALES_ORDER_SERIES, year, await JournalEntryRepository.in(uow).nextNumber(SALES_ORDER_SERIES, year));
          const order = SalesOrder.create(tenantId, { number, customerId: input.customerId, orderDate, currency, lines });
          await SalesOrderRepository.in(uow).add(order);
          return order.snapshot;
        },
        claim,
      );
    },

    async get(tenantId: string, id: string): Promise<SalesOrderState> {
      const state = await new SalesOrderRepository(db, tenantId).state(id);
      if (!state) throw notFound(id);
      return state;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<SalesOrderState>> {
      return new SalesOrderRepository(db, tenantId).list(request);
    },

    /** A merge patch of a draft (else 409); `lines` replaces them all, checked as on create. */
    update(tenantId: string, id: string, expected: ExpectedVersion, patch: SalesOrderChange): Promise<SalesOrderState> {
      if (patch.currency !== undefined) assertBaseCurrency(patch.currency);
      return runInUnitOfWork(tenantId, async (uow) => {
        const { repo, order, loaded } = await load(uow, id, expected);
        const s = order.snapshot;
        if (s.status !== 'draft') throw new ActionNotAllowedError(s.id, s.status, 'change');
        const customer = patch.customerId !== undefined || patch.lines !== undefined ? await customerOf(uow, patch.customerId ?? s.customerId) : null;
        const lines = patch.lines ? await resolveLines(uow, patch.lines, customer!.taxRateId) : undefined;
        if (!order.change({ customerId: patch.customerId, orderDate: patch.orderDate, currency: patch.currency, lines }).changed) return order.snapshot;
        await repo.save(order, loaded);
        return order.snapshot;
      });
    },

    /**
     * Reserves every line in the WMS, all or none, with the order in one unit of work. A short
     * line is the WMS's 409, each shortage naming the order's line (`line_id`).
     */
    confirm(tenantId: string, id: string, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<SalesOrderState> {
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const { repo, order, loaded } = await load(uow, id, expected);
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
            throw new ConflictError(`${shortages.length} of ${lines.length} lines of sales order ${id} cannot be reserved in full (${shortages.map((s) => s.line_id).join(', ')}); nothing was reserved.`, { shortages });
          }
          order.confirm(reserved.map((r) => r.id));
          await repo.save(order, loaded);
          return order.snapshot;
        },
        claim,
      );
    },

    /**
     * Ships the outstanding quantities (or those asked for) through the WMS, each consuming the
     * line's reservation, and posts the shipments' cost of goods (debit cost of goods sold,
     * credit inventory) to the journal: one unit of work.
     */
    deliver(tenantId: string, id: string, expected: ExpectedVersion, requested: readonly { lineId: string; quantity: string }[] | undefined, actor: string, claim?: IdempotencyClaim): Promise<SalesOrderState> {
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const { repo, order, loaded } = await load(uow, id, expected);
          order.assertAllowed('deliver');
          let asked: { lineId: string; quantity: number }[] | undefined;
          if (requested) {
            const lines = order.snapshot.lines;
            const items = await stock.items(
              uow,
              lines.map((l) => l.itemId),
            );
            asked = requested.map((r, i) => {
              const line = lines.find((l) => l.id === r.lineId);
              const unit = line ? items.get(line.itemId)?.unit : undefined;
              return { lineId: r.lineId, quantity: parseQuantity(r.quantity, `/lines/${i}/quantity`, unit ? { unit } : {}) };
            });
          }
          const planned = order.planDelivery(asked);
          const shipped = await stock.ship(uow, reference(id), actor, new Map(planned.map((p) => [p.reservationId, p.quantity])));
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
          await repo.save(order, loaded);
          return order.snapshot;
        },
        claim,
      );
    },

    /** Cancels a draft or confirmed order; what it reserved is released in the same unit of work. */
    cancel(tenantId: string, id: string, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<SalesOrderState> {
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const { repo, order, loaded } = await load(uow, id, expected);
          order.assertAllowed('cancel');
          if (order.snapshot.status === 'confirmed') await stock.release(uow, reference(id));
          order.cancel();
          await repo.save(order, loaded);
          return order.snapshot;
        },
        claim,
      );
    },
  };
}

export type SalesOrderUseCases = ReturnType<typeof salesOrderUseCases>;
