import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * ERP invoices (to customers) and bills (from suppliers), and their lines: two tables each of the
 * same shape, the party column and the order they may come from aside.
 *
 * `number` (`INV-2026-000001`, `BILL-2026-000001`, from erp_sequences, series INV and BILL, by
 * the year of the issue date) is NULL while the document is a draft and given once when it is
 * finalized: unique per tenant (NULLs do not collide). `journal_entry_id` is the entry its
 * finalize posted. Every documented filter and sort of the lists (party, `status`,
 * `issue_date_after` / `_before`, `due_date_before`; sorts `created_at`, `issue_date`) has an
 * index starting with tenant_id and ending with id; a filter's index carries the default sort
 * (`created_at`) after it. Lines are read by document (`tenant_id, <document>_id, position`).
 *
 * The CHECK constraints are the last word on what the domain already refuses: a status of the
 * five, a number exactly when not a draft, a positive quantity, an amount of 0 or more, never
 * more paid than the total can say (amount_paid ≥ 0). Quantities are thousandths and amounts
 * minor units (bigint). item_id is the WMS's id, kept as a plain id; order_line_id is the line
 * of the sales or purchase order it invoices or bills.
 *
 * The order lines gain what invoices and bills took of them: `quantity_invoiced` (sales; never
 * more than delivered) and `quantity_billed` (purchase; never more than received).
 */
const KINDS = [
  { table: 'erp_invoices', lines: 'erp_invoice_lines', document: 'invoice_id', party: 'customer_id', parties: 'erp_customers', order: 'sales_order_id', orders: 'erp_sales_orders' },
  { table: 'erp_bills', lines: 'erp_bill_lines', document: 'bill_id', party: 'supplier_id', parties: 'erp_suppliers', order: 'purchase_order_id', orders: 'erp_purchase_orders' },
];

export async function up({ sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  const instant = postgres ? 'timestamp with time zone' : 'datetime';
  const boolean = postgres ? 'boolean' : 'tinyint(1)';
  const id = 'varchar(40)';
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction });
    for (const k of KINDS) {
      await run(`CREATE TABLE ${k.table} (
        id ${id} PRIMARY KEY,
        tenant_id ${id} NOT NULL REFERENCES tenants (id),
        number varchar(40),
        ${k.party} ${id} NOT NULL REFERENCES ${k.parties} (id),
        ${k.order} ${id} REFERENCES ${k.orders} (id),
        status varchar(20) NOT NULL,
        issue_date date,
        due_date date,
        currency char(3) NOT NULL,
        amount_paid bigint NOT NULL,
        journal_entry_id ${id} REFERENCES erp_journal_entries (id),
        version integer NOT NULL,
        created_at ${instant} NOT NULL,
        updated_at ${instant} NOT NULL,
        CONSTRAINT ${k.table}_status CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible')),
        CONSTRAINT ${k.table}_numbered CHECK ((status = 'draft') = (number IS NULL)),
        CONSTRAINT ${k.table}_amount_paid CHECK (amount_paid >= 0)
      )`);
      await run(`CREATE UNIQUE INDEX ${k.table}_tenant_number ON ${k.table} (tenant_id, number)`);
      await run(`CREATE INDEX ${k.table}_tenant_created ON ${k.table} (tenant_id, created_at, id)`);
      await run(`CREATE INDEX ${k.table}_tenant_issue_date ON ${k.table} (tenant_id, issue_date, id)`);
      await run(`CREATE INDEX ${k.table}_tenant_due_date ON ${k.table} (tenant_id, due_date, id)`);
      await run(`CREATE INDEX ${k.table}_tenant_party_created ON ${k.table} (tenant_id, ${k.party}, created_at, id)`);
      await run(`CREATE INDEX ${k.table}_tenant_status_created ON ${k.table} (tenant_id, status, created_at, id)`);
      await run(`CREATE TABLE ${k.lines} (
        id ${id} PRIMARY KEY,
        tenant_id ${id} NOT NULL REFERENCES tenants (id),
        ${k.document} ${id} NOT NULL REFERENCES ${k.table} (id) ON DELETE CASCADE,
        position integer NOT NULL,
        description varchar(500) NOT NULL,
        item_id ${id},
        quantity bigint NOT NULL,
        unit_amount bigint NOT NULL,
        tax_rate_id ${id} NOT NULL REFERENCES erp_tax_rates (id),
        tax_rate integer NOT NULL,
        tax_inclusive ${boolean} NOT NULL,
        order_line_id ${id},
        CONSTRAINT ${k.lines}_quantity CHECK (quantity > 0),
        CONSTRAINT ${k.lines}_unit_amount CHECK (unit_amount >= 0),
        CONSTRAINT ${k.lines}_tax_rate CHECK (tax_rate >= 0 AND tax_rate <= 999999)
      )`);
      await run(`CREATE UNIQUE INDEX ${k.lines}_tenant_document_position ON ${k.lines} (tenant_id, ${k.document}, position)`);
    }
    for (const [table, column, done] of [
      ['erp_sales_order_lines', 'quantity_invoiced', 'quantity_delivered'],
      ['erp_purchase_order_lines', 'quantity_billed', 'quantity_received'],
    ]) {
      const check = `CHECK (${column} >= 0 AND ${column} <= ${done})`;
      // SQLite adds a CHECK only with its column; PostgreSQL names it as a table constraint.
      await run(`ALTER TABLE ${table} ADD COLUMN ${column} bigint NOT NULL DEFAULT 0${postgres ? '' : ` ${check}`}`);
      if (postgres) await run(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_${column.replace('quantity_', '')} ${check}`);
    }
  });
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await sequelize.query('ALTER TABLE erp_sales_order_lines DROP COLUMN quantity_invoiced', { transaction });
    await sequelize.query('ALTER TABLE erp_purchase_order_lines DROP COLUMN quantity_billed', { transaction });
    for (const k of KINDS) for (const table of [k.lines, k.table]) await sequelize.query(`DROP TABLE ${table}`, { transaction });
  });
}
