import { ConflictError, InvalidInputError } from '../../../platform/errors';
import { isId, newId } from '../../../platform/ids';

export const LOCATION_TYPES = ['receiving', 'storage', 'picking', 'shipping'] as const;
export type LocationType = (typeof LOCATION_TYPES)[number];

export interface LocationState {
  id: string;
  tenantId: string;
  warehouseId: string;
  /** The location this one is part of; null at the top of the warehouse's tree. */
  parentId: string | null;
  code: string;
  type: LocationType;
  isActive: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface LocationInput {
  warehouseId: string;
  parentId?: string | null;
  code: string;
  type: LocationType;
  isActive?: boolean;
}

/** A JSON Merge Patch of a location; its warehouse never changes. */
export interface LocationPatch {
  parentId?: string | null;
  code?: string;
  type?: LocationType;
  isActive?: boolean;
}

/** A location as the tree sees it. */
export interface TreeNode {
  id: string;
  warehouseId: string;
  parentId: string | null;
}

export const isLocationId = (value: string): boolean => isId('loc', value);

/** The 409 for a code another location of the warehouse has, naming it when it is known. */
export class LocationCodeTakenError extends ConflictError {
  constructor(
    readonly warehouseId: string,
    readonly code: string,
    existingId?: string,
  ) {
    super(`Location ${existingId ?? '(another)'} of warehouse ${warehouseId} already has the code ${code} (codes are compared ignoring case).`, existingId ? { existing_location_id: existingId } : {});
  }
}

/**
 * The tree rule for placing a location (`self`, or a new one) under `parentId`: `ancestry` is
 * the proposed parent first, then its parent, up to the top (empty: no such location of the
 * tenant). The parent must be in the same warehouse, and neither the location itself nor one
 * below it: that would make a cycle. A 400 naming `parent_id` otherwise.
 */
export function checkParent(self: { id?: string; warehouseId: string }, parentId: string, ancestry: readonly TreeNode[]): void {
  const refuse = (detail: string): never => {
    throw new InvalidInputError([{ pointer: '/parent_id', detail }]);
  };
  const parent = ancestry[0];
  if (!parent || parent.id !== parentId) refuse(`is not a location of this tenant (there is no location ${parentId})`);
  if (parent.warehouseId !== self.warehouseId) refuse(`is a location of warehouse ${parent.warehouseId}, not of this location's warehouse ${self.warehouseId}`);
  if (self.id === undefined) return;
  if (parentId === self.id) refuse('is the location itself: a location cannot be its own parent');
  if (ancestry.some((n) => n.id === self.id)) refuse(`is below this location (${self.id} is one of its ancestors): the move would make a cycle`);
}

/**
 * A place in a warehouse that holds stock, in a tree per warehouse. It is deleted only while it
 * has no children and no stock history (its ledger names it: deactivate it instead), and it
 * cannot be deactivated while it holds stock. The caller reads the tree and the stock; a
 * location holds neither.
 */
export class Location {
  private constructor(private state: LocationState) {}

  /** `ancestry`: the parent's, when `input.parentId` is set (see checkParent). */
  static create(tenantId: string, input: LocationInput, ancestry: readonly TreeNode[] = [], now = new Date()): Location {
    if (input.parentId) checkParent({ warehouseId: input.warehouseId }, input.parentId, ancestry);
    return new Location({
      id: newId('loc'),
      tenantId,
      warehouseId: input.warehouseId,
      parentId: input.parentId ?? null,
      code: input.code,
      type: input.type,
      isActive: input.isActive ?? true,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
  }

  static restore(state: LocationState): Location {
    return new Location({ ...state });
  }

  get snapshot(): Readonly<LocationState> {
    return this.state;
  }

  get id(): string {
    return this.state.id;
  }

  get version(): number {
    return this.state.version;
  }

  /** Whether the patch moves the location to another parent (the caller then reads the new parent's ancestry). */
  movesBy(patch: LocationPatch): boolean {
    return patch.parentId !== undefined && patch.parentId !== this.state.parentId;
  }

  /** Whether the patch deactivates an active location (the caller then asks whether it holds stock). */
  deactivatesBy(patch: LocationPatch): boolean {
    return patch.isActive === false && this.state.isActive;
  }

  /**
   * Applies a merge patch; one that changes nothing keeps the version. `ancestry`: the new
   * parent's, when the patch moves it; `holdsStock`: asked when the patch deactivates it.
   */
  change(patch: LocationPatch, context: { ancestry?: readonly TreeNode[]; holdsStock?: boolean } = {}, now = new Date()): { changed: boolean; codeChanged: boolean } {
    const s = this.state;
    if (this.movesBy(patch) && patch.parentId) checkParent(s, patch.parentId, context.ancestry ?? []);
    if (this.deactivatesBy(patch) && context.holdsStock) {
      throw new ConflictError(`Location ${s.id} holds stock and cannot be deactivated; move the stock out first.`);
    }
    const next: LocationState = {
      ...s,
      ...(patch.parentId !== undefined && { parentId: patch.parentId }),
      ...(patch.code !== undefined && { code: patch.code }),
      ...(patch.type !== undefined && { type: patch.type }),
      ...(patch.isActive !== undefined && { isActive: patch.isActive }),
    };
    const codeChanged = next.code !== s.code;
    const changed = codeChanged || next.parentId !== s.parentId || next.type !== s.type || next.isActive !== s.isActive;
    if (changed) this.state = { ...next, version: s.version + 1, updatedAt: now };
    return { changed, codeChanged };
  }

  /** Refuses (409) a location with children, or with stock history (its ledger names it). */
  assertDeletable({ hasChildren, hasHistory }: { hasChildren: boolean; hasHistory: boolean }): void {
    if (hasChildren) throw new ConflictError(`Location ${this.state.id} has child locations; delete or move them first.`);
    if (hasHistory) throw new ConflictError(`Location ${this.state.id} has stock history, which names it; deactivate it instead (PATCH is_active: false).`);
  }
}
