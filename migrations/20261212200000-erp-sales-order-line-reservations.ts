import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * ERP, sales order lines held by more than one reservation: a line shipped from a warehouse (or
 * a location's lots) whose stock no one place holds whole is reserved in parts, one reservation
 * per place. `reservation_id` becomes `reservation_ids`: the WMS reservation ids of the line,
 * space-separated, in the order a delivery takes from them (null until confirmed). A line
 * confirmed before holds its one id, which reads as a list of one.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction });
    await run('ALTER TABLE erp_sales_order_lines RENAME COLUMN reservation_id TO reservation_ids');
    // SQLite keeps any length in a varchar; PostgreSQL needs room for many ids.
    if (postgres) await run('ALTER TABLE erp_sales_order_lines ALTER COLUMN reservation_ids TYPE text');
  });
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction });
    // Back to one id a line: the first of each list.
    if (postgres) {
      await run("UPDATE erp_sales_order_lines SET reservation_ids = split_part(reservation_ids, ' ', 1) WHERE reservation_ids LIKE '% %'");
      await run('ALTER TABLE erp_sales_order_lines ALTER COLUMN reservation_ids TYPE varchar(40)');
    } else {
      await run("UPDATE erp_sales_order_lines SET reservation_ids = substr(reservation_ids, 1, instr(reservation_ids, ' ') - 1) WHERE instr(reservation_ids, ' ') > 0");
    }
    await run('ALTER TABLE erp_sales_order_lines RENAME COLUMN reservation_ids TO reservation_id');
  });
}
