import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/platform/db/migrator';

/** Kernel tables: the master secret, idempotency keys, the outbox and subscribers' records. */
export async function up({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await qi.createTable(
      'platform_secrets',
      {
        name: { type: DataTypes.STRING(60), primaryKey: true },
        value: { type: DataTypes.TEXT, allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await qi.createTable(
      'idempotency_keys',
      {
        tenant_id: { type: DataTypes.STRING(40), primaryKey: true },
        key: { type: DataTypes.STRING(255), primaryKey: true },
        request_hash: { type: DataTypes.STRING(64), allowNull: false },
        state: { type: DataTypes.STRING(10), allowNull: false },
        response_status: { type: DataTypes.INTEGER, allowNull: true },
        response: { type: DataTypes.TEXT, allowNull: true },
        created_at: { type: DataTypes.DATE, allowNull: false },
        locked_until: { type: DataTypes.DATE, allowNull: false },
        expires_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await qi.addIndex('idempotency_keys', ['expires_at'], { name: 'idempotency_keys_expires_at', transaction });
    await qi.createTable(
      'outbox_events',
      {
        id: { type: DataTypes.STRING(40), primaryKey: true },
        tenant_id: { type: DataTypes.STRING(40), allowNull: false },
        type: { type: DataTypes.STRING(100), allowNull: false },
        aggregate_type: { type: DataTypes.STRING(60), allowNull: false },
        aggregate_id: { type: DataTypes.STRING(40), allowNull: false },
        payload: { type: DataTypes.TEXT, allowNull: false },
        occurred_at: { type: DataTypes.DATE, allowNull: false },
        published_at: { type: DataTypes.DATE, allowNull: true },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        next_attempt_at: { type: DataTypes.DATE, allowNull: false },
        lease_owner: { type: DataTypes.STRING(60), allowNull: true },
        lease_until: { type: DataTypes.DATE, allowNull: true },
        last_error: { type: DataTypes.STRING(1000), allowNull: true },
      },
      { transaction },
    );
    await qi.addIndex('outbox_events', ['published_at', 'next_attempt_at'], { name: 'outbox_events_due', transaction });
    await qi.createTable(
      'processed_events',
      {
        subscriber: { type: DataTypes.STRING(100), primaryKey: true },
        event_id: { type: DataTypes.STRING(40), primaryKey: true },
        processed_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
  });
}

export async function down({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    for (const table of ['processed_events', 'outbox_events', 'idempotency_keys', 'platform_secrets']) {
      await qi.dropTable(table, { transaction });
    }
  });
}
