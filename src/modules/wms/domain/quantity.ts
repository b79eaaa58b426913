import { InvalidInputError } from '../../../platform/errors';

/**
 * Quantities are decimal strings in the contract (`"12.5"`, at most 3 decimals) and integer
 * thousandths everywhere else (`12500`): sums and comparisons are exact, never floats. The
 * largest is 999,999,999,999.999 (under 2^53 thousandths, so a JavaScript number holds it
 * exactly, and a bigint column stores it).
 */
export type Thousandths = number;

/** The units an item is counted in; `ea` (each) takes whole quantities only. */
export const UNITS = ['ea', 'kg', 'l', 'm'] as const;
export type Unit = (typeof UNITS)[number];

export const QUANTITY_PATTERN = /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,3})?$/;
export const MAX_THOUSANDTHS = 999_999_999_999_999;

/**
 * `text` in thousandths, or a 400 naming `pointer`: not a decimal with at most 3 decimals, zero
 * where a positive quantity is needed, or a fraction of an `ea` item.
 */
export function parseQuantity(text: string, pointer: string, options: { unit?: Unit; allowZero?: boolean } = {}): Thousandths {
  const match = QUANTITY_PATTERN.exec(text);
  if (!match) throw new InvalidInputError([{ pointer, detail: 'is not a quantity: a decimal string with at most 3 decimals, e.g. "12.5"' }]);
  const whole = Number(match[1]);
  const fraction = match[2] ? Number(match[2].slice(1).padEnd(3, '0')) : 0;
  const value = whole * 1000 + fraction;
  if (value === 0 && !options.allowZero) throw new InvalidInputError([{ pointer, detail: 'must be greater than 0' }]);
  if (options.unit === 'ea' && fraction !== 0) throw new InvalidInputError([{ pointer, detail: `must be a whole number: the item is counted in each (ea), "${text}" is not` }]);
  return value;
}

/** Thousandths as the contract's decimal string: `12500` → `"12.5"`, `-3000` → `"-3"`. */
export function formatQuantity(value: Thousandths): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const whole = Math.floor(abs / 1000);
  const fraction = abs % 1000;
  if (fraction === 0) return `${sign}${whole}`;
  return `${sign}${whole}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}`;
}
