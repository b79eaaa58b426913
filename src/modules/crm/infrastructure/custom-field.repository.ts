import { defineList, type ListPage, type ListRequest } from '../../../platform/db/list-query';
import { TenantRepository } from '../../../platform/db/repository';
import { CustomField, CustomFieldRules, type CustomFieldState, type FieldObject, type FieldType } from '../domain/custom-field';
import { CustomFieldModel } from './models';
import { date, isUniqueViolation, maybeJson } from '../../../platform/db/rows';
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
  opportunity: 'crm_opportunities',
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
export class CustomFieldRepository extends TenantRepository {
  async get(id: string): Promise<CustomField | null> {
    const row = await this.lockingSelectOne<CustomFieldRow>(GET, { id });
    return row ? CustomField.restore(toState(row)) : null;
  }

  /** What writes of `object` records are checked against, read in the caller's transaction. */
  async rulesFor(object: FieldObject): Promise<CustomFieldRules> {
    const rows = await this.select<CustomFieldRow>(OF_OBJECT, { object });
    return new CustomFieldRules(object, rows.map(toState));
  }

  async all(): Promise<CustomFieldState[]> {
    return (await this.select<CustomFieldRow>(ALL, {})).map(toState);
  }

  async count(object: FieldObject): Promise<number> {
    return Number((await this.selectOne<{ n: number | string }>(COUNT, { object }))?.n ?? 0);
  }

  async idByKey(object: FieldObject, key: string): Promise<string | undefined> {
    return (await this.selectOne<{ id: string }>(BY_KEY, { object, key }))?.id;
  }

  async add(field: CustomField): Promise<void> {
    try {
      await CustomFieldModel.create(toRow(field.snapshot), { transaction: this.writeTransaction() });
    } catch (err) {
      if (isUniqueViolation(err, 'crm_custom_fields_tenant_object_key', ['tenant_id', 'object', 'key'])) throw new DuplicateKeyError('key', field.snapshot.key);
      throw err;
    }
  }

  save(field: CustomField, loadedVersion: number): Promise<void> {
    return this.updateVersioned(CustomFieldModel, toRow(field.snapshot), loadedVersion, `Custom field ${field.snapshot.id}`);
  }

  /**
   * Deletes the definition and its values from every record of its object, each such record's
   * version bumped (its representation changes). Returns how many records held a value.
   */
  async delete(field: CustomField, loadedVersion: number, now = new Date()): Promise<number> {
    const { id, object, key } = field.snapshot;
    await this.destroyVersioned(CustomFieldModel, id, loadedVersion, `Custom field ${id}`);
    const table = RECORD_TABLES[object];
    if (!table) return 0;
    // The key is a checked identifier (CustomFieldKey): safe in SQLite's JSON path.
    const sql =
      this.db.dialect === 'postgres'
        ? `UPDATE ${table} SET custom_fields = custom_fields - :key, version = version + 1, updated_at = :now WHERE tenant_id = :tenantId AND jsonb_exists(custom_fields, :key)`
        : `UPDATE ${table} SET custom_fields = json_remove(custom_fields, '$.${key}'), version = version + 1, updated_at = :now WHERE tenant_id = :tenantId AND json_type(custom_fields, '$.${key}') IS NOT NULL`;
    const [, meta] = await this.db.sequelize.query(sql, { replacements: { key, now, tenantId: this.tenantId }, transaction: this.writeTransaction() });
    return typeof meta === 'number' ? meta : Number((meta as { rowCount?: number; changes?: number })?.rowCount ?? (meta as { changes?: number })?.changes ?? 0);
  }

  list(request: ListRequest): Promise<ListPage<CustomFieldState>> {
    return this.page(CUSTOM_FIELD_LIST, request, toState);
  }
}
