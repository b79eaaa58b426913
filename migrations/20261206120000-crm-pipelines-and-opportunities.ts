import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * CRM: pipelines with their ordered stages, opportunities, and each opportunity's stage history.
 *
 * Every documented filter and sort of the opportunity list has an index (the list's declaration
 * is in src/modules/crm/infrastructure/opportunity.repository.ts): each starts with `tenant_id`
 * and ends with `id`; a filter's index continues with the default sort (`created_at`). The
 * amount range is served by (tenant_id, amount, id) and, with `currency`, by (tenant_id,
 * currency, amount, id). On PostgreSQL `tags` and `custom_fields` are jsonb with GIN indexes, as
 * for accounts. The pipeline summary groups an index range of (tenant_id, stage_id, …) per stage;
 * the count of an account's open opportunities (archiving it) reads (tenant_id, account_id, …).
 */
export async function up({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  const json = postgres ? DataTypes.JSONB : DataTypes.TEXT;
  await sequelize.transaction(async (transaction) => {
    await qi.createTable(
      'crm_pipelines',
      {
        id: { type: DataTypes.STRING(40), primaryKey: true },
        tenant_id: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'tenants', key: 'id' } },
        name: { type: DataTypes.STRING(100), allowNull: false },
        version: { type: DataTypes.INTEGER, allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await qi.addIndex('crm_pipelines', ['tenant_id', 'created_at', 'id'], { name: 'crm_pipelines_tenant_created', transaction });

    await qi.createTable(
      'crm_pipeline_stages',
      {
        id: { type: DataTypes.STRING(40), primaryKey: true },
        tenant_id: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'tenants', key: 'id' } },
        pipeline_id: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'crm_pipelines', key: 'id' } },
        /** The stage's place in its pipeline, 0 first. */
        position: { type: DataTypes.INTEGER, allowNull: false },
        name: { type: DataTypes.STRING(100), allowNull: false },
        probability: { type: DataTypes.INTEGER, allowNull: false },
        kind: { type: DataTypes.STRING(10), allowNull: false },
      },
      { transaction },
    );
    await qi.addIndex('crm_pipeline_stages', ['tenant_id', 'pipeline_id', 'position'], { name: 'crm_pipeline_stages_tenant_pipeline', transaction });

    await qi.createTable(
      'crm_opportunities',
      {
        id: { type: DataTypes.STRING(40), primaryKey: true },
        tenant_id: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'tenants', key: 'id' } },
        name: { type: DataTypes.STRING(200), allowNull: false },
        pipeline_id: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'crm_pipelines', key: 'id' } },
        stage_id: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'crm_pipeline_stages', key: 'id' } },
        account_id: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'crm_accounts', key: 'id' } },
        /** A contact id, kept as given. */
        primary_contact_id: { type: DataTypes.STRING(40), allowNull: true },
        /** Minor units of `currency`; both NULL or neither. */
        amount: { type: DataTypes.BIGINT, allowNull: true },
        currency: { type: DataTypes.STRING(3), allowNull: true },
        expected_close_date: { type: DataTypes.DATEONLY, allowNull: true },
        owner_id: { type: DataTypes.STRING(100), allowNull: true },
        tags: { type: json, allowNull: false },
        custom_fields: { type: json, allowNull: false },
        /** open | won | lost: follows the stage's kind, kept here for the `status` filter. */
        status: { type: DataTypes.STRING(10), allowNull: false },
        lost_reason: { type: DataTypes.STRING(500), allowNull: true },
        closed_at: { type: DataTypes.DATE, allowNull: true },
        version: { type: DataTypes.INTEGER, allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    const index = (fields: string[], name: string) => qi.addIndex('crm_opportunities', fields, { name, transaction });
    await index(['tenant_id', 'created_at', 'id'], 'crm_opportunities_tenant_created');
    await index(['tenant_id', 'amount', 'id'], 'crm_opportunities_tenant_amount');
    await index(['tenant_id', 'expected_close_date', 'id'], 'crm_opportunities_tenant_close_date');
    await index(['tenant_id', 'pipeline_id', 'created_at', 'id'], 'crm_opportunities_tenant_pipeline');
    await index(['tenant_id', 'stage_id', 'created_at', 'id'], 'crm_opportunities_tenant_stage');
    await index(['tenant_id', 'status', 'created_at', 'id'], 'crm_opportunities_tenant_status');
    await index(['tenant_id', 'owner_id', 'created_at', 'id'], 'crm_opportunities_tenant_owner');
    await index(['tenant_id', 'account_id', 'created_at', 'id'], 'crm_opportunities_tenant_account');
    await index(['tenant_id', 'currency', 'amount', 'id'], 'crm_opportunities_tenant_currency_amount');
    if (postgres) {
      await sequelize.query('CREATE INDEX crm_opportunities_tags ON crm_opportunities USING gin (tags jsonb_path_ops)', { transaction });
      await sequelize.query('CREATE INDEX crm_opportunities_custom_fields ON crm_opportunities USING gin (custom_fields jsonb_path_ops)', { transaction });
    }

    await qi.createTable(
      'crm_opportunity_stage_changes',
      {
        id: { type: DataTypes.STRING(40), primaryKey: true },
        tenant_id: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'tenants', key: 'id' } },
        opportunity_id: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'crm_opportunities', key: 'id' } },
        /** Stage ids as they were: a stage deleted since keeps its id here (no reference). */
        from_stage_id: { type: DataTypes.STRING(40), allowNull: true },
        to_stage_id: { type: DataTypes.STRING(40), allowNull: false },
        status: { type: DataTypes.STRING(10), allowNull: false },
        /** The API client that made the change. */
        changed_by: { type: DataTypes.STRING(40), allowNull: false },
        changed_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await qi.addIndex('crm_opportunity_stage_changes', ['tenant_id', 'opportunity_id', 'changed_at', 'id'], { name: 'crm_opportunity_stage_changes_tenant_opportunity', transaction });
  });
}

export async function down({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await qi.dropTable('crm_opportunity_stage_changes', { transaction });
    await qi.dropTable('crm_opportunities', { transaction });
    await qi.dropTable('crm_pipeline_stages', { transaction });
    await qi.dropTable('crm_pipelines', { transaction });
  });
}
