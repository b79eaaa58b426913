import type { Transaction } from 'sequelize';
import type { Database } from '../../../platform/db/database';
import type { UnitOfWork } from '../../../platform/db/unit-of-work';
import { defineList, selectPage, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { StaleVersionError } from '../../../platform/errors';
import { searchText } from '../../../platform/search-text';
import { ApiClient, type ApiClientState, type ApiClientStatus } from '../domain/api-client';
import { ApiClientModel } from './models';

interface ApiClientRow {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  scopes: string;
  status: string;
  secret_hash: string;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
  secret_rotated_at: Date | string | null;
  revoked_at: Date | string | null;
}

// pg already hands out Date objects: no copy.
const date = (v: Date | string) => (v instanceof Date ? v : new Date(v));
const maybeDate = (v: Date | string | null) => (v === null ? null : date(v));

function toDomain(row: ApiClientRow): ApiClient {
  return ApiClient.restore(toState(row));
}

function toState(row: ApiClientRow): ApiClientState {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    description: row.description,
    scopes: JSON.parse(row.scopes),
    status: row.status as ApiClientStatus,
    secretHash: row.secret_hash,
    version: Number(row.version),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    secretRotatedAt: maybeDate(row.secret_rotated_at),
    revokedAt: maybeDate(row.revoked_at),
  };
}

function toRow(s: Readonly<ApiClientState>) {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    name: s.name,
    description: s.description,
    name_search: searchText(s.name),
    scopes: JSON.stringify(s.scopes),
    status: s.status,
    secret_hash: s.secretHash,
    version: s.version,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    secret_rotated_at: s.secretRotatedAt,
    revoked_at: s.revokedAt,
  };
}

const COLUMNS = 'id, tenant_id, name, description, scopes, status, secret_hash, version, created_at, updated_at, secret_rotated_at, revoked_at';
// Built once: the database layer looks statements up by their text.
const GET = `SELECT ${COLUMNS} FROM api_clients WHERE tenant_id = :tenantId AND id = :id`;
const GET_FOR_UPDATE = `${GET} FOR UPDATE`;

export const API_CLIENT_LIST = defineList({
  name: 'platform.api_clients',
  table: 'api_clients',
  select: COLUMNS,
  columns: {
    name: { type: 'text' },
    name_search: { type: 'text', nullable: true },
    status: { type: 'text' },
    created_at: { type: 'instant' },
  },
  filters: {
    status: { kind: 'equals', column: 'status', values: ['active', 'revoked'] satisfies ApiClientStatus[] },
    // A row created by a process older than the name_search migration (during a rolling
    // upgrade) has none: its name is folded by the database instead (ASCII only on SQLite,
    // so beyond ASCII such a row is found on PostgreSQL only). A rename by such a process
    // leaves the old folded name: found by it until the row is next saved here.
    q: { kind: 'text', column: 'name_search', match: 'contains', legacyFallback: 'name' },
    created: { kind: 'range', column: 'created_at' },
  },
  sorts: ['created_at', 'name'],
  defaultSort: '-created_at',
});

/**
 * API clients of one tenant. Reads are plain SQL mapped to domain objects here (no model
 * instances on read paths); writes go through the model inside the unit of work's transaction.
 */
export class ApiClientRepository {
  private readonly transaction: Transaction | undefined;

  constructor(
    private readonly db: Database,
    private readonly tenantId: string,
    private readonly uow?: UnitOfWork,
  ) {
    this.transaction = uow?.transaction;
  }

  static in(uow: UnitOfWork): ApiClientRepository {
    return new ApiClientRepository(uow.db, uow.tenantId, uow);
  }

  get(id: string): Promise<ApiClient | null> {
    // Inside a unit of work on PostgreSQL, lock the row: the change is decided on what we read.
    const sql = this.uow && this.db.dialect === 'postgres' ? GET_FOR_UPDATE : GET;
    return this.db.selectOne<ApiClientRow>(sql, { tenantId: this.tenantId, id }, this.transaction).then((row) => (row ? toDomain(row) : null));
  }

  async add(client: ApiClient): Promise<void> {
    await ApiClientModel.create(toRow(client.snapshot), { transaction: this.writeTransaction() });
    this.uow!.record(...client.pullEvents());
  }

  /** Saves a changed client; fails when someone else saved another version in between. */
  async save(client: ApiClient, loadedVersion: number): Promise<void> {
    const row = toRow(client.snapshot);
    const [count] = await ApiClientModel.update(row, {
      where: { id: row.id, tenant_id: this.tenantId, version: loadedVersion },
      transaction: this.writeTransaction(),
    });
    if (count !== 1) throw new StaleVersionError(`API client ${row.id} was changed by another request; get it again and retry.`);
    this.uow!.record(...client.pullEvents());
  }

  async list(request: ListRequest): Promise<ListPage<ApiClientState>> {
    const page = await selectPage<ApiClientRow>(this.db, API_CLIENT_LIST, this.tenantId, request, this.transaction);
    return { items: page.items.map(toState), next: page.next };
  }

  /** Any tenant's client by id: the credential check happens before a tenant is known. */
  static async findForCredentials(db: Database, id: string): Promise<ApiClient | null> {
    const rows = await db.select<ApiClientRow>(`SELECT ${COLUMNS} FROM api_clients WHERE id = :id`, { id });
    return rows.length ? toDomain(rows[0]) : null;
  }

  private writeTransaction(): Transaction {
    if (!this.transaction) throw new Error('writes need a unit of work');
    return this.transaction;
  }
}
