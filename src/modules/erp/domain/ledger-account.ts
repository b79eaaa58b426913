import { ConflictError } from '../../../platform/errors';
import { isId, newId } from '../../../platform/ids';

export const LEDGER_ACCOUNT_TYPES = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;
export type LedgerAccountType = (typeof LEDGER_ACCOUNT_TYPES)[number];

/** What each standard account is for: the documents of the ERP post to them by this role. */
export type StandardRole = 'cash' | 'receivables' | 'inventory' | 'tax_receivable' | 'payables' | 'goods_received_not_invoiced' | 'tax_payable' | 'equity' | 'revenue' | 'cost_of_goods' | 'expenses';

export interface StandardAccount {
  role: StandardRole;
  code: string;
  name: string;
  type: LedgerAccountType;
}

/** Every tenant's standard chart (`system: true`): fixed codes and types, in code order. */
export const STANDARD_CHART: readonly StandardAccount[] = [
  { role: 'cash', code: '1000', name: 'Cash', type: 'asset' },
  { role: 'receivables', code: '1200', name: 'Accounts receivable', type: 'asset' },
  { role: 'inventory', code: '1300', name: 'Inventory', type: 'asset' },
  { role: 'tax_receivable', code: '1400', name: 'Tax receivable', type: 'asset' },
  { role: 'payables', code: '2000', name: 'Accounts payable', type: 'liability' },
  { role: 'goods_received_not_invoiced', code: '2100', name: 'Goods received not invoiced', type: 'liability' },
  { role: 'tax_payable', code: '2200', name: 'Tax payable', type: 'liability' },
  { role: 'equity', code: '3000', name: 'Owner equity', type: 'equity' },
  { role: 'revenue', code: '4000', name: 'Revenue', type: 'revenue' },
  { role: 'cost_of_goods', code: '5000', name: 'Cost of goods sold', type: 'expense' },
  { role: 'expenses', code: '6000', name: 'Expenses', type: 'expense' },
];

/** The standard account's code for a role. */
export function standardCode(role: StandardRole): string {
  return STANDARD_CHART.find((a) => a.role === role)!.code;
}

export interface LedgerAccountState {
  id: string;
  tenantId: string;
  code: string;
  name: string;
  type: LedgerAccountType;
  system: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface LedgerAccountInput {
  code: string;
  name: string;
  type: LedgerAccountType;
}

export interface LedgerAccountPatch {
  code?: string;
  name?: string;
  type?: LedgerAccountType;
}

export const isLedgerAccountId = (value: string): boolean => isId('lac', value);

/** A code as uniqueness compares it: ignoring case. */
export function ledgerCodeKey(code: string): string {
  return code.normalize('NFC').toLowerCase();
}

/** The 409 for a code another account of the tenant has, naming it when it is known. */
export class LedgerCodeTakenError extends ConflictError {
  constructor(
    readonly code: string,
    existingId?: string,
  ) {
    super(`Ledger account ${existingId ?? '(another)'} already has the code ${code} (codes are compared ignoring case).`, existingId ? { existing_ledger_account_id: existingId } : {});
  }
}

/** An account of the chart. A standard one (`system`) keeps its code and type and is never deleted. */
export class LedgerAccount {
  private constructor(private state: LedgerAccountState) {}

  /** An account of the tenant's own. */
  static create(tenantId: string, input: LedgerAccountInput, now = new Date()): LedgerAccount {
    return new LedgerAccount({ id: newId('lac'), tenantId, code: input.code, name: input.name, type: input.type, system: false, version: 1, createdAt: now, updatedAt: now });
  }

  /** The tenant's copy of a standard account. */
  static standard(tenantId: string, account: StandardAccount, now = new Date()): LedgerAccount {
    return new LedgerAccount({ id: newId('lac'), tenantId, code: account.code, name: account.name, type: account.type, system: true, version: 1, createdAt: now, updatedAt: now });
  }

  static restore(state: LedgerAccountState): LedgerAccount {
    return new LedgerAccount({ ...state });
  }

  get snapshot(): Readonly<LedgerAccountState> {
    return this.state;
  }

  get id(): string {
    return this.state.id;
  }

  get version(): number {
    return this.state.version;
  }

  /**
   * Applies a merge patch; one that changes nothing keeps the version. A standard account
   * refuses (409) another code or type: the documents post to it by them.
   */
  change(patch: LedgerAccountPatch, now = new Date()): { changed: boolean; codeChanged: boolean } {
    const s = this.state;
    const next: LedgerAccountState = {
      ...s,
      ...(patch.code !== undefined && { code: patch.code }),
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.type !== undefined && { type: patch.type }),
    };
    const codeChanged = next.code !== s.code;
    if (s.system && codeChanged) throw new ConflictError(`Ledger account ${s.id} (${s.code}) is a standard account: its code never changes.`);
    if (s.system && next.type !== s.type) throw new ConflictError(`Ledger account ${s.id} (${s.code}) is a standard account: its type never changes.`);
    const changed = codeChanged || next.name !== s.name || next.type !== s.type;
    if (changed) this.state = { ...next, version: s.version + 1, updatedAt: now };
    return { changed, codeChanged };
  }

  /** Refuses (409) to delete a standard account. */
  assertDeletable(): void {
    if (this.state.system) throw new ConflictError(`Ledger account ${this.state.id} (${this.state.code}) is a standard account and is never deleted.`);
  }
}
