import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * ERP purchase orders and their lines.
 *
 * Every documented filter and sort of the list (`supplier_id`, `status`, `order_date_after` /
 * `_before`; sorts `order_date`, `created_at`) has an index starting with tenant_id and ending
 * with id; a filter's index carries the default sort (`order_date`) after it, so a filtered
 * page is read in order. Lines are read by order (`tenant_id, purchase_order_id, position`).
 * `number` (`PO-2026-000001`, from erp_sequences, series PO) is unique per tenant.
 *
 * The CHECK constraints are the last word on what the domain already refuses: a status of the
 * five, a positive quantity, a cost of 0 or more, never more received than ordered. Quantities
 * are thousandths and costs minor units (bigint). item_id and location_id are the WMS's ids,
 * kept as plain ids (the WMS's tables belong to the WMS).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  const instant = postgres ? 'timestamp with time zone' : 'datetime';
  const boolean = postgres ? 'boolean' : 'tinyint(1)';
  const id = 'varchar(40)';
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction });

    await run(`CREATE TABLE erp_purchase_orders (
      id ${id} PRIMARY KEY,
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      number varchar(40) NOT NULL,
      supplier_id ${id} NOT NULL REFERENCES erp_suppliers (id),
      status varchar(20) NOT NULL,
      order_date date NOT NULL,
      currency char(3) NOT NULL,
      version integer NOT NULL,
      created_at ${instant} NOT NULL,
      updated_at ${instant} NOT NULL,
      CONSTRAINT erp_purchase_orders_status CHECK (status IN ('draft', 'confirmed', 'partially_received', 'received', 'cancelled'))
    )`);
    await run('CREATE UNIQUE INDEX erp_purchase_orders_tenant_number ON erp_purchase_orders (tenant_id, number)');
    await run('CREATE INDEX erp_purchase_orders_tenant_order_date ON erp_purchase_orders (tenant_id, order_date, id)');
    await run('CREATE INDEX erp_purchase_orders_tenant_created ON erp_purchase_orders (tenant_id, created_at, id)');
    await run('CREATE INDEX erp_purchase_orders_tenant_supplier_date ON erp_purchase_orders (tenant_id, supplier_id, order_date, id)');
    await run('CREATE INDEX erp_purchase_orders_tenant_status_date ON erp_purchase_orders (tenant_id, status, order_date, id)');

    await run(`CREATE TABLE erp_purchase_order_lines (
      id ${id} PRIMARY KEY,
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      purchase_order_id ${id} NOT NULL REFERENCES erp_purchase_orders (id) ON DELETE CASCADE,
      position integer NOT NULL,
      item_id ${id} NOT NULL,
      quantity bigint NOT NULL,
      unit_cost bigint NOT NULL,
      tax_rate_id ${id} NOT NULL REFERENCES erp_tax_rates (id),
      tax_rate integer NOT NULL,
      tax_inclusive ${boolean} NOT NULL,
      location_id ${id},
      quantity_received bigint NOT NULL,
      CONSTRAINT erp_purchase_order_lines_quantity CHECK (quantity > 0),
      CONSTRAINT erp_purchase_order_lines_unit_cost CHECK (unit_cost >= 0),
      CONSTRAINT erp_purchase_order_lines_received CHECK (quantity_received >= 0 AND quantity_received <= quantity),
      CONSTRAINT erp_purchase_order_lines_tax_rate CHECK (tax_rate >= 0 AND tax_rate <= 999999)
    )`);
    await run('CREATE UNIQUE INDEX erp_purchase_order_lines_tenant_order_position ON erp_purchase_order_lines (tenant_id, purchase_order_id, position)');
  });
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    for (const table of ['erp_purchase_order_lines', 'erp_purchase_orders']) await sequelize.query(`DROP TABLE ${table}`, { transaction });
  });
}
