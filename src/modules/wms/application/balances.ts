import type { Database } from '../../../platform/db/database';
import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import { UnitOfWork } from '../../../platform/db/unit-of-work';
import { NotFoundError } from '../../../platform/errors';
import type { Money } from '../../../platform/money';
import type { Thousandths } from '../domain/quantity';
import { ItemValuation } from '../domain/valuation';
import { BalanceRepository, type BalanceRead, type Drift } from '../infrastructure/balance.repository';
import { StockRepository } from '../infrastructure/stock.repository';

export interface BalanceView {
  itemId: string;
  locationId: string;
  warehouseId: string;
  lot: string | null;
  onHand: Thousandths;
  reserved: Thousandths;
  available: Thousandths;
  /** On hand at the item's moving-average cost. */
  value: Money | null;
  updatedAt: Date;
}

export interface ItemStockView {
  itemId: string;
  onHand: Thousandths;
  reserved: Thousandths;
  available: Thousandths;
  reorderPoint: Thousandths;
  belowReorderPoint: boolean;
  unitCost: Money | null;
  value: Money | null;
  locations: number;
}

export interface StockCheck {
  checkedAt: Date;
  balancesChecked: number;
  itemsChecked: number;
  drift: Drift[];
}

function toView(b: BalanceRead): BalanceView {
  return {
    itemId: b.itemId,
    locationId: b.locationId,
    warehouseId: b.warehouseId,
    lot: b.lot === '' ? null : b.lot,
    onHand: b.onHand,
    reserved: b.reserved,
    available: b.onHand - b.reserved,
    value: ItemValuation.of(b.item).valueOf(b.onHand),
    updatedAt: b.updatedAt,
  };
}

/** Reads of what the ledger derived: balances, an item's totals, and the check that they agree. */
export function balanceUseCases(db: Database) {
  return {
    async list(tenantId: string, request: ListRequest): Promise<ListPage<BalanceView>> {
      const page = await new BalanceRepository(db, tenantId).list(request);
      return { items: page.items.map(toView), next: page.next };
    },

    async itemStock(tenantId: string, itemId: string): Promise<ItemStockView> {
      const stock = new StockRepository(db, tenantId);
      const item = (await stock.items([itemId])).get(itemId);
      if (!item) throw new NotFoundError(`There is no item ${itemId}.`);
      const totals = await stock.totals(itemId);
      const valuation = ItemValuation.of(totals);
      const available = totals.onHand - totals.reserved;
      return {
        itemId,
        onHand: totals.onHand,
        reserved: totals.reserved,
        available,
        reorderPoint: item.reorderPoint,
        belowReorderPoint: available < item.reorderPoint,
        unitCost: valuation.unitCost,
        value: valuation.valueOf(totals.onHand),
        locations: await new BalanceRepository(db, tenantId).locationsHolding(itemId),
      };
    },

    /** Compares every balance and item total of the tenant with the ledger (empty drift: they agree). */
    async check(tenantId: string): Promise<StockCheck> {
      const checkedAt = new Date();
      // One transaction: one consistent snapshot of ledger and balances, however busy the tenant.
      const { drift, balances, items } = await db.transaction((t) => new BalanceRepository(db, tenantId, new UnitOfWork(db, t, tenantId)).drift());
      return { checkedAt, balancesChecked: balances, itemsChecked: items, drift };
    },
  };
}

export type BalanceUseCases = ReturnType<typeof balanceUseCases>;
