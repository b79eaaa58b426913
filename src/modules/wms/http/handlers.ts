import type { HandlerMap } from '../../../platform/http/handler';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { BalanceUseCases } from '../application/balances';
import type { CycleCountUseCases } from '../application/cycle-counts';
import type { MoveUseCases } from '../application/moves';
import type { ReservationUseCases } from '../application/reservations';
import { balanceHandlers } from './balances.handlers';
import { cycleCountHandlers } from './cycle-counts.handlers';
import { reservationHandlers } from './reservations.handlers';
import { stockMoveHandlers } from './stock-moves.handlers';

export interface WmsHandlerDeps {
  cursors: CursorCodec;
  moves: MoveUseCases;
  reservations: ReservationUseCases;
  cycleCounts: CycleCountUseCases;
  balances: BalanceUseCases;
}

/** Every WMS operation's handler, one file per resource. */
export function wmsHandlers({ cursors, moves, reservations, cycleCounts, balances }: WmsHandlerDeps): HandlerMap {
  return {
    ...stockMoveHandlers(moves, cursors),
    ...balanceHandlers(balances, cursors),
    ...reservationHandlers(reservations, cursors),
    ...cycleCountHandlers(cycleCounts, cursors),
  };
}
