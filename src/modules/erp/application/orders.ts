import type { IdempotencyClaim, RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, type ExpectedVersion, InvalidInputError, type InvalidField, NotFoundError } from '../../../platform/errors';
import { parseQuantity, type StockApi } from '../../wms';
import { documentNumber } from '../domain/journal-entry';
import type { PartyRole } from '../domain/party';
import type { TaxedLine } from '../domain/order';
import { JournalEntryRepository } from '../infrastructure/journal-entry.repository';
import { PartyRepository } from '../infrastructure/party.repository';
import { activeTaxRate } from './tax-rates';

/**
 * The steps the use cases of sales and purchase orders share: the party and the lines checked
 * as written, the order's number, the order loaded for an action, the quantities of a delivery
 * or receipt read in each item's unit.
 */

/** Today in UTC, as YYYY-MM-DD. */
export const today = (now = new Date()) => now.toISOString().slice(0, 10);

/** The customer or supplier must be one of the tenant's (else a 400 naming `/<role>_id`); returns its default tax rate. */
export async function partyOf(uow: UnitOfWork, role: PartyRole, id: string): Promise<{ taxRateId: string | null }> {
  const party = await PartyRepository.in(uow).of(role).state(id);
  if (!party) throw new InvalidInputError([{ pointer: `/${role}_id`, detail: `is not a ${role} of this tenant (there is no ${role} ${id})` }]);
  return { taxRateId: party.taxRateId };
}

/** What a line as written names that every order checks the same way. */
export interface OrderLineRequest {
  itemId: string;
  quantity: string;
  taxRateId?: string;
}


/**
 * The lines checked against the WMS's items (of the tenant, active; the quantity in the item's
 * unit) and the tax rates (the line's or the party's default; active), each refusal a 400
 * naming `/lines/<n>/…`.
 */
export async function resolveLines(uow: UnitOfWork, stock: Pick<StockApi, 'items'>, lines: readonly OrderLineRequest[], defaultTaxRateId: string | null, role: PartyRole): Promise<TaxedLine[]> {
  const items = await stock.items(
    uow,
    lines.map((l) => l.itemId),
  );
  const bad: InvalidField[] = [];
  const quantities = lines.map((l, i) => {
    const item = items.get(l.itemId);
    if (!item) bad.push({ pointer: `/lines/${i}/item_id`, detail: `is not an item of this tenant (there is no item ${l.itemId})` });
    else if (!item.isActive) bad.push({ pointer: `/lines/${i}/item_id`, detail: `is inactive (item ${item.sku}): it is not ordered` });
    else {
      try {
        return parseQuantity(l.quantity, `/lines/${i}/quantity`, { unit: item.unit });
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        bad.push(...err.fields);
      }
    }
    return 0;
  });
  lines.forEach((l, i) => {
    if (!l.taxRateId && !defaultTaxRateId) bad.push({ pointer: `/lines/${i}/tax_rate_id`, detail: `is required: the ${role} has no default tax rate` });
  });
  if (bad.length) throw new InvalidInputError(bad);
  const resolved: TaxedLine[] = [];
  for (const [i, l] of lines.entries()) {
    const rate = await activeTaxRate(uow, (l.taxRateId ?? defaultTaxRateId)!, `/lines/${i}/tax_rate_id`);
    resolved.push({ itemId: l.itemId, quantity: quantities[i], taxRateId: rate.id, taxRate: rate.rate, taxInclusive: rate.inclusive });
  }
  return resolved;
}

/** The next number of `series` in the year of `orderDate`: taken last in the order's unit of work, so that a refused order takes none (gapless). */
export async function orderNumber(uow: UnitOfWork, series: string, orderDate: string): Promise<string> {
  const year = Number(orderDate.slice(0, 4));
  return documentNumber(series, year, await JournalEntryRepository.in(uow).nextNumber(series, year));
}

/** Loads the order locked and checks If-Match: every action starts here. `what`: `sales order`. */
export async function loadOrder<R extends { get(id: string): Promise<{ version: number } | null> }>(
  repo: R,
  id: string,
  expected: ExpectedVersion,
  what: string,
): Promise<{ repo: R; order: NonNullable<Awaited<ReturnType<R['get']>>>; loaded: number }> {
  const order = (await repo.get(id)) as Awaited<ReturnType<R['get']>>;
  if (!order) throw new NotFoundError(`There is no ${what} ${id}.`);
  checkExpectedVersion(`${what} ${id}`, order.version, expected);
  return { repo, order, loaded: order.version };
}

/** The quantities of a delivery or receipt as asked for, each read in its line's item's unit (a 400 naming `/lines/<n>/quantity`). */
export async function requestedQuantities<R extends { lineId: string; quantity: string }>(
  uow: UnitOfWork,
  stock: Pick<StockApi, 'items'>,
  lines: readonly { id: string; itemId: string }[],
  requested: readonly R[],
): Promise<(Omit<R, 'quantity'> & { quantity: number })[]> {
  const items = await stock.items(
    uow,
    lines.map((l) => l.itemId),
  );
  return requested.map((r, i) => {
    const line = lines.find((l) => l.id === r.lineId);
    const unit = line ? items.get(line.itemId)?.unit : undefined;
    return { ...r, quantity: parseQuantity(r.quantity, `/lines/${i}/quantity`, unit ? { unit } : {}) };
  });
}

/**
 * How every action of an order runs: in one unit of work, the order loaded locked at the
 * version If-Match names, `act` applied (and whatever it does in the WMS and the journal), the
 * order saved at the version it was loaded at; the answer is the order after it.
 */
export function orderAction<O extends { snapshot: unknown }>(
  runInUnitOfWork: RunInUnitOfWork,
  load: (uow: UnitOfWork, id: string, expected: ExpectedVersion) => Promise<{ repo: { save(order: O, loaded: number): Promise<void> }; order: O; loaded: number }>,
) {
  return (tenantId: string, id: string, expected: ExpectedVersion, claim: IdempotencyClaim | undefined, act: (uow: UnitOfWork, order: O) => Promise<void>): Promise<O['snapshot']> =>
    runInUnitOfWork(
      tenantId,
      async (uow) => {
        const { repo, order, loaded } = await load(uow, id, expected);
        await act(uow, order);
        await repo.save(order, loaded);
        return order.snapshot;
      },
      claim,
    );
}
