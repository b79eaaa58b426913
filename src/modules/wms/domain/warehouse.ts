import { ConflictError } from '../../../platform/errors';
import { isId, newId } from '../../../platform/ids';

/** A postal address; `line1` and `country` (ISO 3166-1 alpha-2) always present. */
export interface Address {
  line1: string;
  line2: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string;
}

export interface WarehouseState {
  id: string;
  tenantId: string;
  code: string;
  name: string;
  address: Address | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface WarehouseInput {
  code: string;
  name: string;
  address?: Address | null;
}

/** A JSON Merge Patch of a warehouse: the address is replaced whole, `null` clears it. */
export interface WarehousePatch {
  code?: string;
  name?: string;
  address?: Address | null;
}

export const isWarehouseId = (value: string): boolean => isId('whs', value);

/** A code as uniqueness and the `code` filter compare it: ignoring case. */
export function codeKey(code: string): string {
  return code.normalize('NFC').toLowerCase();
}

/** The 409 for a code another warehouse of the tenant has, naming it when it is known. */
export class WarehouseCodeTakenError extends ConflictError {
  constructor(
    readonly code: string,
    existingId?: string,
  ) {
    super(`Warehouse ${existingId ?? '(another)'} already has the code ${code} (codes are compared ignoring case).`, existingId ? { existing_warehouse_id: existingId } : {});
  }
}

/** A site that holds stock in a tree of locations; deleted only while it has none. */
export class Warehouse {
  private constructor(private state: WarehouseState) {}

  static create(tenantId: string, input: WarehouseInput, now = new Date()): Warehouse {
    return new Warehouse({ id: newId('whs'), tenantId, code: input.code, name: input.name, address: input.address ?? null, version: 1, createdAt: now, updatedAt: now });
  }

  static restore(state: WarehouseState): Warehouse {
    return new Warehouse({ ...state });
  }

  get snapshot(): Readonly<WarehouseState> {
    return this.state;
  }

  get id(): string {
    return this.state.id;
  }

  get version(): number {
    return this.state.version;
  }

  /** Applies a merge patch; one that changes nothing keeps the version. Whether the code changed. */
  change(patch: WarehousePatch, now = new Date()): { changed: boolean; codeChanged: boolean } {
    const s = this.state;
    const next: WarehouseState = {
      ...s,
      ...(patch.code !== undefined && { code: patch.code }),
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.address !== undefined && { address: patch.address }),
    };
    const codeChanged = next.code !== s.code;
    const changed = codeChanged || next.name !== s.name || JSON.stringify(next.address) !== JSON.stringify(s.address);
    if (changed) this.state = { ...next, version: s.version + 1, updatedAt: now };
    return { changed, codeChanged };
  }

  /** Refuses (409) while the warehouse has locations: they would be left without one. */
  assertDeletable(hasLocations: boolean): void {
    if (hasLocations) throw new ConflictError(`Warehouse ${this.state.id} has locations; delete them (or the whole tree, leaves first) before the warehouse.`);
  }
}
