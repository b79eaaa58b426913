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
  /** The adjustment the difference posted (the first of `moveIds`). */
  moveId: string | null;
  /** Every adjustment the line posted: up to two for a serial-tracked item (missing out, found in). */
  moveIds: string[];
  /** The serials counted (serial-tracked items), else null. */
  serials: string[] | null;
  /** Once posted: the serials the ledger had at the location and the count did not find. */
  serialsMissing: string[] | null;
  /** Once posted: the serials counted that the ledger did not have at the location. */
  serialsFound: string[] | null;
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
  serials?: readonly string[];
}

/**
 * An adjustment a posted line needs: stock found (positive) or lost (negative); for a
 * serial-tracked item, the serials it moves (one per unit).
 */
export interface CountDifference {
  line: number;
  itemId: string;
  lot: string;
  difference: Thousandths;
  serials?: string[];
}

/** What the ledger has at the counted location for a line: on hand, and the serials there (serial-tracked items). */
export interface LedgerAtLocation {
  onHand: Thousandths;
  serials?: readonly string[];
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
      if (item.tracking === 'serial' && line.serials === undefined) problems.push({ pointer: `${at}/serials`, detail: `are required: item ${item.sku} is tracked by serial number (the serials found, [] for none)` });
      if (item.tracking !== 'serial' && line.serials !== undefined) problems.push({ pointer: `${at}/serials`, detail: `are not taken: item ${item.sku} is not tracked by serial number` });
      if (line.serials && new Set(line.serials).size !== line.serials.length) problems.push({ pointer: `${at}/serials`, detail: 'name a serial more than once' });
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
      if (item.tracking === 'serial' && line.serials && counted !== line.serials.length * 1000) {
        problems.push({ pointer: `${at}/serials`, detail: `are ${line.serials.length}, but the counted quantity is ${formatQuantity(counted)}: one serial per unit` });
      }
      parsed.push({ itemId: line.itemId, lot: line.lot ?? '', counted, expected: null, difference: null, moveId: null, moveIds: [], serials: line.serials ? [...line.serials] : null, serialsMissing: null, serialsFound: null });
    });
    if (problems.length) throw new InvalidInputError(problems);
    return new CycleCount({ id: newId('cnt'), tenantId, locationId, status: 'draft', lines: parsed, version: 1, createdAt: now, updatedAt: now, postedAt: null });
  }

  /** A stored count; lines stored before serial counts get their serial fields empty. */
  static restore(state: CycleCountState): CycleCount {
    return new CycleCount({ ...state, lines: state.lines.map(copyLine) });
  }

  get snapshot(): CycleCountState {
    return { ...this.state, lines: this.state.lines.map(copyLine) };
  }

  /**
   * Posts it against what the ledger has now (`ledger` per line: on hand, and the serials at
   * the location for a serial-tracked line): returns the adjustments to write, which
   * `recordMove` then links to their lines. A serial-tracked line that differs posts the
   * serials missing out and the serials found in, so each serial ends where it was counted.
   */
  post(ledger: (line: CycleCountLine) => LedgerAtLocation, now = new Date()): CountDifference[] {
    this.requireDraft('posted');
    const s = this.state;
    const differences: CountDifference[] = [];
    s.lines.forEach((line, i) => {
      const there = ledger(line);
      line.expected = line.serials ? (there.serials?.length ?? 0) * 1000 : there.onHand;
      line.difference = line.counted - line.expected;
      if (line.serials) {
        const counted = new Set(line.serials);
        const recorded = new Set(there.serials ?? []);
        line.serialsMissing = [...recorded].filter((x) => !counted.has(x)).sort();
        line.serialsFound = line.serials.filter((x) => !recorded.has(x));
        if (line.serialsMissing.length) differences.push({ line: i, itemId: line.itemId, lot: line.lot, difference: -line.serialsMissing.length * 1000, serials: line.serialsMissing });
        if (line.serialsFound.length) differences.push({ line: i, itemId: line.itemId, lot: line.lot, difference: line.serialsFound.length * 1000, serials: line.serialsFound });
        return;
      }
      if (line.difference !== 0) differences.push({ line: i, itemId: line.itemId, lot: line.lot, difference: line.difference });
    });
    s.status = 'posted';
    s.postedAt = now;
    s.updatedAt = now;
    s.version += 1;
    return differences;
  }

  recordMove(line: number, moveId: string): void {
    const l = this.state.lines[line];
    l.moveIds.push(moveId);
    l.moveId ??= moveId;
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

function copyLine(l: CycleCountLine): CycleCountLine {
  return {
    ...l,
    moveIds: l.moveIds ? [...l.moveIds] : l.moveId ? [l.moveId] : [],
    serials: l.serials ? [...l.serials] : null,
    serialsMissing: l.serialsMissing ? [...l.serialsMissing] : null,
    serialsFound: l.serialsFound ? [...l.serialsFound] : null,
  };
}

export function signedQuantity(value: Thousandths | null): string | null {
  return value === null ? null : formatQuantity(value);
}
