import type { List } from '../../../platform/db/list-query';
import { BALANCE_LIST } from './balance.repository';
import { CYCLE_COUNT_LIST } from './cycle-count.repository';
import { ITEM_LIST } from './item.repository';
import { LOCATION_LIST } from './location.repository';
import { STOCK_MOVE_LIST } from './move.repository';
import { RESERVATION_LIST } from './reservation.repository';
import { WAREHOUSE_LIST } from './warehouse.repository';

/** The module's lists by the operation that serves each: test/contract holds them to the contract. */
export const wmsLists = {
  listItems: ITEM_LIST,
  listWarehouses: WAREHOUSE_LIST,
  listLocations: LOCATION_LIST,
  listStockMoves: STOCK_MOVE_LIST,
  listBalances: BALANCE_LIST,
  listReservations: RESERVATION_LIST,
  listCycleCounts: CYCLE_COUNT_LIST,
} satisfies Readonly<Record<string, List>>;
