import { ConflictError, InvalidInputError, type InvalidField } from '../../../platform/errors';
import { newId } from '../../../platform/ids';
import { formatQuantity, parseQuantity, type Thousandths } from './quantity';
import type { StockItem } from './stock-move';

export type CycleCountStatus = 'draft' | 'posted' | 'cancelled';

export interface CycleCountLine {
  itemId: string;
  /** '' when the item is not tracked by lot. */
  lot: string;
  counted: Thousandths;
  /** On hand when the count was posted. */
  expected: Thousandths | null;
  /** counted − expected, when posted. */
  difference: Thousandths | null;
  /** The adjustment the difference posted. */
  moveId: string | null;
}

export interface CycleCountState {
  id: string;
  tenantId: string;
  locationId: string;
  status: CycleCountStatus;
  lines: CycleCountLine[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
  postedAt: Date | null;
}

export interface CountedLine {
  itemId: string;
  lot?: string;
  countedQuantity: string;
}

/** The adjustment a posted line needs: stock found (positive) or lost (negative). */
export interface CountDifference {
  line: number;
  itemId: string;
  lot: string;
  difference: Thousandths;
}

export const CYCLE_COUNT_REASON = 'cycle_count';

/**
 * What was counted at one location. A draft changes nothing; posting it compares each line with
 * what is on hand then and writes one adjustment per difference (reason `cycle_count`), all in
 * one transaction. Lines not counted are left as they are.
 */
export class CycleCount {
  private constructor(private state: CycleCountState) {}

  static open(tenantId: string, locationId: string, lines: readonly CountedLine[], items: ReadonlyMap<string, StockItem>, now = new Date()): CycleCount {
    const problems: InvalidField[] = [];
    const seen = new Set<string>();
    const parsed: CycleCountLine[] = [];
    lines.forEach((line, i) => {
      const at = `/lines/${i}`;
      const item = items.get(line.itemId);
      if (!item) return void problems.push({ pointer: `${at}/item_id`, detail: `is not an item of this tenant (there is no item ${line.itemId})` });
      if (item.tracking === 'serial') problems.push({ pointer: `${at}/item_id`, detail: `is tracked by serial number: serials are counted by moving them, not by a cycle count` });
      if (item.tracking === 'lot' && line.lot === undefined) problems.push({ pointer: `${at}/lot`, detail: `is required: item ${item.sku} is counted per lot` });
      if (item.tracking !== 'lot' && line.lot !== undefined) problems.push({ pointer: `${at}/lot`, detail: `is not taken: item ${item.sku} is not tracked by lot` });
      const key = `${line.itemId}\u0000${line.lot ?? ''}`;
      if (seen.has(key)) problems.push({ pointer: `${at}/item_id`, detail: 'is counted on an earlier line already (one line per item and lot)' });
      seen.add(key);
      let counted = 0;
      try {
        counted = parseQuantity(line.countedQuantity, `${at}/counted_quantity`, { unit: item.unit, allowZero: true });
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        problems.push(...err.fields);
      }
      parsed.push({ itemId: line.itemId, lot: line.lot ?? '', counted, expected: null, difference: null, moveId: null });
    });
    if (problems.length) throw new InvalidInputError(problems);
    return new CycleCount({ id: newId('cnt'), tenantId, locationId, status: 'draft', lines: parsed, version: 1, createdAt: now, updatedAt: now, postedAt: null });
  }

  static restore(state: CycleCountState): CycleCount {
    return new CycleCount({ ...state, lines: state.lines.map((l) => ({ ...l })) });
  }

  get snapshot(): CycleCountState {
    return { ...this.state, lines: this.state.lines.map((l) => ({ ...l })) };
  }

  /**
   * Posts it against what is on hand now (`onHand` per line): returns the adjustments to write,
   * which `recordMoves` then links to their lines.
   */
  post(onHand: (line: CycleCountLine) => Thousandths, now = new Date()): CountDifference[] {
    this.requireDraft('posted');
    const s = this.state;
    const differences: CountDifference[] = [];
    s.lines.forEach((line, i) => {
      line.expected = onHand(line);
      line.difference = line.counted - line.expected;
      if (line.difference !== 0) differences.push({ line: i, itemId: line.itemId, lot: line.lot, difference: line.difference });
    });
    s.status = 'posted';
    s.postedAt = now;
    s.updatedAt = now;
    s.version += 1;
    return differences;
  }

  recordMove(line: number, moveId: string): void {
    this.state.lines[line].moveId = moveId;
  }

  cancel(now = new Date()): void {
    this.requireDraft('cancelled');
    this.state.status = 'cancelled';
    this.state.updatedAt = now;
    this.state.version += 1;
  }

  private requireDraft(doing: string): void {
    if (this.state.status !== 'draft') throw new ConflictError(`Cycle count ${this.state.id} is ${this.state.status}; only a draft can be ${doing}.`);
  }
}

export function signedQuantity(value: Thousandths | null): string | null {
  return value === null ? null : formatQuantity(value);
}
