import { DataTypes, QueryTypes } from 'sequelize';
import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * `name_search`: the name folded for the `q` filter, computed by the application. SQLite's
 * LOWER() folds ASCII only, so `q=école` missed `École` there while PostgreSQL found it.
 * The folding is that of src/platform/search-text.ts as of this migration, frozen here on purpose.
 */
const searchText = (text: string) => text.normalize('NFC').toLowerCase();

export async function up({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await qi.addColumn('api_clients', 'name_search', { type: DataTypes.STRING(400), allowNull: true }, { transaction });
    const rows = await sequelize.query<{ id: string; name: string }>('SELECT id, name FROM api_clients', { type: QueryTypes.SELECT, transaction });
    for (const row of rows) {
      await sequelize.query('UPDATE api_clients SET name_search = :folded WHERE id = :id', { replacements: { folded: searchText(row.name), id: row.id }, transaction });
    }
  });
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    // Not qi.removeColumn: on SQLite it rebuilds the table and loses its indexes. Both
    // databases drop a column in place (SQLite since 3.35).
    await sequelize.query('ALTER TABLE api_clients DROP COLUMN name_search', { transaction });
  });
}
