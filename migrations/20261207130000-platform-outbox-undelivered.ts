import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * The outbox's due-events index covers only the events still waiting for delivery (a partial
 * index): the dispatcher's lease reads the due ones by `next_attempt_at` without walking the
 * delivered rows that stay for the retention period, and marking an event delivered takes it
 * out of the index instead of moving it within.
 */
export async function up({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await qi.removeIndex('outbox_events', 'outbox_events_due', { transaction });
    await sequelize.query('CREATE INDEX outbox_events_undelivered ON outbox_events (next_attempt_at) WHERE published_at IS NULL', { transaction });
  });
}

export async function down({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await sequelize.query('DROP INDEX outbox_events_undelivered', { transaction });
    await qi.addIndex('outbox_events', ['published_at', 'next_attempt_at'], { name: 'outbox_events_due', transaction });
  });
}
