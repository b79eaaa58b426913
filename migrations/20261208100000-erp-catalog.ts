import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * ERP, slice 1: tax rates, customers and suppliers (CRM accounts in a role), and the chart of
 * accounts.
 *
 * Every documented filter and sort of the four lists has an index starting with tenant_id and
 * ending with id (the declarations are in src/modules/erp/infrastructure/*.repository.ts). The
 * keys compared ignoring case (a tax rate's `name_key`, a ledger account's `code_key`: the value
 * folded like searchText()) are unique per tenant, and so is a customer's or supplier's
 * `account_id`, so two requests racing for one cannot both win. The folded columns compare byte
 * by byte on PostgreSQL (COLLATE "C"), as SQLite does, so a sort pages alike on both and a
 * prefix (`q`) reads the name index. The CHECK constraints are the last word on what the domain
 * already refuses: a rate is thousandths of a percent below 1000 %, payment terms 0–365 days, a
 * ledger account's type one of five.
 *
 * customers and suppliers name a CRM account and a tax rate by id only (the CRM's tables belong
 * to the CRM; the tax rate is checked by the use case, and tax rates are never deleted).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  const json = postgres ? 'jsonb' : 'text';
  const instant = postgres ? 'timestamp with time zone' : 'datetime';
  const boolean = postgres ? 'boolean' : 'tinyint(1)';
  const bytewise = postgres ? ' COLLATE "C"' : '';
  const id = 'varchar(40)';
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction });

    await run(`CREATE TABLE erp_tax_rates (
      id ${id} PRIMARY KEY,
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      name varchar(100) NOT NULL,
      name_key varchar(400)${bytewise} NOT NULL,
      rate integer NOT NULL,
      inclusive ${boolean} NOT NULL,
      is_active ${boolean} NOT NULL,
      version integer NOT NULL,
      created_at ${instant} NOT NULL,
      updated_at ${instant} NOT NULL,
      CONSTRAINT erp_tax_rates_rate_range CHECK (rate >= 0 AND rate <= 999999)
    )`);
    await run('CREATE UNIQUE INDEX erp_tax_rates_tenant_name_key ON erp_tax_rates (tenant_id, name_key)');
    await run('CREATE INDEX erp_tax_rates_tenant_name ON erp_tax_rates (tenant_id, name_key, id)');
    await run('CREATE INDEX erp_tax_rates_tenant_created ON erp_tax_rates (tenant_id, created_at, id)');
    await run('CREATE INDEX erp_tax_rates_tenant_active_name ON erp_tax_rates (tenant_id, is_active, name_key, id)');

    for (const table of ['erp_customers', 'erp_suppliers']) {
      await run(`CREATE TABLE ${table} (
        id ${id} PRIMARY KEY,
        tenant_id ${id} NOT NULL REFERENCES tenants (id),
        account_id ${id} NOT NULL,
        name varchar(200) NOT NULL,
        name_key varchar(400)${bytewise} NOT NULL,
        billing_address ${json},
        payment_terms_days integer NOT NULL,
        tax_rate_id ${id} REFERENCES erp_tax_rates (id),
        currency char(3) NOT NULL,
        version integer NOT NULL,
        created_at ${instant} NOT NULL,
        updated_at ${instant} NOT NULL,
        CONSTRAINT ${table}_payment_terms_range CHECK (payment_terms_days >= 0 AND payment_terms_days <= 365)
      )`);
      await run(`CREATE UNIQUE INDEX ${table}_tenant_account ON ${table} (tenant_id, account_id)`);
      await run(`CREATE INDEX ${table}_tenant_account_id ON ${table} (tenant_id, account_id, id)`);
      await run(`CREATE INDEX ${table}_tenant_name ON ${table} (tenant_id, name_key, id)`);
      await run(`CREATE INDEX ${table}_tenant_created ON ${table} (tenant_id, created_at, id)`);
    }

    await run(`CREATE TABLE erp_ledger_accounts (
      id ${id} PRIMARY KEY,
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      code varchar(20) NOT NULL,
      code_key varchar(80)${bytewise} NOT NULL,
      name varchar(200) NOT NULL,
      name_key varchar(400)${bytewise} NOT NULL,
      type varchar(10) NOT NULL,
      system ${boolean} NOT NULL,
      version integer NOT NULL,
      created_at ${instant} NOT NULL,
      updated_at ${instant} NOT NULL,
      CONSTRAINT erp_ledger_accounts_type CHECK (type IN ('asset', 'liability', 'equity', 'revenue', 'expense'))
    )`);
    await run('CREATE UNIQUE INDEX erp_ledger_accounts_tenant_code_key ON erp_ledger_accounts (tenant_id, code_key)');
    await run('CREATE INDEX erp_ledger_accounts_tenant_code ON erp_ledger_accounts (tenant_id, code_key, id)');
    await run('CREATE INDEX erp_ledger_accounts_tenant_name ON erp_ledger_accounts (tenant_id, name_key, id)');
    await run('CREATE INDEX erp_ledger_accounts_tenant_created ON erp_ledger_accounts (tenant_id, created_at, id)');
    await run('CREATE INDEX erp_ledger_accounts_tenant_type_code ON erp_ledger_accounts (tenant_id, type, code_key, id)');
    await run('CREATE INDEX erp_ledger_accounts_tenant_system_code ON erp_ledger_accounts (tenant_id, system, code_key, id)');
  });
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    for (const table of ['erp_ledger_accounts', 'erp_suppliers', 'erp_customers', 'erp_tax_rates']) await sequelize.query(`DROP TABLE ${table}`, { transaction });
  });
}
