import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/platform/db/migrator';

/** Rate limit counters: requests per API client and fixed window, shared by every process. */
export async function up({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await qi.createTable(
      'rate_limit_counters',
      {
        client_id: { type: DataTypes.STRING(40), primaryKey: true },
        // Start of the window in epoch seconds: a plain integer compares the same on both databases.
        window_start: { type: DataTypes.BIGINT, primaryKey: true },
        tenant_id: { type: DataTypes.STRING(40), allowNull: false },
        used: { type: DataTypes.INTEGER, allowNull: false },
      },
      { transaction },
    );
    await qi.addIndex('rate_limit_counters', ['window_start'], { name: 'rate_limit_counters_window_start', transaction });
  });
}

export async function down({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await qi.dropTable('rate_limit_counters', { transaction });
  });
}
