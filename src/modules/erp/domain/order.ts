import { ConflictError, InvalidInputError, type InvalidField } from '../../../platform/errors';
import { type DomainEvent, domainEvent } from '../../../platform/events/domain-event';
import { newId } from '../../../platform/ids';
import { divideHalfEven, type Money } from '../../../platform/money';
import { formatQuantity } from '../../wms';
import { assertBaseCurrency } from './party';
import { lineTax, type RateThousandths } from './tax';

/**
 * What sales and purchase orders share: the line math and totals, the checks of lines as
 * written, the state machine's plumbing (available actions, the 409 of an action the status
 * does not take, versions and events), the plan of a delivery or receipt by line, and the
 * document's common fields.
 */

/** The largest amount of money the contract carries (`Money.amount`). */
export const MAX_AMOUNT = 999_999_999_999_999n;

/** What every order line names once the application checked it: the item, how much, the tax rate resolved. */
export interface TaxedLine {
  itemId: string;
  /** Thousandths of the item's unit, > 0. */
  quantity: number;
  taxRateId: string;
  /** The rate and its kind when the line was written: later changes of the tax rate do not follow. */
  taxRate: RateThousandths;
  taxInclusive: boolean;
}

/** What a line's amounts depend on: thousandths of the item's unit at minor units per unit, and the line's tax rate. */
export interface PricedLine {
  quantity: number;
  /** Minor units of the order's currency per unit (a sales line's price, a purchase line's cost). */
  unitAmount: number;
  taxRate: RateThousandths;
  taxInclusive: boolean;
}

/** A line's amounts in minor units: net + tax = total. */
export interface LineAmounts {
  net: number;
  tax: number;
  total: number;
}

/** quantity × unit amount, the quantity in thousandths (so ÷ 1000), rounded half to even once. */
export const extendedAmount = (quantity: number, unitAmount: number): bigint => divideHalfEven(BigInt(quantity) * BigInt(unitAmount), 1000n);

/** A line's amounts: its extended amount, then its tax by the per-line rule of `lineTax` (net or gross as the rate says). */
export function lineAmounts(line: PricedLine): LineAmounts {
  const amount = extendedAmount(line.quantity, line.unitAmount);
  if (amount > MAX_AMOUNT) throw new RangeError('the line amount is beyond the largest amount');
  const t = lineTax(Number(amount), line.taxRate, line.taxInclusive);
  return { net: t.net, tax: t.tax, total: t.gross };
}

/** The order's totals: the sums of its lines' amounts (bigint: many lines may add up). */
export function orderTotals(lines: readonly PricedLine[]): { net: bigint; tax: bigint; total: bigint } {
  let net = 0n;
  let tax = 0n;
  for (const l of lines) {
    const a = lineAmounts(l);
    net += BigInt(a.net);
    tax += BigInt(a.tax);
  }
  return { net, tax, total: net + tax };
}

/**
 * The checks every order line as written takes: a quantity above 0, a unit amount of 0 or more
 * in the order's currency, and amounts (each line's and the order's) within the largest amount.
 * `unitField` names the unit amount in pointers (`unit_price`, `unit_cost`); `more` are the
 * caller's own findings, reported with these.
 */
