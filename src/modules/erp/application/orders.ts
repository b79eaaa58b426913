import type { ListPage, ListRequest } from '../../../platform/db/list-query';
import type { IdempotencyClaim, RunInUnitOfWork, UnitOfWork } from '../../../platform/db/unit-of-work';
import { checkExpectedVersion, type ExpectedVersion, InvalidInputError, type InvalidField, NotFoundError } from '../../../platform/errors';
import { parseQuantity, type StockApi } from '../../wms';
import { documentNumber } from '../domain/journal-entry';
import { assertBaseCurrency, BASE_CURRENCY, type PartyRole } from '../domain/party';
import type { TaxedLine } from '../domain/order';
import { SequenceRepository } from '../infrastructure/sequence.repository';
import { PartyRepository } from '../infrastructure/party.repository';
import type { TaxRateState } from '../domain/tax-rate';
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
  const rates = await lineTaxRates(uow, lines, defaultTaxRateId, role, bad);
  return lines.map((l, i) => ({ itemId: l.itemId, quantity: quantities[i], taxRateId: rates[i].id, taxRate: rates[i].rate, taxInclusive: rates[i].inclusive }));
}

/**
 * Each line's tax rate (its own, else the party's default), active: a 400 naming
 * `/lines/<n>/tax_rate_id`, reported with the caller's findings so far (`bad`) — for the lines of
 * orders, invoices and bills.
 */
export async function lineTaxRates(uow: UnitOfWork, lines: readonly { taxRateId?: string }[], defaultTaxRateId: string | null, role: PartyRole, bad: InvalidField[]): Promise<TaxRateState[]> {
  lines.forEach((l, i) => {
    if (!l.taxRateId && !defaultTaxRateId) bad.push({ pointer: `/lines/${i}/tax_rate_id`, detail: `is required: the ${role} has no default tax rate` });
  });
  if (bad.length) throw new InvalidInputError(bad);
  const rates: TaxRateState[] = [];
  for (const [i, l] of lines.entries()) rates.push(await activeTaxRate(uow, (l.taxRateId ?? defaultTaxRateId)!, `/lines/${i}/tax_rate_id`));
  return rates;
}

/** The next number of `series` in the year of `orderDate`: taken last in the order's unit of work, so that a refused order takes none (gapless). */
export async function orderNumber(uow: UnitOfWork, series: string, orderDate: string): Promise<string> {
  const year = Number(orderDate.slice(0, 4));
  return documentNumber(series, year, await SequenceRepository.in(uow).next(series, year));
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

/** What the draft use cases need to know of one kind of order. */
export interface DraftKind<O extends { snapshot: unknown; version: number; assertDraft(): void }, L, R extends OrderLineRequest> {
  role: PartyRole;
  series: string;
  what: string;
  repo: (uow: UnitOfWork) => { get(id: string): Promise<O | null>; add(order: O): Promise<void>; save(order: O, loaded: number): Promise<void> };
  /** The orders of a tenant, read outside any unit of work. */
  reader: (tenantId: string) => { state(id: string): Promise<O['snapshot'] | null>; list(request: ListRequest): Promise<ListPage<O['snapshot']>> };
  /** The kind's line from the request's line and its checked part. */
  line: (request: R, checked: TaxedLine) => L;
  make: (tenantId: string, fields: { number: string; partyId: string; orderDate: string; currency: string; lines: L[] }) => O;
  partyIdOf: (order: O) => string;
  change: (order: O, patch: { partyId?: string; orderDate?: string; currency?: string; lines?: L[] }) => { changed: boolean };
}

/** A new order as the request writes it (`partyId`: its customer or supplier). */
export interface DraftCreate<R> {
  partyId: string;
  orderDate?: string;
  currency?: string;
  lines: readonly R[];
}

export type DraftChange<R> = Partial<DraftCreate<R>>;

/**
 * The use cases every kind of order has besides its actions: get, list, create (the party and
 * lines checked, the number taken last), update (a merge patch of a draft, `lines` checked as on create), and the
 * order loaded for an action.
 */
export function orderDrafts<O extends { snapshot: unknown; version: number; assertDraft(): void }, L, R extends OrderLineRequest>(
  { runInUnitOfWork, stock }: { runInUnitOfWork: RunInUnitOfWork; stock: Pick<StockApi, 'items'> },
  kind: DraftKind<O, L, R>,
) {
  async function resolve(uow: UnitOfWork, lines: readonly R[], partyId: string): Promise<L[]> {
    const party = await partyOf(uow, kind.role, partyId);
    const checked = await resolveLines(uow, stock, lines, party.taxRateId, kind.role);
    return checked.map((c, i) => kind.line(lines[i], c));
  }
  const load = (uow: UnitOfWork, id: string, expected: ExpectedVersion) => loadOrder(kind.repo(uow), id, expected, kind.what);

  return {
    load,

    async get(tenantId: string, id: string): Promise<O['snapshot']> {
      const state = await kind.reader(tenantId).state(id);
      if (!state) throw new NotFoundError(`There is no ${kind.what} ${id}.`);
      return state;
    },

    list(tenantId: string, request: ListRequest): Promise<ListPage<O['snapshot']>> {
      return kind.reader(tenantId).list(request);
    },

    create(tenantId: string, input: DraftCreate<R>, claim?: IdempotencyClaim): Promise<O['snapshot']> {
      const currency = input.currency ?? BASE_CURRENCY;
      assertBaseCurrency(currency);
      return runInUnitOfWork(
        tenantId,
        async (uow) => {
          const lines = await resolve(uow, input.lines, input.partyId);
          const orderDate = input.orderDate ?? today();
          const number = await orderNumber(uow, kind.series, orderDate);
          const order = kind.make(tenantId, { number, partyId: input.partyId, orderDate, currency, lines });
          await kind.repo(uow).add(order);
          return order.snapshot;
        },
        claim,
      );
    },

    /** A merge patch of a draft (else 409); `lines` replaces them all, checked as on create. */
    update(tenantId: string, id: string, expected: ExpectedVersion, patch: DraftChange<R>): Promise<O['snapshot']> {
      if (patch.currency !== undefined) assertBaseCurrency(patch.currency);
      return runInUnitOfWork(tenantId, async (uow) => {
        const { repo, order, loaded } = await load(uow, id, expected);
        order.assertDraft();
        const partyId = patch.partyId ?? kind.partyIdOf(order);
        if (patch.partyId !== undefined && !patch.lines) await partyOf(uow, kind.role, partyId);
        const lines = patch.lines && (await resolve(uow, patch.lines, partyId));
        if (kind.change(order, { partyId: patch.partyId, orderDate: patch.orderDate, currency: patch.currency, lines }).changed) await repo.save(order, loaded);
        return order.snapshot;
      });
    },
  };
}
