import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * ERP credit notes: what is credited back of an invoice, line by line.
 *
 * - erp_credit_notes: a draft (no number, no issue date) or `issued` (`CN-2026-000001`, from
 *   erp_sequences series CN by the issue date's year, unique per tenant; its entry
 *   `journal_entry_id`). `amount_applied` is what it took off the invoice's amount due when it
 *   was issued, `refund_owed` the rest of its total (owed back to the customer). Indexed for the
 *   list (customer, invoice, status; sorted by creation) and by invoice.
 * - erp_credit_note_lines: each credits a quantity of one invoice line, at that line's unit
 *   price and tax rate (copied, as the invoice's lines hold them).
 * - erp_invoices gain `amount_credited` (bigint, 0 or more): what issued credit notes took off
 *   their amount due; bills keep it at 0.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  const instant = postgres ? 'timestamp with time zone' : 'datetime';
  const boolean = postgres ? 'boolean' : 'tinyint(1)';
  const id = 'varchar(40)';
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction });
    await run(`CREATE TABLE erp_credit_notes (
      id ${id} PRIMARY KEY,
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      number varchar(40),
      customer_id ${id} NOT NULL REFERENCES erp_customers (id),
      invoice_id ${id} NOT NULL REFERENCES erp_invoices (id),
      status varchar(20) NOT NULL,
      issue_date date,
      reason varchar(500),
      currency char(3) NOT NULL,
      amount_applied bigint NOT NULL,
      refund_owed bigint NOT NULL,
      journal_entry_id ${id} REFERENCES erp_journal_entries (id),
      version integer NOT NULL,
      created_at ${instant} NOT NULL,
      updated_at ${instant} NOT NULL,
      CONSTRAINT erp_credit_notes_status CHECK (status IN ('draft', 'issued')),
      CONSTRAINT erp_credit_notes_numbered CHECK ((status = 'draft') = (number IS NULL)),
      CONSTRAINT erp_credit_notes_amounts CHECK (amount_applied >= 0 AND refund_owed >= 0)
    )`);
    await run('CREATE UNIQUE INDEX erp_credit_notes_tenant_number ON erp_credit_notes (tenant_id, number)');
    await run('CREATE INDEX erp_credit_notes_tenant_created ON erp_credit_notes (tenant_id, created_at, id)');
    await run('CREATE INDEX erp_credit_notes_tenant_customer_created ON erp_credit_notes (tenant_id, customer_id, created_at, id)');
    await run('CREATE INDEX erp_credit_notes_tenant_invoice_created ON erp_credit_notes (tenant_id, invoice_id, created_at, id)');
    await run('CREATE INDEX erp_credit_notes_tenant_status_created ON erp_credit_notes (tenant_id, status, created_at, id)');
    await run(`CREATE TABLE erp_credit_note_lines (
      id ${id} PRIMARY KEY,
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      credit_note_id ${id} NOT NULL REFERENCES erp_credit_notes (id) ON DELETE CASCADE,
      position integer NOT NULL,
      invoice_line_id ${id} NOT NULL REFERENCES erp_invoice_lines (id),
      description varchar(500) NOT NULL,
      item_id ${id},
      quantity bigint NOT NULL,
      unit_amount bigint NOT NULL,
      tax_rate_id ${id} NOT NULL REFERENCES erp_tax_rates (id),
      tax_rate integer NOT NULL,
      tax_inclusive ${boolean} NOT NULL,
      CONSTRAINT erp_credit_note_lines_quantity CHECK (quantity > 0),
      CONSTRAINT erp_credit_note_lines_unit_amount CHECK (unit_amount >= 0)
    )`);
    await run('CREATE UNIQUE INDEX erp_credit_note_lines_tenant_note_position ON erp_credit_note_lines (tenant_id, credit_note_id, position)');
    const check = 'CHECK (amount_credited >= 0)';
    for (const table of ['erp_invoices', 'erp_bills']) {
      await run(`ALTER TABLE ${table} ADD COLUMN amount_credited bigint NOT NULL DEFAULT 0${postgres ? '' : ` ${check}`}`);
      if (postgres) await run(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_amount_credited ${check}`);
    }
  });
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    for (const table of ['erp_invoices', 'erp_bills']) await sequelize.query(`ALTER TABLE ${table} DROP COLUMN amount_credited`, { transaction });
    for (const table of ['erp_credit_note_lines', 'erp_credit_notes']) await sequelize.query(`DROP TABLE ${table}`, { transaction });
  });
}