export function checkPricedLines(lines: readonly (Omit<PricedLine, 'unitAmount'> & { unit: Money })[], currency: string, unitField: string, more: InvalidField[] = []): void {
  if (!lines.length) throw new InvalidInputError([{ pointer: '/lines', detail: 'has no line: an order has at least one' }]);
  const bad = [...more];
  lines.forEach((l, i) => {
    const at = `/lines/${i}`;
    if (l.unit.currency !== currency) bad.push({ pointer: `${at}/${unitField}/currency`, detail: `is not the order's currency ${currency}` });
    if (!Number.isSafeInteger(l.quantity) || l.quantity <= 0) bad.push({ pointer: `${at}/quantity`, detail: 'must be greater than 0' });
    if (!Number.isSafeInteger(l.unit.amount) || l.unit.amount < 0) bad.push({ pointer: `${at}/${unitField}/amount`, detail: 'must be 0 or more minor units' });
  });
  if (bad.length) throw new InvalidInputError(bad);
  lines.forEach((l, i) => {
    if (extendedAmount(l.quantity, l.unit.amount) > MAX_AMOUNT) bad.push({ pointer: `/lines/${i}/${unitField}/amount`, detail: 'times the quantity is beyond the largest amount' });
  });
  if (!bad.length) {
    const total = (() => {
      try {
        return orderTotals(lines.map((l) => ({ ...l, unitAmount: l.unit.amount }))).total;
      } catch {
        return null;
      }
    })();
    if (total === null || total > MAX_AMOUNT) bad.push({ pointer: '/lines', detail: 'add up to more than the largest amount' });
  }
  if (bad.length) throw new InvalidInputError(bad);
}

/** The 409 for an action the order's status does not take, naming the status and what it takes. */
export class ActionNotAllowedError extends ConflictError {
  constructor(what: string, id: string, status: string, allowed: readonly string[], action: string) {
    super(`${what} ${id} is ${status}: it cannot ${action === 'change' ? 'be changed (only a draft can)' : action}; the actions it takes now: ${allowed.length ? allowed.join(', ') : 'none'}.`);
  }
}

/** A line's part of a delivery or a receipt: which line (and its index, for pointers), how much. */
export interface PlannedLine {
  lineId: string;
  index: number;
  quantity: number;
}

/**
 * What a delivery or receipt moves: the quantities asked for (by line id), or every line's
 * outstanding quantity. A line named twice or not of this order is a 400; more than a line's
 * outstanding quantity a 409 naming the line. `done` is what a line has had (delivered,
 * received); `verb` says so in the 409.
 */
export function planLines(
  what: string,
  id: string,
  lines: readonly { id: string; quantity: number }[],
  done: (index: number) => number,
  verb: 'delivered' | 'received',
  requested?: readonly { lineId: string; quantity: number }[],
): PlannedLine[] {
  const outstanding = (i: number) => lines[i].quantity - done(i);
  if (!requested) return lines.flatMap((l, index) => (outstanding(index) > 0 ? [{ lineId: l.id, index, quantity: outstanding(index) }] : []));
  const bad: InvalidField[] = [];
  const seen = new Set<string>();
  requested.forEach((r, i) => {
    const index = lines.findIndex((l) => l.id === r.lineId);
    if (index < 0) bad.push({ pointer: `/lines/${i}/line_id`, detail: `is not a line of ${what} ${id}` });
    else if (seen.has(r.lineId)) bad.push({ pointer: `/lines/${i}/line_id`, detail: `names line ${r.lineId} a second time` });
    seen.add(r.lineId);
  });
  if (bad.length) throw new InvalidInputError(bad);
  return requested.map((r) => {
    const index = lines.findIndex((l) => l.id === r.lineId);
    const line = lines[index];
    if (r.quantity > outstanding(index)) {
      throw new ConflictError(
        `Line ${line.id} (/lines/${index}) of ${what} ${id} has ${formatQuantity(outstanding(index))} outstanding (${formatQuantity(line.quantity)} ordered, ${formatQuantity(done(index))} ${verb}): ${formatQuantity(r.quantity)} cannot be ${verb}.`,
      );
    }
    return { lineId: line.id, index, quantity: r.quantity };
  });
}

