import { ConflictError } from '../../../platform/errors';
import { isId, newId } from '../../../platform/ids';
import type { RateThousandths } from './tax';

export interface TaxRateState {
  id: string;
  tenantId: string;
  name: string;
  rate: RateThousandths;
  inclusive: boolean;
  isActive: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface TaxRateInput {
  name: string;
  rate: RateThousandths;
  inclusive?: boolean;
  isActive?: boolean;
}

/** A JSON Merge Patch of a tax rate: only the members sent. */
export interface TaxRatePatch {
  name?: string;
  rate?: RateThousandths;
  inclusive?: boolean;
  isActive?: boolean;
}

export const isTaxRateId = (value: string): boolean => isId('txr', value);

/** A name as uniqueness compares it: ignoring case. */
export function taxRateNameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** The 409 for a name another tax rate of the tenant has, naming it when it is known. */
export class TaxRateNameTakenError extends ConflictError {
  constructor(
    readonly taxRateName: string,
    existingId?: string,
  ) {
    super(`Tax rate ${existingId ?? '(another)'} already has the name ${taxRateName} (names are compared ignoring case).`, existingId ? { existing_tax_rate_id: existingId } : {});
  }
}

/** A rate of tax; never deleted: deactivated (`isActive: false`), it is no longer offered as a default. */
export class TaxRate {
  private constructor(private state: TaxRateState) {}

  static create(tenantId: string, input: TaxRateInput, now = new Date()): TaxRate {
    return new TaxRate({
      id: newId('txr'),
      tenantId,
      name: input.name,
      rate: input.rate,
      inclusive: input.inclusive ?? false,
      isActive: input.isActive ?? true,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
  }

  static restore(state: TaxRateState): TaxRate {
    return new TaxRate({ ...state });
  }

  get snapshot(): Readonly<TaxRateState> {
    return this.state;
  }

  get id(): string {
    return this.state.id;
  }

  get version(): number {
    return this.state.version;
  }

  /** Applies a merge patch; one that changes nothing keeps the version. */
  change(patch: TaxRatePatch, now = new Date()): { changed: boolean } {
    const s = this.state;
    const next: TaxRateState = {
      ...s,
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.rate !== undefined && { rate: patch.rate }),
      ...(patch.inclusive !== undefined && { inclusive: patch.inclusive }),
      ...(patch.isActive !== undefined && { isActive: patch.isActive }),
    };
    const changed = next.name !== s.name || next.rate !== s.rate || next.inclusive !== s.inclusive || next.isActive !== s.isActive;
    if (changed) this.state = { ...next, version: s.version + 1, updatedAt: now };
    return { changed };
  }
}
