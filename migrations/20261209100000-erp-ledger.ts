import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * ERP, the ledger: journal entries and their lines, monthly periods, and the number sequences.
 *
 * - erp_journal_entries: one row per posted entry. `number` (JE-2026-000001) is unique per
 *   tenant; `reverses_entry_id` is unique per tenant, so an entry is reversed once even when two
 *   reversals race. `ledger_account_ids` (a JSON set of the accounts its lines post to) serves the
 *   list's `ledger_account_id` filter (jsonb + GIN on PostgreSQL). `status` and
 *   `reversed_by_entry_id` are the only columns that ever change (once, on reversal).
 * - erp_journal_lines: the lines, never changed; the CHECK constraints hold each line to one side
 *   above zero. `date` is copied from the entry so that the trial balance sums the lines up to a
 *   date from one index (tenant_id, date, ledger_account_id) without joining the entries.
 * - erp_periods: a row per month touched (posted to or locked), its id the month (2026-12); its
 *   version counts its locks and unlocks (1 while never locked). A post reads its period's row
 *   FOR SHARE and a lock updates it, so a lock waits for the posts in flight and the posts after
 *   it see it (migrations cannot say that; src/modules/erp/infrastructure/period.repository.ts).
 * - erp_sequences: the last number given per tenant, series (JE; later INV, BILL) and year. It is
 *   bumped in place in the posting transaction: concurrent posts queue on the row, and a post
 *   that rolls back takes its number back with it, so the numbers have no gap.
 *
 * Every documented filter and sort of the lists has an index starting with tenant_id and ending
 * with id (declarations in src/modules/erp/infrastructure/*.repository.ts).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  const json = postgres ? 'jsonb' : 'text';
  const instant = postgres ? 'timestamp with time zone' : 'datetime';
  const id = 'varchar(40)';
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction });

    await run(`CREATE TABLE erp_journal_entries (
      id ${id} PRIMARY KEY,
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      number varchar(40) NOT NULL,
      date date NOT NULL,
      memo varchar(500) NOT NULL,
      source_type varchar(40),
      source_id varchar(100),
      currency char(3) NOT NULL,
      total_amount bigint NOT NULL,
      ledger_account_ids ${json} NOT NULL,
      status varchar(10) NOT NULL,
      reverses_entry_id ${id} REFERENCES erp_journal_entries (id),
      reversed_by_entry_id ${id} REFERENCES erp_journal_entries (id),
      posted_at ${instant} NOT NULL,
      CONSTRAINT erp_journal_entries_total_positive CHECK (total_amount > 0),
      CONSTRAINT erp_journal_entries_status CHECK (status IN ('posted', 'reversed')),
      CONSTRAINT erp_journal_entries_reversed CHECK ((status = 'reversed') = (reversed_by_entry_id IS NOT NULL)),
      CONSTRAINT erp_journal_entries_source CHECK ((source_type IS NULL) = (source_id IS NULL))
    )`);
    await run('CREATE UNIQUE INDEX erp_journal_entries_tenant_number ON erp_journal_entries (tenant_id, number)');
    await run('CREATE UNIQUE INDEX erp_journal_entries_reverses ON erp_journal_entries (tenant_id, reverses_entry_id)');
    await run('CREATE INDEX erp_journal_entries_tenant_date ON erp_journal_entries (tenant_id, date, id)');
    await run('CREATE INDEX erp_journal_entries_tenant_status_date ON erp_journal_entries (tenant_id, status, date, id)');
    await run('CREATE INDEX erp_journal_entries_tenant_source ON erp_journal_entries (tenant_id, source_type, source_id, date, id)');
    await run('CREATE INDEX erp_journal_entries_tenant_source_id ON erp_journal_entries (tenant_id, source_id, date, id)');
    await run('CREATE INDEX erp_journal_entries_tenant_posted ON erp_journal_entries (tenant_id, posted_at, id)');
    if (postgres) await run('CREATE INDEX erp_journal_entries_ledger_account_ids ON erp_journal_entries USING gin (ledger_account_ids jsonb_path_ops)');

    await run(`CREATE TABLE erp_journal_lines (
      entry_id ${id} NOT NULL REFERENCES erp_journal_entries (id),
      line_no integer NOT NULL,
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      ledger_account_id ${id} NOT NULL REFERENCES erp_ledger_accounts (id),
      date date NOT NULL,
      debit bigint NOT NULL,
      credit bigint NOT NULL,
      memo varchar(500),
      PRIMARY KEY (entry_id, line_no),
      CONSTRAINT erp_journal_lines_debit_not_negative CHECK (debit >= 0),
      CONSTRAINT erp_journal_lines_credit_not_negative CHECK (credit >= 0),
      CONSTRAINT erp_journal_lines_one_side CHECK ((debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0))
    )`);
    await run('CREATE INDEX erp_journal_lines_trial_balance ON erp_journal_lines (tenant_id, date, ledger_account_id, debit, credit)');
    await run('CREATE INDEX erp_journal_lines_account ON erp_journal_lines (tenant_id, ledger_account_id, date)');

    await run(`CREATE TABLE erp_periods (
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      id char(7) NOT NULL,
      status varchar(10) NOT NULL,
      locked_at ${instant},
      version integer NOT NULL,
      updated_at ${instant} NOT NULL,
      PRIMARY KEY (tenant_id, id),
      CONSTRAINT erp_periods_status CHECK (status IN ('open', 'locked')),
      CONSTRAINT erp_periods_locked_at CHECK ((status = 'locked') = (locked_at IS NOT NULL))
    )`);
    await run('CREATE INDEX erp_periods_tenant_status ON erp_periods (tenant_id, status, id)');

    await run(`CREATE TABLE erp_sequences (
      tenant_id ${id} NOT NULL REFERENCES tenants (id),
      series varchar(10) NOT NULL,
      year integer NOT NULL,
      last integer NOT NULL,
      PRIMARY KEY (tenant_id, series, year),
      CONSTRAINT erp_sequences_last_positive CHECK (last > 0)
    )`);
  });
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    for (const table of ['erp_sequences', 'erp_periods', 'erp_journal_lines', 'erp_journal_entries']) await sequelize.query(`DROP TABLE ${table}`, { transaction });
  });
}
