import type { components } from '../../../../generated/api';
import type { HandlerMap } from '../../../platform/http/handler';
import { iso, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { Money } from '../../../platform/money';
import type { BalanceUseCases, BalanceView } from '../application/balances';
import { formatQuantity } from '../domain/quantity';
import { BALANCE_LIST } from '../infrastructure/balance.repository';

type Schemas = components['schemas'];

const toMoney = (m: Money | null): Schemas['Money'] | null => m && { amount: m.amount, currency: m.currency as Schemas['CurrencyCode'] };

/** At most this many differences in one stock check's answer (the contract bounds the array). */
const MAX_DRIFT = 1000;

const toBalance = (b: BalanceView): Schemas['Balance'] => ({
  item_id: b.itemId,
  location_id: b.locationId,
  warehouse_id: b.warehouseId,
  lot: b.lot,
  on_hand: formatQuantity(b.onHand),
  reserved: formatQuantity(b.reserved),
  available: formatQuantity(b.available),
  value: toMoney(b.value),
  updated_at: iso(b.updatedAt),
});

export function balanceHandlers(balances: BalanceUseCases, cursors: CursorCodec): HandlerMap {
  return {
    async listBalances(request) {
      const tenantId = tenantOf(request);
      const list = readListQuery(BALANCE_LIST, request.query, tenantId, cursors);
      return { status: 200, body: list.body(await balances.list(tenantId, list.request), toBalance) };
    },

    async getItemStock(request) {
      const s = await balances.itemStock(tenantOf(request), request.params.item_id);
      return {
        status: 200,
        body: {
          item_id: s.itemId,
          on_hand: formatQuantity(s.onHand),
          reserved: formatQuantity(s.reserved),
          available: formatQuantity(s.available),
          reorder_point: formatQuantity(s.reorderPoint),
          below_reorder_point: s.belowReorderPoint,
          unit_cost: toMoney(s.unitCost),
          value: toMoney(s.value),
          locations: s.locations,
        },
      };
    },

    async checkStock(request) {
      const check = await balances.check(tenantOf(request));
      return {
        status: 200,
        body: {
          checked_at: iso(check.checkedAt),
          balances_checked: check.balancesChecked,
          items_checked: check.itemsChecked,
          drift: check.drift.slice(0, MAX_DRIFT).map((d) => ({
            kind: d.kind,
            item_id: d.itemId,
            location_id: d.locationId,
            lot: d.lot,
            recorded: d.kind === 'item_value' ? String(d.recorded) : formatQuantity(d.recorded),
            expected: d.kind === 'item_value' ? String(d.expected) : formatQuantity(d.expected),
          })),
        },
      };
    },
  };
}