/** The fields every order has. */
export interface OrderHeader<Status extends string> {
  id: string;
  tenantId: string;
  /** `SO-2026-000001`, `PO-2026-000001`: gapless per series and year of the order date, given at creation. */
  number: string;
  status: Status;
  /** YYYY-MM-DD. */
  orderDate: string;
  currency: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What the aggregate plumbing of `Order` needs of any document's state (orders, invoices, bills). */
export type AggregateHeader<Status extends string> = Omit<OrderHeader<Status>, 'number' | 'orderDate'>;

/** A new order as the application hands it over (its party is the kind's own field). */
export interface OrderInput<Line> {
  number: string;
  orderDate: string;
  currency: string;
  lines: readonly Line[];
}

/** A merge patch of a draft order: `lines` replaces them all. */
export type OrderPatch<Line> = Partial<Omit<OrderInput<Line>, 'number'>>;

/** A new order's common fields: a draft at version 1, its currency the base currency (else a 422). */
export function draftHeader(tenantId: string, idPrefix: string, input: OrderInput<unknown>, now: Date): OrderHeader<'draft'> {
  assertBaseCurrency(input.currency);
  return { id: newId(idPrefix), tenantId, number: input.number, status: 'draft', orderDate: input.orderDate, currency: input.currency, version: 1, createdAt: now, updatedAt: now };
}

/** What tells one kind of order from another to the plumbing below. */
export interface OrderKind<Status extends string, Action extends string> {
  /** For people: `Sales order`. */
  what: string;
  /** The events' aggregate type: `sales_order`. */
  aggregate: string;
  /** What each status takes: the state machine, in one table. */
  actions: Record<Status, readonly Action[]>;
  /** An action the status takes but the state may not yet (nothing to invoice): false leaves it out of the available actions. */
  ready?: (state: never, action: Action) => boolean;
}

/** The actions `state` takes now: its status's, less those the kind says it is not ready for. */
export function actionsOf<Status extends string, Action extends string>(kind: OrderKind<Status, Action>, state: { status: Status }): Action[] {
  return kind.actions[state.status].filter((a) => !kind.ready || kind.ready(state as never, a));
}

const money = (amount: number | bigint, currency: string): Money => ({ amount: Number(amount), currency });

/** An order as the contract shows it: its own fields (party, lines) with the common ones and the totals. */
export function orderDocument<Status extends string, Action extends string>(
  kind: OrderKind<Status, Action>,
  s: Readonly<OrderHeader<Status>>,
  priced: readonly PricedLine[],
  own: { party: Record<string, string>; line: (index: number, amounts: { net: Money; tax: Money; total: Money }) => Record<string, unknown> },
) {
  const totals = orderTotals(priced);
  return {
    id: s.id,
    number: s.number,
    ...own.party,
    status: s.status,
    order_date: s.orderDate,
    currency: s.currency,
    lines: priced.map((p, i) => {
      const a = lineAmounts(p);
      return own.line(i, { net: money(a.net, s.currency), tax: money(a.tax, s.currency), total: money(a.total, s.currency) });
    }),
    net_total: money(totals.net, s.currency),
    tax_total: money(totals.tax, s.currency),
    total: money(totals.total, s.currency),
    available_actions: actionsOf(kind, s),
    version: s.version,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}

/**
 * The aggregate plumbing of an order (and of an invoice or bill, domain/document.ts): its state, the actions its status takes (a 409 for any
 * other), a merge patch of a draft, the transitions that bump the version and record an event.
 */
export abstract class Order<Status extends string, Action extends string, State extends AggregateHeader<Status> & { lines: unknown[] }, LineInput> {
  private readonly pending: DomainEvent[] = [];

  protected constructor(
    protected state: State,
    private readonly kind: OrderKind<Status, Action>,
  ) {}

  /** The order as the contract and its events show it. */
  protected abstract document(): Record<string, unknown>;

  /** New lines (new ids) from lines as written, each checked (a 400 naming `/lines/<n>/…`). */
  protected abstract newLines(inputs: readonly LineInput[], currency: string): State['lines'];

  get snapshot(): Readonly<State> {
    return this.state;
  }

  get id(): string {
    return this.state.id;
  }

  get version(): number {
    return this.state.version;
  }

  get availableActions(): readonly Action[] {
    return actionsOf(this.kind, this.state);
  }

  /** Refuses (409) an action the status does not take. */
  assertAllowed(action: Action): void {
    if (!this.availableActions.includes(action)) throw this.notAllowed(action);
  }

  pullEvents(): DomainEvent[] {
    return this.pending.splice(0);
  }

  /** Refuses (409) a change of an order that is no longer a draft. */
  assertDraft(): void {
    if (this.state.status !== 'draft') throw this.notAllowed('change');
  }

  protected notAllowed(action: Action | 'change'): ActionNotAllowedError {
    return new ActionNotAllowedError(this.kind.what, this.state.id, this.state.status, this.availableActions, action);
  }

  /**
   * A merge patch of a draft (else 409): the fields given replace theirs, `lines` (new, checked)
   * replaces them all; a currency other than the base currency is a 422. One that changes
   * nothing keeps the version.
   */
  change(patch: OrderPatch<LineInput> & Partial<Omit<State, 'lines' | 'currency' | 'orderDate'>>, now = new Date()): { changed: boolean } {
    this.assertDraft();
    const { lines: written, ...fields } = patch;
    if (fields.currency !== undefined) assertBaseCurrency(fields.currency);
    const lines = written && this.newLines(written, fields.currency ?? this.state.currency);
    const s = this.state;
    const given = Object.entries(fields).filter(([, v]) => v !== undefined) as [keyof State, unknown][];
    const changed = lines !== undefined || given.some(([k, v]) => s[k] !== v);
    if (changed) this.state = { ...s, ...Object.fromEntries(given), ...(lines !== undefined && { lines }), version: s.version + 1, updatedAt: now };
    return { changed };
  }

  /**
   * Adds each planned quantity to its line's `field` (delivered, received: never beyond the
   * line's quantity); whether every line has now had its quantity in full.
   */
  protected addToLines<K extends string>(planned: readonly { lineId: string; quantity: number }[], field: K, verb: string): boolean {
    const lines = this.state.lines as ({ id: string; quantity: number } & Record<K, number>)[];
    for (const p of planned) {
      const line = lines.find((l) => l.id === p.lineId)!;
      if (line[field] + p.quantity > line.quantity) throw new Error(`line ${line.id} ${verb} beyond its quantity`);
      (line as Record<K, number>)[field] += p.quantity;
    }
    return lines.every((l) => l[field] === l.quantity);
  }

  /**
   * Gives back what a follow-up document had taken of the lines (its deletion, its void, its lines
   * replaced): each quantity off its line's `field`, never below 0; lines no longer on the order
   * are skipped. Whether anything changed.
   */
  protected takeFromLines<K extends string>(returned: readonly { lineId: string; quantity: number }[], field: K): boolean {
    const lines = this.state.lines as ({ id: string } & Record<K, number>)[];
    let changed = false;
    for (const r of returned) {
      const line = lines.find((l) => l.id === r.lineId);
      if (!line || r.quantity <= 0 || line[field] === 0) continue;
      (line as Record<K, number>)[field] = Math.max(0, line[field] - r.quantity);
      changed = true;
    }
    return changed;
  }

  /**
   * What a follow-up document takes of each line (an invoice of what was delivered, a bill of
   * what was received): `from` less `done`, for the lines that have some; none is a 409.
   */
  protected outstandingLines<K extends string>(from: K, done: K, what: string): PlannedLine[] {
    const lines = this.state.lines as ({ id: string } & Record<K, number>)[];
    const planned = lines.flatMap((l, index) => (l[from] > l[done] ? [{ lineId: l.id, index, quantity: l[from] - l[done] }] : []));
    if (!planned.length) throw new ConflictError(`${this.kind.what} ${this.state.id} has nothing ${what}.`);
    return planned;
  }

  /** To `status`, the version bumped; `event` (when named) recorded with the order as its data. */
  protected transition(status: Status, event: string | null, now: Date): void {
    const s = this.state;
    s.status = status;
    s.version += 1;
    s.updatedAt = now;
    if (event) this.pending.push(domainEvent(event, s.tenantId, { type: this.kind.aggregate, id: s.id }, this.document(), now));
  }
}
