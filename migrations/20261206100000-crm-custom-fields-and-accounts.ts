import { DataTypes, Op } from 'sequelize';
import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * CRM: the tenant's custom field definitions, and accounts.
 *
 * Every documented filter and sort of the account list has an index (the list's declaration
 * is in src/modules/crm/infrastructure/account.repository.ts). On PostgreSQL `tags` and
 * `custom_fields` are jsonb with GIN indexes (containment: `?tag=`, `?custom_fields.<key>=`)
 * and `search` (name and domain, folded) has a pg_trgm GIN index for `q`; SQLite keeps JSON
 * text and scans the tenant's rows for those three.
 */
export async function up({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  const json = postgres ? DataTypes.JSONB : DataTypes.TEXT;
  await sequelize.transaction(async (transaction) => {
    if (postgres) await sequelize.query('CREATE EXTENSION IF NOT EXISTS pg_trgm', { transaction });
    await qi.createTable(
      'crm_custom_fields',
      {
        id: { type: DataTypes.STRING(40), primaryKey: true },
        tenant_id: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'tenants', key: 'id' } },
        object: { type: DataTypes.STRING(20), allowNull: false },
        key: { type: DataTypes.STRING(40), allowNull: false },
        label: { type: DataTypes.STRING(100), allowNull: false },
        description: { type: DataTypes.STRING(500), allowNull: true },
        type: { type: DataTypes.STRING(10), allowNull: false },
        options: { type: DataTypes.TEXT, allowNull: true },
        required: { type: DataTypes.BOOLEAN, allowNull: false },
        version: { type: DataTypes.INTEGER, allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await qi.addIndex('crm_custom_fields', ['tenant_id', 'object', 'key'], { name: 'crm_custom_fields_tenant_object_key', unique: true, transaction });
    await qi.addIndex('crm_custom_fields', ['tenant_id', 'created_at', 'id'], { name: 'crm_custom_fields_tenant_created', transaction });
    await qi.addIndex('crm_custom_fields', ['tenant_id', 'key', 'id'], { name: 'crm_custom_fields_tenant_key', transaction });

    await qi.createTable(
      'crm_accounts',
      {
        id: { type: DataTypes.STRING(40), primaryKey: true },
        tenant_id: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'tenants', key: 'id' } },
        name: { type: DataTypes.STRING(200), allowNull: false },
        /** The name folded by searchText(): the `name` sort, alike on both databases. */
        name_key: { type: DataTypes.STRING(400), allowNull: false },
        domain: { type: DataTypes.STRING(253), allowNull: true },
        industry: { type: DataTypes.STRING(100), allowNull: true },
        website: { type: DataTypes.TEXT, allowNull: true },
        phone: { type: DataTypes.STRING(16), allowNull: true },
        billing_address: { type: DataTypes.TEXT, allowNull: true },
        shipping_address: { type: DataTypes.TEXT, allowNull: true },
        owner_id: { type: DataTypes.STRING(100), allowNull: true },
        tags: { type: json, allowNull: false },
        external_id: { type: DataTypes.STRING(255), allowNull: true },
        custom_fields: { type: json, allowNull: false },
        /** Name and domain folded by searchText(), for `q`. */
        search: { type: DataTypes.TEXT, allowNull: false },
        archived_at: { type: DataTypes.DATE, allowNull: true },
        version: { type: DataTypes.INTEGER, allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    // Byte order, as SQLite compares: `sort=name` pages alike on both, whatever the server's locale.
    if (postgres) await sequelize.query('ALTER TABLE crm_accounts ALTER COLUMN name_key TYPE varchar(400) COLLATE "C"', { transaction });
    const index = (fields: string[], name: string, unique = false) => qi.addIndex('crm_accounts', fields, { name, unique, transaction });
    await index(['tenant_id', 'name_key', 'id'], 'crm_accounts_tenant_name');
    await index(['tenant_id', 'created_at', 'id'], 'crm_accounts_tenant_created');
    await index(['tenant_id', 'updated_at', 'id'], 'crm_accounts_tenant_updated');
    await index(['tenant_id', 'owner_id', 'name_key', 'id'], 'crm_accounts_tenant_owner_name');
    await index(['tenant_id', 'industry', 'name_key', 'id'], 'crm_accounts_tenant_industry_name');
    await index(['tenant_id', 'external_id'], 'crm_accounts_tenant_external_id', true);
    // `archived=true`: the few archived accounts, newest first, without reading the live ones.
    await qi.addIndex('crm_accounts', ['tenant_id', 'created_at', 'id'], { name: 'crm_accounts_tenant_archived', where: { archived_at: { [Op.ne]: null } }, transaction });
    if (postgres) {
      await sequelize.query('CREATE INDEX crm_accounts_tags ON crm_accounts USING gin (tags jsonb_path_ops)', { transaction });
      await sequelize.query('CREATE INDEX crm_accounts_custom_fields ON crm_accounts USING gin (custom_fields jsonb_path_ops)', { transaction });
      await sequelize.query('CREATE INDEX crm_accounts_search ON crm_accounts USING gin (search gin_trgm_ops)', { transaction });
    }
  });
}

export async function down({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await qi.dropTable('crm_accounts', { transaction });
    await qi.dropTable('crm_custom_fields', { transaction });
  });
}
