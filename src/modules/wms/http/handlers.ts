import type { HandlerMap } from '../../../platform/http/handler';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { BalanceUseCases } from '../application/balances';
import type { CycleCountUseCases } from '../application/cycle-counts';
import type { ItemUseCases } from '../application/items';
import type { LocationUseCases } from '../application/locations';
import type { MoveUseCases } from '../application/moves';
import type { ReservationUseCases } from '../application/reservations';
import type { WarehouseUseCases } from '../application/warehouses';
import { balanceHandlers } from './balances.handlers';
import { cycleCountHandlers } from './cycle-counts.handlers';
import { itemHandlers } from './items.handlers';
import { locationHandlers } from './locations.handlers';
import { reservationHandlers } from './reservations.handlers';
import { stockMoveHandlers } from './stock-moves.handlers';
import { warehouseHandlers } from './warehouses.handlers';

export interface WmsHandlerDeps {
  items: ItemUseCases;
  warehouses: WarehouseUseCases;
  locations: LocationUseCases;
  cursors: CursorCodec;
  moves: MoveUseCases;
  reservations: ReservationUseCases;
  cycleCounts: CycleCountUseCases;
  balances: BalanceUseCases;
}

/** Every WMS operation's handler, one file per resource. */
export function wmsHandlers({ items, warehouses, locations, cursors, moves, reservations, cycleCounts, balances }: WmsHandlerDeps): HandlerMap {
  return {
    ...itemHandlers(items, cursors),
    ...warehouseHandlers(warehouses, cursors),
    ...locationHandlers(locations, cursors),
    ...stockMoveHandlers(moves, cursors),
    ...balanceHandlers(balances, cursors),
    ...reservationHandlers(reservations, cursors),
    ...cycleCountHandlers(cycleCounts, cursors),
  };
}
