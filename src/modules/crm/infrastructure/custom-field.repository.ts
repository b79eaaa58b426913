import type { Transaction } from 'sequelize';
import type { Database } from '../../../platform/db/database';
import { defineList, selectPage, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import type { UnitOfWork } from '../../../platform/db/unit-of-work';
import { StaleVersionError } from '../../../platform/errors';
import { CustomField, CustomFieldRules, type CustomFieldState, type FieldObject, type FieldType } from '../domain/custom-field';
import { CustomFieldModel } from './models';
import { date, isUniqueViolation, maybeJson } from './rows';
import { DuplicateKeyError } from './duplicates';

interface CustomFieldRow {
  id: string;
  tenant_id: string;
  object: string;
  key: string;
  label: string;
  description: string | null;
  type: string;
  options: string | null;
  required: boolean | number;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

function toState(row: CustomFieldRow): CustomFieldState {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    object: row.object as FieldObject,
    key: row.key,
    label: row.label,
    description: row.description,
    type: row.type as FieldType,
    options: maybeJson<string[]>(row.options),
    required: Boolean(row.required),
    version: Number(row.version),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

function toRow(s: Readonly<CustomFieldState>) {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    object: s.object,
    key: s.key,
    label: s.label,
    description: s.description,
    type: s.type,
    options: s.options && JSON.stringify(s.options),
    required: s.required,
    version: s.version,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

/** The table holding each object's records, and so its custom field values. */
export const RECORD_TABLES: Readonly<Partial<Record<FieldObject, string>>> = {
  account: 'crm_accounts',
  contact: 'crm_contacts',
};

const COLUMNS = 'id, tenant_id, object, key, label, description, type, options, required, version, created_at, updated_at';
const GET = `SELECT ${COLUMNS} FROM crm_custom_fields WHERE tenant_id = :tenantId AND id = :id`;
const OF_OBJECT = `SELECT ${COLUMNS} FROM crm_custom_fields WHERE tenant_id = :tenantId AND object = :object ORDER BY key`;
const ALL = `SELECT ${COLUMNS} FROM crm_custom_fields WHERE tenant_id = :tenantId ORDER BY object, key`;
const COUNT = `SELECT COUNT(*) AS n FROM crm_custom_fields WHERE tenant_id = :tenantId AND object = :object`;
const BY_KEY = `SELECT id FROM crm_custom_fields WHERE tenant_id = :tenantId AND object = :object AND key = :key`;

export const CUSTOM_FIELD_LIST = defineList({
  name: 'crm.custom_fields',
  table: 'crm_custom_fields',
  select: COLUMNS,
  columns: { object: { type: 'text' }, key: { type: 'text' }, created_at: { type: 'instant' } },
  filters: { object: { kind: 'equals', column: 'object', values: ['account', 'contact', 'opportunity'] satisfies FieldObject[] } },
  sorts: ['created_at', 'key'],
  defaultSort: 'created_at',
});

/** The tenant's custom field definitions. */
export class CustomFieldRepository {
  private readonly transaction: Transaction | undefined;

  constructor(
    private readonly db: Database,
    private readonly tenantId: string,
    private readonly uow?: UnitOfWork,
  ) {
    this.transaction = uow?.transaction;
  }

  static in(uow: UnitOfWork): CustomFieldRepository {
    return new CustomFieldRepository(uow.db, uow.tenantId, uow);
  }

  async get(id: string): Promise<CustomField | null> {
    const sql = this.uow && this.db.dialect === 'postgres' ? `${GET} FOR UPDATE` : GET;
    const row = await this.db.selectOne<CustomFieldRow>(sql, { tenantId: this.tenantId, id }, this.transaction);
    return row ? CustomField.restore(toState(row)) : null;
  }

  /** What writes of `object` records are checked against, read in the caller's transaction. */
  async rulesFor(object: FieldObject): Promise<CustomFieldRules> {
    const rows = await this.db.select<CustomFieldRow>(OF_OBJECT, { tenantId: this.tenantId, object }, this.transaction);
    return new CustomFieldRules(object, rows.map(toState));
  }

  async all(): Promise<CustomFieldState[]> {
    const rows = await this.db.select<CustomFieldRow>(ALL, { tenantId: this.tenantId }, this.transaction);
    return rows.map(toState);
  }

  async count(object: FieldObject): Promise<number> {
    const row = await this.db.selectOne<{ n: number | string }>(COUNT, { tenantId: this.tenantId, object }, this.transaction);
    return Number(row?.n ?? 0);
  }

  async idByKey(object: FieldObject, key: string): Promise<string | undefined> {
    return (await this.db.selectOne<{ id: string }>(BY_KEY, { tenantId: this.tenantId, object, key }, this.transaction))?.id;
  }

  async add(field: CustomField): Promise<void> {
    try {
      await CustomFieldModel.create(toRow(field.snapshot), { transaction: this.writeTransaction() });
    } catch (err) {
      if (isUniqueViolation(err, 'crm_custom_fields_tenant_object_key', ['tenant_id', 'object', 'key'])) throw new DuplicateKeyError('key', field.snapshot.key);
      throw err;
    }
  }

  async save(field: CustomField, loadedVersion: number): Promise<void> {
    const row = toRow(field.snapshot);
    const [count] = await CustomFieldModel.update(row, { where: { id: row.id, tenant_id: this.tenantId, version: loadedVersion }, transaction: this.writeTransaction() });
    if (count !== 1) throw new StaleVersionError(`Custom field ${row.id} was changed by another request; get it again and retry.`);
  }

  /**
   * Deletes the definition and its values from every record of its object, each such record's
   * version bumped (its representation changes). Returns how many records held a value.
   */
  async delete(field: CustomField, loadedVersion: number, now = new Date()): Promise<number> {
    const { id, object, key } = field.snapshot;
    const transaction = this.writeTransaction();
    const removed = await CustomFieldModel.destroy({ where: { id, tenant_id: this.tenantId, version: loadedVersion }, transaction });
    if (removed !== 1) throw new StaleVersionError(`Custom field ${id} was changed by another request; get it again and retry.`);
    const table = RECORD_TABLES[object];
    if (!table) return 0;
    // The key is a checked identifier (CustomFieldKey): safe in SQLite's JSON path.
    const sql =
      this.db.dialect === 'postgres'
        ? `UPDATE ${table} SET custom_fields = custom_fields - :key, version = version + 1, updated_at = :now WHERE tenant_id = :tenantId AND jsonb_exists(custom_fields, :key)`
        : `UPDATE ${table} SET custom_fields = json_remove(custom_fields, '$.${key}'), version = version + 1, updated_at = :now WHERE tenant_id = :tenantId AND json_type(custom_fields, '$.${key}') IS NOT NULL`;
    const [, meta] = await this.db.sequelize.query(sql, { replacements: { key, now, tenantId: this.tenantId }, transaction });
    return typeof meta === 'number' ? meta : Number((meta as { rowCount?: number; changes?: number })?.rowCount ?? (meta as { changes?: number })?.changes ?? 0);
  }

  async list(request: ListRequest): Promise<ListPage<CustomFieldState>> {
    const page = await selectPage<CustomFieldRow>(this.db, CUSTOM_FIELD_LIST, this.tenantId, request, this.transaction);
    return { items: page.items.map(toState), next: page.next };
  }

  private writeTransaction(): Transaction {
    if (!this.transaction) throw new Error('writes need a unit of work');
    return this.transaction;
  }
}
