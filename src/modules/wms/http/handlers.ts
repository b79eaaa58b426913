import type { HandlerMap } from '../../../platform/http/handler';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { BalanceUseCases } from '../application/balances';
import type { CycleCountUseCases } from '../application/cycle-counts';
import type { MoveUseCases } from '../application/moves';
import type { ReservationUseCases } from '../application/reservations';

export interface WmsHandlerDeps {
  cursors: CursorCodec;
  moves: MoveUseCases;
  reservations: ReservationUseCases;
  cycleCounts: CycleCountUseCases;
  balances: BalanceUseCases;
}

/** Every WMS operation's handler, one file per resource. */
export function wmsHandlers(_deps: WmsHandlerDeps): HandlerMap {
  return {};
}
