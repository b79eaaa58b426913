import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/platform/db/migrator';

export async function up({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await qi.createTable(
      'tenants',
      {
        id: { type: DataTypes.STRING(40), primaryKey: true },
        name: { type: DataTypes.STRING(100), allowNull: false, unique: true },
        created_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await qi.createTable(
      'api_clients',
      {
        id: { type: DataTypes.STRING(40), primaryKey: true },
        tenant_id: { type: DataTypes.STRING(40), allowNull: false, references: { model: 'tenants', key: 'id' } },
        name: { type: DataTypes.STRING(100), allowNull: false },
        description: { type: DataTypes.STRING(500), allowNull: true },
        scopes: { type: DataTypes.TEXT, allowNull: false },
        status: { type: DataTypes.STRING(10), allowNull: false },
        secret_hash: { type: DataTypes.STRING(200), allowNull: false },
        version: { type: DataTypes.INTEGER, allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
        secret_rotated_at: { type: DataTypes.DATE, allowNull: true },
        revoked_at: { type: DataTypes.DATE, allowNull: true },
      },
      { transaction },
    );
    await qi.addIndex('api_clients', ['tenant_id', 'created_at', 'id'], { name: 'api_clients_tenant_created', transaction });
    await qi.addIndex('api_clients', ['tenant_id', 'name', 'id'], { name: 'api_clients_tenant_name', transaction });
  });
}

export async function down({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await qi.dropTable('api_clients', { transaction });
    await qi.dropTable('tenants', { transaction });
  });
}
