/**
 * The WMS module: items, warehouses and their locations, a stock ledger of immutable moves,
 * balances derived from it in the same transaction, reservations, cycle counts and the
 * moving-average valuation.
 * Its demo and bench data: `seed` (application/seed.ts).
 * Publishes: wms.stock.moved, wms.stock.reserved, wms.stock.released, wms.stock.low (each
 * documented under the contract's webhooks).
 * Consumes: nothing.
 * Offers other modules (`use(wmsModule)`): `stock` — reserve the lines of a reference all or
 * none (a line no one place holds whole in several reservations), read what the reference
 * still holds, release them, ship them (with their cost of goods), receive them (at their unit cost),
 * look items up, value all the stock (what ERP's inventory account must equal), each inside
 * the caller's unit of work, so that an order and its stock commit together; `check` — the
 * stock check.
 */
import { defineModule, type ModuleDefinition } from '../../platform/module';
import { balanceUseCases } from './application/balances';
import { cycleCountUseCases } from './application/cycle-counts';
import { itemUseCases } from './application/items';
import { locationUseCases } from './application/locations';
import { moveUseCases } from './application/moves';
import { reservationUseCases } from './application/reservations';
import { wmsSeeder } from './application/seed';
import { stockApi } from './application/stock-api';
import { warehouseUseCases } from './application/warehouses';
import { wmsHandlers } from './http/handlers';
import { wmsLists } from './infrastructure/lists';
import { wmsModels } from './infrastructure/models';

/** How often a serving process ends the reservations past their expiry. */
const EXPIRY_SWEEP_MS = 30_000;

export const wmsModule = defineModule({
  name: 'wms',
  models: wmsModels,
  lists: wmsLists,
  create(kernel) {
    const catalog = { db: kernel.db, runInUnitOfWork: kernel.runInUnitOfWork };
    const items = itemUseCases(catalog);
    const warehouses = warehouseUseCases(catalog);
    const locations = locationUseCases(catalog);
    const moves = moveUseCases(kernel.db, kernel.runInUnitOfWork);
    const reservations = reservationUseCases(kernel.db, kernel.runInUnitOfWork);
    const cycleCounts = cycleCountUseCases(kernel.db, kernel.runInUnitOfWork);
    const balances = balanceUseCases(kernel.db);
    let sweeper: NodeJS.Timeout | undefined;
    let sweeping: Promise<unknown> = Promise.resolve();
    const sweep = () => {
      sweeping = reservations.expireDue().catch((err) => kernel.logger.warn({ err }, 'ending expired reservations failed'));
    };
    return {
      handlers: wmsHandlers({ items, warehouses, locations, cursors: kernel.cursors, moves, reservations, cycleCounts, balances }),
      api: { stock: stockApi, check: balances.check, expireDue: reservations.expireDue },
      seed: wmsSeeder(kernel.db, kernel.runInUnitOfWork),
      onStart() {
        sweeper = setInterval(sweep, EXPIRY_SWEEP_MS);
        sweeper.unref();
      },
      async onStop() {
        clearInterval(sweeper);
        await sweeping;
      },
    };
  },
});

export type WmsApi = typeof wmsModule extends ModuleDefinition<infer A> ? A : never;
export type { StockApi, ReserveLine, ReceiveLine, Shipped } from './application/stock-api';
export { ReservationShortageError } from './application/stock-api';
export type { StockReference, StockMoveState, StockItem } from './domain/stock-move';
export type { ReservationState } from './domain/reservation';
export { formatQuantity, parseQuantity, type Thousandths } from './domain/quantity';
