import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * ERP payments: money received from a customer or paid to a supplier, and how much of it
 * settles each of the party's invoices or bills.
 *
 * - erp_payments: one row per payment, never updated. `direction` says which party column is
 *   set (received: customer_id; paid: supplier_id), and CHECK holds them to it. `amount` is more
 *   than 0 and `unallocated` (what stays on the party's account) between 0 and it: both minor
 *   units. `journal_entry_id` is the entry the payment posted. The list's filters and sorts
 *   (`paid_on`, `created_at`; by direction, customer, supplier) each have an index starting with
 *   tenant_id and ending with id.
 * - erp_payment_allocations: the payment's allocations in order, each to exactly one invoice or
 *   one bill, of more than 0; indexed by document, so that a document's payments are found.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  const instant = postgres ? 'timestamp with time zone' : 'datetime';
  const id = 'varchar(40)';
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction });
    await run(`CREATE TABLE erp_payments (
      id ${id} PRIMARY KEY,
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      direction varchar(10) NOT NULL,
      customer_id ${id} REFERENCES erp_customers (id),
      supplier_id ${id} REFERENCES erp_suppliers (id),
      currency char(3) NOT NULL,
      amount bigint NOT NULL,
      unallocated bigint NOT NULL,
      paid_on date NOT NULL,
      reference varchar(200),
      journal_entry_id ${id} NOT NULL REFERENCES erp_journal_entries (id),
      created_at ${instant} NOT NULL,
      CONSTRAINT erp_payments_direction CHECK (direction IN ('received', 'paid')),
      CONSTRAINT erp_payments_party CHECK ((direction = 'received' AND customer_id IS NOT NULL AND supplier_id IS NULL) OR (direction = 'paid' AND supplier_id IS NOT NULL AND customer_id IS NULL)),
      CONSTRAINT erp_payments_amount CHECK (amount > 0),
      CONSTRAINT erp_payments_unallocated CHECK (unallocated >= 0 AND unallocated <= amount)
    )`);
    await run('CREATE INDEX erp_payments_tenant_paid_on ON erp_payments (tenant_id, paid_on, id)');
    await run('CREATE INDEX erp_payments_tenant_created ON erp_payments (tenant_id, created_at, id)');
    await run('CREATE INDEX erp_payments_tenant_direction_paid_on ON erp_payments (tenant_id, direction, paid_on, id)');
    await run('CREATE INDEX erp_payments_tenant_customer_paid_on ON erp_payments (tenant_id, customer_id, paid_on, id)');
    await run('CREATE INDEX erp_payments_tenant_supplier_paid_on ON erp_payments (tenant_id, supplier_id, paid_on, id)');
    await run(`CREATE TABLE erp_payment_allocations (
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      payment_id ${id} NOT NULL REFERENCES erp_payments (id),
      position integer NOT NULL,
      invoice_id ${id} REFERENCES erp_invoices (id),
      bill_id ${id} REFERENCES erp_bills (id),
      amount bigint NOT NULL,
      PRIMARY KEY (payment_id, position),
      CONSTRAINT erp_payment_allocations_document CHECK ((invoice_id IS NULL) <> (bill_id IS NULL)),
      CONSTRAINT erp_payment_allocations_amount CHECK (amount > 0)
    )`);
    await run('CREATE INDEX erp_payment_allocations_tenant_payment ON erp_payment_allocations (tenant_id, payment_id, position)');
    await run('CREATE INDEX erp_payment_allocations_tenant_invoice ON erp_payment_allocations (tenant_id, invoice_id)');
    await run('CREATE INDEX erp_payment_allocations_tenant_bill ON erp_payment_allocations (tenant_id, bill_id)');
  });
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    for (const table of ['erp_payment_allocations', 'erp_payments']) await sequelize.query(`DROP TABLE ${table}`, { transaction });
  });
}
