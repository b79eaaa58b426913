import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * ERP sales orders and their lines.
 *
 * Every documented filter and sort of the list (`customer_id`, `status`, `order_date_after` /
 * `_before`; sorts `order_date`, `created_at`) has an index starting with tenant_id and ending
 * with id; a filter's index carries the default sort (`order_date`) after it, so a filtered
 * page is read in order. Lines are read by order (`tenant_id, sales_order_id, position`).
 * `number` (`SO-2026-000001`, from erp_sequences, series SO) is unique per tenant.
 *
 * The CHECK constraints are the last word on what the domain already refuses: a status of the
 * six, a positive quantity, a price of 0 or more, never more delivered than ordered, and a line
 * ships from exactly one of a location and a warehouse. Quantities are thousandths and prices
 * minor units (bigint). item_id, location_id, warehouse_id and reservation_id are the WMS's ids,
 * kept as plain ids (the WMS's tables belong to the WMS).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  const instant = postgres ? 'timestamp with time zone' : 'datetime';
  const boolean = postgres ? 'boolean' : 'tinyint(1)';
  const id = 'varchar(40)';
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction });

    await run(`CREATE TABLE erp_sales_orders (
      id ${id} PRIMARY KEY,
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      number varchar(40) NOT NULL,
      customer_id ${id} NOT NULL REFERENCES erp_customers (id),
      status varchar(20) NOT NULL,
      order_date date NOT NULL,
      currency char(3) NOT NULL,
      version integer NOT NULL,
      created_at ${instant} NOT NULL,
      updated_at ${instant} NOT NULL,
      CONSTRAINT erp_sales_orders_status CHECK (status IN ('draft', 'confirmed', 'partially_delivered', 'delivered', 'invoiced', 'cancelled'))
    )`);
    await run('CREATE UNIQUE INDEX erp_sales_orders_tenant_number ON erp_sales_orders (tenant_id, number)');
    await run('CREATE INDEX erp_sales_orders_tenant_order_date ON erp_sales_orders (tenant_id, order_date, id)');
    await run('CREATE INDEX erp_sales_orders_tenant_created ON erp_sales_orders (tenant_id, created_at, id)');
    await run('CREATE INDEX erp_sales_orders_tenant_customer_date ON erp_sales_orders (tenant_id, customer_id, order_date, id)');
    await run('CREATE INDEX erp_sales_orders_tenant_status_date ON erp_sales_orders (tenant_id, status, order_date, id)');

    await run(`CREATE TABLE erp_sales_order_lines (
      id ${id} PRIMARY KEY,
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      sales_order_id ${id} NOT NULL REFERENCES erp_sales_orders (id) ON DELETE CASCADE,
      position integer NOT NULL,
      item_id ${id} NOT NULL,
      quantity bigint NOT NULL,
      unit_price bigint NOT NULL,
      tax_rate_id ${id} NOT NULL REFERENCES erp_tax_rates (id),
      tax_rate integer NOT NULL,
      tax_inclusive ${boolean} NOT NULL,
      location_id ${id},
      warehouse_id ${id},
      quantity_delivered bigint NOT NULL,
      reservation_id ${id},
      CONSTRAINT erp_sales_order_lines_quantity CHECK (quantity > 0),
      CONSTRAINT erp_sales_order_lines_unit_price CHECK (unit_price >= 0),
      CONSTRAINT erp_sales_order_lines_delivered CHECK (quantity_delivered >= 0 AND quantity_delivered <= quantity),
      CONSTRAINT erp_sales_order_lines_tax_rate CHECK (tax_rate >= 0 AND tax_rate <= 999999),
      CONSTRAINT erp_sales_order_lines_source CHECK ((location_id IS NULL) <> (warehouse_id IS NULL))
    )`);
    await run('CREATE UNIQUE INDEX erp_sales_order_lines_tenant_order_position ON erp_sales_order_lines (tenant_id, sales_order_id, position)');
  });
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    for (const table of ['erp_sales_order_lines', 'erp_sales_orders']) await sequelize.query(`DROP TABLE ${table}`, { transaction });
  });
}
