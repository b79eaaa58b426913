import type { HandlerMap } from '../../../platform/http/handler';
import type { CursorCodec } from '../../../platform/http/pagination';

export interface WmsHandlerDeps {
  cursors: CursorCodec;
}

/** Every WMS operation's handler, one file per resource. */
export function wmsHandlers(_deps: WmsHandlerDeps): HandlerMap {
  return {};
}
