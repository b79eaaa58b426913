import { ConflictError } from '../../../platform/errors';
import { divideHalfEven, type Money } from '../../../platform/money';
import type { Thousandths } from './quantity';

/**
 * An item's stock totals and its moving-average valuation: `value` (minor units of `currency`)
 * is what the `onHand` quantity cost. Receipts add their cost, so the average unit cost moves
 * towards what was last paid; stock leaves at the current average (`value × q / onHand`, rounded
 * half to even), and the last unit out takes whatever value is left, so the value never drifts
 * from zero when the stock is gone. Every move records the value it added or took out; the
 * value is their sum, which the stock check verifies.
 */
export interface ItemTotals {
  itemId: string;
  onHand: Thousandths;
  reserved: Thousandths;
  value: number;
  /** Set by the first receipt that carried a cost; null until then. */
  currency: string | null;
}

export class ItemValuation {
  private constructor(private state: ItemTotals) {}

  static of(state: ItemTotals): ItemValuation {
    return new ItemValuation({ ...state });
  }

  get snapshot(): ItemTotals {
    return { ...this.state };
  }

  get available(): Thousandths {
    return this.state.onHand - this.state.reserved;
  }

  /** The average cost of one unit in minor units (rounded half to even), or null without stock or a cost. */
  get unitCost(): Money | null {
    const { onHand, value, currency } = this.state;
    if (!currency || onHand === 0) return null;
    return { amount: Number(divideHalfEven(BigInt(value) * 1000n, BigInt(onHand))), currency };
  }

  /** What `quantity` of it is worth at the current average (for a balance's `value`). */
  valueOf(quantity: Thousandths): Money | null {
    const { onHand, value, currency } = this.state;
    if (!currency) return null;
    if (onHand === 0 || quantity === 0) return { amount: 0, currency };
    return { amount: Number(divideHalfEven(BigInt(value) * BigInt(quantity), BigInt(onHand))), currency };
  }

  /** The cost of `quantity` bought at `unitCost` per unit, rounded half to even. */
  static costOf(quantity: Thousandths, unitCost: Money): Money {
    return { amount: Number(divideHalfEven(BigInt(quantity) * BigInt(unitCost.amount), 1000n)), currency: unitCost.currency };
  }

  /**
   * `quantity` comes in, worth `cost` (a receipt's, or what a reversed move took out). The first
   * cost sets the item's currency; a cost in another currency is refused (409): one item is
   * valued in one currency.
   */
  add(quantity: Thousandths, cost: Money | null): Money | null {
    if (cost) {
      if (this.state.currency && cost.currency !== this.state.currency) {
        throw new ConflictError(`Item ${this.state.itemId} is valued in ${this.state.currency}; a cost in ${cost.currency} cannot be added to it.`);
      }
      this.state.currency = cost.currency;
      this.state.value += cost.amount;
    }
    this.state.onHand += quantity;
    return cost;
  }

  /**
   * `quantity` comes in at the current average cost (a stock gain without a cost of its own),
   * or worth nothing when there is no average yet.
   */
  addAtAverage(quantity: Thousandths): Money | null {
    const unit = this.unitCost;
    return this.add(quantity, unit ? ItemValuation.costOf(quantity, unit) : this.state.currency ? { amount: 0, currency: this.state.currency } : null);
  }

  /**
   * `quantity` leaves at the current average; the value it takes out is returned (null: the
   * item has no valuation). The last unit out takes all the value that is left.
   */
  remove(quantity: Thousandths): Money | null {
    const { onHand, value, currency } = this.state;
    this.state.onHand -= quantity;
    if (!currency) return null;
    const amount = quantity >= onHand ? value : Number(divideHalfEven(BigInt(value) * BigInt(quantity), BigInt(onHand)));
    this.state.value -= amount;
    return { amount, currency };
  }

  reserve(quantity: Thousandths): void {
    this.state.reserved += quantity;
  }

  unreserve(quantity: Thousandths): void {
    this.state.reserved -= quantity;
  }
}
