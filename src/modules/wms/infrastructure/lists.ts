import type { List } from '../../../platform/db/list-query';
import { BALANCE_LIST } from './balance.repository';
import { CYCLE_COUNT_LIST } from './cycle-count.repository';
import { STOCK_MOVE_LIST } from './move.repository';
import { RESERVATION_LIST } from './reservation.repository';

/** The module's lists by the operation that serves each: test/contract holds them to the contract. */
export const wmsLists = {
  listStockMoves: STOCK_MOVE_LIST,
  listBalances: BALANCE_LIST,
  listReservations: RESERVATION_LIST,
  listCycleCounts: CYCLE_COUNT_LIST,
} satisfies Readonly<Record<string, List>>;
