import { createHash } from 'node:crypto';
import { DataTypes, QueryTypes, type Transaction } from 'sequelize';
import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * Idempotency keys are kept only as a hash (`key_hash` replaces `key`), and each stored answer
 * is encrypted under a key derived from the raw Idempotency-Key too
 * (src/platform/idempotency/idempotency-store.ts). Until now a copy of the database alone (the
 * master secret is in it by default) held the raw keys and decrypted every stored answer,
 * among them the client_secret of every API client created or rotated in the last 24 hours.
 *
 * The rows already there are kept, with their keys hashed, so a retry of a request made before
 * the upgrade still finds its key and is not run a second time. Their answers are dropped, not
 * re-encrypted (that would take the master secret, which a migration cannot see when
 * STRATUM_SECRET sets it): a retry of a finished one hears 409 ("use a new key"), as after a
 * change of the master secret. They all expire within 24 hours anyway.
 *
 * The table is rebuilt (the key is part of the primary key). On SQLite, `secure_delete` zeroes
 * the old table's pages as they are freed and the write-ahead log is truncated afterwards, so
 * neither the raw keys nor the old answers linger in the file. (On PostgreSQL the old table's
 * files are removed by DROP TABLE.)
 */

/** keyHash of the idempotency store as of this migration, frozen here on purpose. */
const keyHash = (tenantId: string, key: string) => createHash('sha256').update(JSON.stringify(['stratum:idempotency-key', tenantId, key])).digest('hex');

const BATCH = 500;

const columns = (keyColumn: 'key' | 'key_hash') => ({
  tenant_id: { type: DataTypes.STRING(40), primaryKey: true },
  [keyColumn]: { type: DataTypes.STRING(keyColumn === 'key' ? 255 : 64), primaryKey: true },
  request_hash: { type: DataTypes.STRING(64), allowNull: false },
  state: { type: DataTypes.STRING(10), allowNull: false },
  response_status: { type: DataTypes.INTEGER, allowNull: true },
  response: { type: DataTypes.TEXT, allowNull: true },
  created_at: { type: DataTypes.DATE, allowNull: false },
  locked_until: { type: DataTypes.DATE, allowNull: false },
  expires_at: { type: DataTypes.DATE, allowNull: false },
});

interface OldRow {
  tenant_id: string;
  key: string;
  request_hash: string;
  state: string;
  response_status: number | null;
  created_at: unknown;
  locked_until: unknown;
  expires_at: unknown;
}

/** Replaces idempotency_keys by a table keyed by `keyColumn`, filled by `copy`, under the same names. */
async function rebuild(
  { queryInterface: qi, sequelize }: MigrationContext,
  keyColumn: 'key' | 'key_hash',
  copy: (transaction: Transaction) => Promise<void>,
): Promise<void> {
  const sqlite = sequelize.getDialect() === 'sqlite';
  await sequelize.transaction(async (transaction) => {
    // On this transaction's connection: pages freed from here on are overwritten with zeros.
    if (sqlite) await sequelize.query('PRAGMA secure_delete = ON', { transaction });
    await qi.createTable('idempotency_keys_next', columns(keyColumn), { transaction });
    await copy(transaction);
    await qi.dropTable('idempotency_keys', { transaction });
    await qi.renameTable('idempotency_keys_next', 'idempotency_keys', { transaction });
    if (!sqlite) await sequelize.query('ALTER TABLE idempotency_keys RENAME CONSTRAINT idempotency_keys_next_pkey TO idempotency_keys_pkey', { transaction });
    await qi.addIndex('idempotency_keys', ['expires_at'], { name: 'idempotency_keys_expires_at', transaction });
  });
  // The old pages may still be in the main file, their zeroed images only in the log: copy the
  // log into the file and empty it.
  if (sqlite) await sequelize.query('PRAGMA wal_checkpoint(TRUNCATE)');
}

export async function up(context: MigrationContext): Promise<void> {
  const { queryInterface: qi, sequelize } = context;
  await rebuild(context, 'key_hash', async (transaction) => {
    let after: [string, string] | undefined;
    for (;;) {
      const rows = await sequelize.query<OldRow>(
        `SELECT tenant_id, "key", request_hash, state, response_status, created_at, locked_until, expires_at FROM idempotency_keys
         ${after ? 'WHERE tenant_id > :tenant OR (tenant_id = :tenant AND "key" > :key)' : ''} ORDER BY tenant_id, "key" LIMIT ${BATCH}`,
        { type: QueryTypes.SELECT, replacements: after ? { tenant: after[0], key: after[1] } : {}, transaction },
      );
      if (!rows.length) return;
      await qi.bulkInsert(
        'idempotency_keys_next',
        rows.map(({ key, ...row }) => ({ ...row, key_hash: keyHash(row.tenant_id, key), response: null })),
        { transaction },
      );
      const last = rows[rows.length - 1];
      after = [last.tenant_id, last.key];
    }
  });
}

/** The raw keys cannot be recovered from their hashes: going down empties the table. */
export async function down(context: MigrationContext): Promise<void> {
  await rebuild(context, 'key', async () => undefined);
}
