import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * CRM activities: notes, tasks, calls and meetings on one account, contact or opportunity. An
 * index per documented filter and sort of the list (src/modules/crm/infrastructure/
 * activity.repository.ts), and per attachment by `timeline_at`, which the timelines read newest
 * first.
 */
export async function up({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await qi.createTable(
      'crm_activities',
      {
        id: { type: DataTypes.STRING(40), primaryKey: true },
        tenant_id: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'tenants', key: 'id' } },
        kind: { type: DataTypes.STRING(10), allowNull: false },
        subject: { type: DataTypes.STRING(200), allowNull: false },
        body: { type: DataTypes.TEXT, allowNull: true },
        due_at: { type: DataTypes.DATE, allowNull: true },
        completed_at: { type: DataTypes.DATE, allowNull: true },
        occurred_at: { type: DataTypes.DATE, allowNull: true },
        duration_minutes: { type: DataTypes.INTEGER, allowNull: true },
        owner_id: { type: DataTypes.STRING(100), allowNull: true },
        account_id: { type: DataTypes.STRING(40), allowNull: true },
        contact_id: { type: DataTypes.STRING(40), allowNull: true },
        opportunity_id: { type: DataTypes.STRING(40), allowNull: true },
        /** When it shows on a timeline: occurred_at for calls and meetings, else created_at. */
        timeline_at: { type: DataTypes.DATE, allowNull: false },
        version: { type: DataTypes.INTEGER, allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    const index = (fields: string[], name: string) => qi.addIndex('crm_activities', fields, { name, transaction });
    await index(['tenant_id', 'created_at', 'id'], 'crm_activities_tenant_created');
    await index(['tenant_id', 'due_at', 'id'], 'crm_activities_tenant_due');
    await index(['tenant_id', 'kind', 'created_at', 'id'], 'crm_activities_tenant_kind_created');
    await index(['tenant_id', 'completed_at', 'id'], 'crm_activities_tenant_completed');
    await index(['tenant_id', 'owner_id', 'created_at', 'id'], 'crm_activities_tenant_owner_created');
    await index(['tenant_id', 'account_id', 'timeline_at', 'id'], 'crm_activities_tenant_account_timeline');
    await index(['tenant_id', 'contact_id', 'timeline_at', 'id'], 'crm_activities_tenant_contact_timeline');
    await index(['tenant_id', 'opportunity_id', 'timeline_at', 'id'], 'crm_activities_tenant_opportunity_timeline');
  });
}

export async function down({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await qi.dropTable('crm_activities', { transaction });
  });
}
