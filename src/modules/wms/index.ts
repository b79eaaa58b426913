/**
 * The WMS module: items, warehouses and their locations, a stock ledger of immutable moves,
 * balances derived from it in the same transaction, reservations, cycle counts and the
 * moving-average valuation.
 * Publishes: wms.stock.moved, wms.stock.reserved, wms.stock.released, wms.stock.low (each
 * documented under the contract's webhooks).
 * Consumes: nothing.
 * Offers other modules (`use(wmsModule)`): reserving, releasing and shipping the lines of a
 * reference inside the caller's unit of work (ERP's orders).
 */
import { defineModule, type ModuleDefinition } from '../../platform/module';
import { wmsHandlers } from './http/handlers';
import { wmsLists } from './infrastructure/lists';
import { wmsModels } from './infrastructure/models';

export const wmsModule = defineModule({
  name: 'wms',
  models: wmsModels,
  lists: wmsLists,
  create(kernel) {
    return {
      handlers: wmsHandlers({ cursors: kernel.cursors }),
      api: {},
    };
  },
});

export type WmsApi = typeof wmsModule extends ModuleDefinition<infer A> ? A : never;
