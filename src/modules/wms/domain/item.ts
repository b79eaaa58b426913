import { ConflictError, type InvalidField, InvalidInputError } from '../../../platform/errors';
import { isId, newId } from '../../../platform/ids';
import { gtinProblem } from './gtin';
import { parseQuantity, type Thousandths, type Unit } from './quantity';

export const ITEM_CATEGORIES = ['raw', 'component', 'finished', 'packaging', 'consumable'] as const;
export type ItemCategory = (typeof ITEM_CATEGORIES)[number];

export const TRACKINGS = ['none', 'lot', 'serial'] as const;
export type Tracking = (typeof TRACKINGS)[number];

export interface ItemState {
  id: string;
  tenantId: string;
  sku: string;
  name: string;
  description: string | null;
  category: ItemCategory;
  unit: Unit;
  weightGrams: number | null;
  lengthMm: number | null;
  widthMm: number | null;
  heightMm: number | null;
  barcode: string | null;
  supplierEmail: string | null;
  /** Thousandths of the unit. */
  reorderPoint: Thousandths;
  tracking: Tracking;
  isActive: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What a new item is made of; absent optional fields take their defaults. `reorderPoint` is the contract's decimal string. */
export interface ItemInput {
  sku: string;
  name: string;
  description?: string | null;
  category: ItemCategory;
  unit?: Unit;
  weightGrams?: number | null;
  lengthMm?: number | null;
  widthMm?: number | null;
  heightMm?: number | null;
  barcode?: string | null;
  supplierEmail?: string | null;
  reorderPoint?: string;
  tracking?: Tracking;
  isActive?: boolean;
}

/** A JSON Merge Patch of an item: each member sent replaces, `null` clears. */
export type ItemPatch = Partial<Omit<ItemInput, 'sku' | 'name' | 'category'>> & { sku?: string; name?: string; category?: ItemCategory };

export const isItemId = (value: string): boolean => isId('itm', value);

/** The SKU as uniqueness and the `sku` filter compare it: ignoring case (Unicode-normalised, lower-cased). */
export function skuKey(sku: string): string {
  return sku.normalize('NFC').toLowerCase();
}

/** The 409 for a SKU another item has, naming it when it is known. */
export class SkuTakenError extends ConflictError {
  constructor(
    readonly sku: string,
    existingId?: string,
  ) {
    super(`Item ${existingId ?? '(another)'} already has the sku ${sku} (SKUs are compared ignoring case).`, existingId ? { existing_item_id: existingId } : {});
  }
}

/** Fields whose meaning the item's stock ledger depends on: fixed once it has had stock. */
export const LEDGER_FIELDS = ['unit', 'tracking'] as const;
type LedgerField = (typeof LEDGER_FIELDS)[number];

const PATCHABLE = ['sku', 'name', 'description', 'category', 'unit', 'weightGrams', 'lengthMm', 'widthMm', 'heightMm', 'barcode', 'supplierEmail', 'reorderPoint', 'tracking', 'isActive'] as const;

/**
 * The rules across an item's fields, named by pointer: a GTIN's check digit, serial tracking
 * only for items counted in each, a reorder point in the item's unit. `sent` says which fields
 * the request named, so that a rule broken by a change is blamed on the field that changed.
 */
function check(s: ItemState, reorderPoint: string | undefined, sent: ReadonlySet<string>): ItemState {
  const problems: InvalidField[] = [];
  if (s.barcode !== null) {
    const why = gtinProblem(s.barcode);
    if (why) problems.push({ pointer: '/barcode', detail: why });
  }
  if (s.tracking === 'serial' && s.unit !== 'ea') {
    problems.push({ pointer: sent.has('unit') && !sent.has('tracking') ? '/unit' : '/tracking', detail: `serial tracking counts single units: the item must be counted in each (ea), not ${s.unit}` });
  }
  let point = s.reorderPoint;
  try {
    if (reorderPoint !== undefined) point = parseQuantity(reorderPoint, '/reorder_point', { unit: s.unit, allowZero: true });
    else if (s.unit === 'ea' && point % 1000 !== 0) throw new InvalidInputError([{ pointer: '/unit', detail: `cannot be ea while the reorder_point is a fraction; send a whole reorder_point with it` }]);
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    problems.push(...err.fields);
  }
  if (problems.length) throw new InvalidInputError(problems);
  return { ...s, reorderPoint: point };
}

/**
 * Something the tenant keeps in stock. Never deleted: `isActive: false` retires it. Its `unit`
 * and `tracking` are fixed once it has had stock, since its ledger is counted in them (the
 * caller says whether it has; an item does not hold its stock).
 */
export class Item {
  private constructor(private state: ItemState) {}

  static create(tenantId: string, input: ItemInput, now = new Date()): Item {
    const state: ItemState = {
      id: newId('itm'),
      tenantId,
      sku: input.sku,
      name: input.name,
      description: input.description ?? null,
      category: input.category,
      unit: input.unit ?? 'ea',
      weightGrams: input.weightGrams ?? null,
      lengthMm: input.lengthMm ?? null,
      widthMm: input.widthMm ?? null,
      heightMm: input.heightMm ?? null,
      barcode: input.barcode ?? null,
      supplierEmail: input.supplierEmail ?? null,
      reorderPoint: 0,
      tracking: input.tracking ?? 'none',
      isActive: input.isActive ?? true,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    const sent = new Set(Object.keys(input).filter((k) => input[k as keyof ItemInput] !== undefined));
    return new Item(check(state, input.reorderPoint, sent));
  }

  static restore(state: ItemState): Item {
    return new Item({ ...state });
  }

  get snapshot(): Readonly<ItemState> {
    return this.state;
  }

  get id(): string {
    return this.state.id;
  }

  get version(): number {
    return this.state.version;
  }

  /** The ledger fields (`unit`, `tracking`) a patch would change: the caller then asks whether the item has had stock. */
  ledgerFieldsChangedBy(patch: ItemPatch): LedgerField[] {
    return LEDGER_FIELDS.filter((k) => patch[k] !== undefined && patch[k] !== this.state[k]);
  }

  /**
   * Applies a merge patch; one that changes nothing keeps the version. `hasHadStock`: whether
   * the item has a balance anywhere (asked only when the patch changes a ledger field).
   */
  change(patch: ItemPatch, hasHadStock: boolean, now = new Date()): boolean {
    const s = this.state;
    const sent = new Set(PATCHABLE.filter((k) => patch[k] !== undefined));
    const ledger = this.ledgerFieldsChangedBy(patch);
    if (ledger.length && hasHadStock) {
      throw new ConflictError(`Item ${s.id} has had stock, so its ${ledger.join(' and ')} cannot change: its ledger is counted in them. Create a new item instead.`);
    }
    const next: ItemState = { ...s };
    for (const key of sent) {
      if (key === 'reorderPoint') continue;
      (next as unknown as Record<string, unknown>)[key] = patch[key] ?? null;
    }
    const checked = check(next, patch.reorderPoint, sent);
    const changed = PATCHABLE.some((k) => checked[k] !== s[k]);
    if (!changed) return false;
    this.state = { ...checked, version: s.version + 1, updatedAt: now };
    return true;
  }
}
