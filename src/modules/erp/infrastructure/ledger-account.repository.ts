import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { date, isUniqueViolation } from '../../../platform/db/rows';
import { searchText } from '../../../platform/search-text';
import { LEDGER_ACCOUNT_TYPES, LedgerAccount, LedgerCodeTakenError, ledgerCodeKey, type LedgerAccountState, type LedgerAccountType } from '../domain/ledger-account';
import { LedgerAccountModel } from './models';

interface LedgerAccountRow {
  id: string;
  tenant_id: string;
  code: string;
  name: string;
  type: string;
  system: boolean | number;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

export function toLedgerAccountState(row: LedgerAccountRow): LedgerAccountState {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    code: row.code,
    name: row.name,
    type: row.type as LedgerAccountType,
    system: Boolean(row.system),
    version: Number(row.version),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

function toRow(s: Readonly<LedgerAccountState>) {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    code: s.code,
    code_key: ledgerCodeKey(s.code),
    name: s.name,
    name_key: searchText(s.name),
    type: s.type,
    system: s.system,
    version: s.version,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

const COLUMNS = 'id, tenant_id, code, code_key, name, name_key, type, system, version, created_at, updated_at';
const GET = `SELECT ${COLUMNS} FROM erp_ledger_accounts WHERE tenant_id = :tenantId AND id = :id`;
const BY_CODE = 'SELECT id FROM erp_ledger_accounts WHERE tenant_id = :tenantId AND code_key = :codeKey';
const SYSTEM_CODES = 'SELECT code_key FROM erp_ledger_accounts WHERE tenant_id = :tenantId AND system = TRUE';
/** The standard chart is made by whoever comes first: a row another request made meanwhile is skipped. */
const INSERT_STANDARD = `INSERT INTO erp_ledger_accounts (id, tenant_id, code, code_key, name, name_key, type, system, version, created_at, updated_at)
  VALUES (:id, :tenantId, :code, :code_key, :name, :name_key, :type, :system, :version, :created_at, :updated_at)
  ON CONFLICT (tenant_id, code_key) DO NOTHING`;
const CODE_INDEX = 'erp_ledger_accounts_tenant_code_key';

/** Every filter and sort here has its index (migrations/20261208100000-erp-catalog.ts). */
export const LEDGER_ACCOUNT_LIST = defineList({
  name: 'erp.ledger_accounts',
  table: 'erp_ledger_accounts',
  select: COLUMNS,
  columns: {
    code_key: { type: 'text' },
    name_key: { type: 'text' },
    type: { type: 'text' },
    system: { type: 'boolean' },
    created_at: { type: 'instant' },
  },
  filters: {
    type: { kind: 'equals', column: 'type', values: LEDGER_ACCOUNT_TYPES },
    system: { kind: 'equals', column: 'system' },
  },
  sorts: ['code', 'name', 'created_at'],
  sortColumns: { code: 'code_key', name: 'name_key' },
  defaultSort: 'code',
});

/** The chart of accounts of one tenant. */
export class LedgerAccountRepository extends TenantRepository {
  /** Inside a unit of work on PostgreSQL the row is locked: the change is decided on what is read. */
  async get(id: string): Promise<LedgerAccount | null> {
    const row = await this.lockingSelectOne<LedgerAccountRow>(GET, { id });
    return row ? LedgerAccount.restore(toLedgerAccountState(row)) : null;
  }

  async state(id: string): Promise<LedgerAccountState | null> {
    const row = await this.selectOne<LedgerAccountRow>(GET, { id });
    return row ? toLedgerAccountState(row) : null;
  }

  async idByCode(code: string): Promise<string | undefined> {
    return (await this.selectOne<{ id: string }>(BY_CODE, { codeKey: ledgerCodeKey(code) }))?.id;
  }

  /** The codes (folded) of the standard accounts the tenant has. */
  async systemCodes(): Promise<Set<string>> {
    return new Set((await this.select<{ code_key: string }>(SYSTEM_CODES, {})).map((r) => r.code_key));
  }

  /** Adds standard accounts; one whose code the tenant has already (made by a racing request) is skipped. */
  async addStandard(accounts: readonly LedgerAccount[]): Promise<void> {
    for (const account of accounts) {
      const { tenant_id: _tenant, ...row } = toRow(account.snapshot);
      await this.execute(INSERT_STANDARD, row);
    }
  }

  async add(account: LedgerAccount): Promise<void> {
    await this.write(account, () => LedgerAccountModel.create(toRow(account.snapshot), { transaction: this.writeTransaction(), returning: false }));
  }

  async save(account: LedgerAccount, loadedVersion: number): Promise<void> {
    await this.write(account, () => this.updateVersioned(LedgerAccountModel, toRow(account.snapshot), loadedVersion, `Ledger account ${account.id}`));
  }

  async delete(account: LedgerAccount, loadedVersion: number): Promise<void> {
    await this.destroyVersioned(LedgerAccountModel, account.id, loadedVersion, `Ledger account ${account.id}`);
  }

  list(request: ListRequest): Promise<ListPage<LedgerAccountState>> {
    return this.page(LEDGER_ACCOUNT_LIST, request, toLedgerAccountState);
  }

  private async write(account: LedgerAccount, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (err) {
      if (isUniqueViolation(err, CODE_INDEX, ['tenant_id', 'code_key'])) throw new LedgerCodeTakenError(account.snapshot.code);
      throw err;
    }
  }
}
