import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { date, json } from '../../../platform/db/rows';
import type { MoveType, StockMoveState, StockMoveView } from '../domain/stock-move';

interface MoveRow {
  id: string;
  tenant_id: string;
  type: string;
  item_id: string;
  quantity: number | string;
  from_location_id: string | null;
  to_location_id: string | null;
  lot: string | null;
  serials: unknown;
  unit_cost_amount: number | string | null;
  cost_amount: number | string | null;
  currency: string | null;
  reason_code: string | null;
  reservation_id: string | null;
  reference_type: string | null;
  reference_id: string | null;
  reverses_move_id: string | null;
  posted_at: Date | string;
  posted_by: string;
  reversed_by_move_id: string | null;
}

const money = (amount: number | string | null, currency: string | null) => (amount === null || currency === null ? null : { amount: Number(amount), currency: currency.trim() });

function toView(r: MoveRow): StockMoveView {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    type: r.type as MoveType,
    itemId: r.item_id,
    quantity: Number(r.quantity),
    fromLocationId: r.from_location_id,
    toLocationId: r.to_location_id,
    lot: r.lot,
    serials: json<string[]>(r.serials),
    unitCost: money(r.unit_cost_amount, r.currency),
    cost: money(r.cost_amount, r.currency),
    reasonCode: r.reason_code,
    reservationId: r.reservation_id,
    reference: r.reference_type && r.reference_id ? { type: r.reference_type, id: r.reference_id } : null,
    reversesMoveId: r.reverses_move_id,
    postedAt: date(r.posted_at),
    postedBy: r.posted_by,
    reversedByMoveId: r.reversed_by_move_id ?? null,
  };
}

const MOVE_COLUMNS =
  'id, tenant_id, type, item_id, quantity, from_location_id, to_location_id, lot, serials, unit_cost_amount, cost_amount, currency, reason_code, reservation_id, reference_type, reference_id, reverses_move_id, posted_at, posted_by';
const REVERSED_BY = '(SELECT r.id FROM wms_stock_moves r WHERE r.tenant_id = m.tenant_id AND r.reverses_move_id = m.id) AS reversed_by_move_id';
const GET = `SELECT ${MOVE_COLUMNS.split(', ').map((c) => `m.${c}`).join(', ')}, ${REVERSED_BY} FROM wms_stock_moves m WHERE m.tenant_id = :tenantId AND m.id = :id`;

/**
 * The ledger, paged (migrations/20261207110000-wms-stock.ts indexes each filter with the sort).
 * `location_id` matches either side of a move: the one or two locations are a set column.
 */
export const STOCK_MOVE_LIST = defineList({
  name: 'wms.stock-moves',
  table: 'wms_stock_moves',
  select: MOVE_COLUMNS,
  columns: {
    item_id: { type: 'text' },
    location_ids: { type: 'set' },
    type: { type: 'text' },
    reference_type: { type: 'text', nullable: true },
    reference_id: { type: 'text', nullable: true },
    posted_at: { type: 'instant' },
  },
  filters: {
    item_id: { kind: 'equals', column: 'item_id' },
    location_id: { kind: 'member', column: 'location_ids' },
    type: { kind: 'equals', column: 'type', values: ['receipt', 'transfer', 'adjustment', 'shipment'] },
    reference_type: { kind: 'equals', column: 'reference_type' },
    reference_id: { kind: 'equals', column: 'reference_id' },
    posted_at: { kind: 'range', column: 'posted_at' },
  },
  sorts: ['posted_at'],
  defaultSort: '-posted_at',
});

/** The ledger's lines: added, read, never changed. */
export class MoveRepository extends TenantRepository {
  async add(m: StockMoveState): Promise<void> {
    await this.execute(
      `INSERT INTO wms_stock_moves (id, tenant_id, type, item_id, quantity, from_location_id, to_location_id, location_ids, lot, serials, unit_cost_amount, cost_amount, currency, reason_code, reservation_id, reference_type, reference_id, reverses_move_id, posted_at, posted_by)
       VALUES (:id, :tenantId, :type, :itemId, :quantity, :from, :to, :locationIds, :lot, :serials, :unitCost, :cost, :currency, :reasonCode, :reservationId, :referenceType, :referenceId, :reverses, :postedAt, :postedBy)`,
      {
        id: m.id,
        type: m.type,
        itemId: m.itemId,
        quantity: m.quantity,
        from: m.fromLocationId,
        to: m.toLocationId,
        locationIds: JSON.stringify([m.fromLocationId, m.toLocationId].filter((l) => l !== null)),
        lot: m.lot,
        serials: JSON.stringify(m.serials),
        unitCost: m.unitCost?.amount ?? null,
        cost: m.cost?.amount ?? null,
        currency: m.cost?.currency ?? m.unitCost?.currency ?? null,
        reasonCode: m.reasonCode,
        reservationId: m.reservationId,
        referenceType: m.reference?.type ?? null,
        referenceId: m.reference?.id ?? null,
        reverses: m.reversesMoveId,
        postedAt: m.postedAt,
        postedBy: m.postedBy,
      },
    );
  }

  async get(id: string): Promise<StockMoveView | undefined> {
    const row = await this.selectOne<MoveRow>(GET, { id });
    return row && toView(row);
  }

  /**
   * The move, its row locked for update on PostgreSQL: moves are never updated, so the lock only
   * makes two reversals of one move take turns (the second then sees the first).
   */
  async lockedGet(id: string): Promise<StockMoveView | undefined> {
    const row = await this.lockingSelectOne<MoveRow>(GET, { id });
    return row && toView(row);
  }

  async list(request: ListRequest): Promise<ListPage<StockMoveView>> {
    const page = await this.page<MoveRow, StockMoveView>(STOCK_MOVE_LIST, request, (r) => toView({ ...r, reversed_by_move_id: null }));
    if (!page.items.length) return page;
    // Which of the page's moves were reversed: one query for the page.
    const { list, params } = this.inList('m', page.items.map((m) => m.id));
    const reversals = await this.select<{ id: string; reverses_move_id: string }>(
      `SELECT id, reverses_move_id FROM wms_stock_moves WHERE tenant_id = :tenantId AND reverses_move_id IN (${list})`,
      params,
    );
    const by = new Map(reversals.map((r) => [r.reverses_move_id, r.id]));
    return { ...page, items: page.items.map((m) => ({ ...m, reversedByMoveId: by.get(m.id) ?? null })) };
  }
}
