import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * CRM: contacts.
 *
 * Every documented filter and sort of the contact list has an index (the list's declaration is
 * in src/modules/crm/infrastructure/contact.repository.ts). `email_key` (the email folded by
 * emailKey()) is unique per tenant: two requests racing for one address cannot both win. On
 * PostgreSQL `tags` and `custom_fields` are jsonb with GIN indexes, `search` (names and email,
 * folded) has a pg_trgm GIN index for `q` (the extension comes from the accounts migration),
 * and `name_key` compares byte by byte (COLLATE "C"), as SQLite does, so `sort=name` gives one
 * order on both databases whatever the server's locale.
 */
export async function up({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  const json = postgres ? DataTypes.JSONB : DataTypes.TEXT;
  await sequelize.transaction(async (transaction) => {
    await qi.createTable(
      'crm_contacts',
      {
        id: { type: DataTypes.STRING(40), primaryKey: true },
        tenant_id: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'tenants', key: 'id' } },
        first_name: { type: DataTypes.STRING(100), allowNull: true },
        last_name: { type: DataTypes.STRING(100), allowNull: true },
        /** Last name, then first name, folded by searchText(): the `name` sort. */
        name_key: { type: DataTypes.STRING(410), allowNull: false },
        email: { type: DataTypes.STRING(254), allowNull: true },
        /** The email folded by emailKey(): unique per tenant, and the `email` filter. */
        email_key: { type: DataTypes.STRING(254), allowNull: true },
        additional_emails: { type: json, allowNull: false },
        phones: { type: json, allowNull: false },
        title: { type: DataTypes.STRING(200), allowNull: true },
        /** An account of the same tenant (checked by the application; accounts are archived, never deleted). */
        account_id: { type: DataTypes.STRING(40), allowNull: true },
        owner_id: { type: DataTypes.STRING(100), allowNull: true },
        tags: { type: json, allowNull: false },
        external_id: { type: DataTypes.STRING(255), allowNull: true },
        custom_fields: { type: json, allowNull: false },
        /** First and last name, then the email, folded, for `q`. */
        search: { type: DataTypes.TEXT, allowNull: false },
        version: { type: DataTypes.INTEGER, allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    if (postgres) await sequelize.query('ALTER TABLE crm_contacts ALTER COLUMN name_key TYPE varchar(410) COLLATE "C"', { transaction });
    const index = (fields: string[], name: string, unique = false) => qi.addIndex('crm_contacts', fields, { name, unique, transaction });
    await index(['tenant_id', 'name_key', 'id'], 'crm_contacts_tenant_name');
    await index(['tenant_id', 'created_at', 'id'], 'crm_contacts_tenant_created');
    await index(['tenant_id', 'updated_at', 'id'], 'crm_contacts_tenant_updated');
    await index(['tenant_id', 'account_id', 'created_at', 'id'], 'crm_contacts_tenant_account_created');
    await index(['tenant_id', 'owner_id', 'created_at', 'id'], 'crm_contacts_tenant_owner_created');
    await index(['tenant_id', 'email_key'], 'crm_contacts_tenant_email', true);
    await index(['tenant_id', 'external_id'], 'crm_contacts_tenant_external_id', true);
    if (postgres) {
      await sequelize.query('CREATE INDEX crm_contacts_tags ON crm_contacts USING gin (tags jsonb_path_ops)', { transaction });
      await sequelize.query('CREATE INDEX crm_contacts_custom_fields ON crm_contacts USING gin (custom_fields jsonb_path_ops)', { transaction });
      await sequelize.query('CREATE INDEX crm_contacts_search ON crm_contacts USING gin (search gin_trgm_ops)', { transaction });
    }
  });
}

export async function down({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await qi.dropTable('crm_contacts', { transaction });
  });
}
