import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * Failed attempts at a secret (token requests) per subject (`client-id:…`, `address:…`) and fixed
 * window, shared by every process: src/platform/ratelimit/failed-attempts.ts.
 */
export async function up({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await qi.createTable(
      'failed_attempts',
      {
        subject: { type: DataTypes.STRING(200), primaryKey: true },
        // Start of the window in epoch seconds: a plain integer compares the same on both databases.
        window_start: { type: DataTypes.BIGINT, primaryKey: true },
        failures: { type: DataTypes.INTEGER, allowNull: false },
      },
      { transaction },
    );
    await qi.addIndex('failed_attempts', ['window_start'], { name: 'failed_attempts_window_start', transaction });
  });
}

export async function down({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await qi.dropTable('failed_attempts', { transaction });
  });
}
