import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * ERP, the ledger's guards: what the database itself refuses, whatever code (or hand) writes.
 *
 * - Posted entries and their lines are never updated or deleted (both databases). A trigger
 *   refuses every UPDATE and DELETE of erp_journal_lines, every DELETE of erp_journal_entries,
 *   and every UPDATE of erp_journal_entries but the one the journal makes: marking an entry
 *   reversed (status posted → reversed and reversed_by_entry_id NULL → an entry, every other
 *   column as it was). Nothing in Stratum deletes journal rows: tenants are never deleted, the
 *   tests drop whole databases, and the seed only adds.
 * - Every entry balances (PostgreSQL): a constraint trigger, DEFERRABLE INITIALLY DEFERRED, on
 *   erp_journal_lines (after each insert, update or delete) and on erp_journal_entries (after
 *   each insert, so an entry without lines is caught too) checks at commit that the entry has
 *   lines and that they sum to zero debit − credit: an unbalanced entry makes the COMMIT fail.
 *   Each check is one SUM over the entry's lines through the primary key (entry_id, line_no).
 *   SQLite has no deferred triggers: there the same check runs in the posting code
 *   (checkEntry in src/modules/erp/domain/journal-entry.ts, before anything is written).
 */
const IMMUTABLE = 'posted journal entries and their lines cannot be changed or deleted';

/** The one permitted UPDATE of an entry, as a condition on OLD and NEW (SQL both databases read). */
const REVERSAL = `OLD.status = 'posted' AND NEW.status = 'reversed'
  AND OLD.reversed_by_entry_id IS NULL AND NEW.reversed_by_entry_id IS NOT NULL
  AND NEW.id = OLD.id AND NEW.tenant_id = OLD.tenant_id AND NEW.number = OLD.number AND NEW.date = OLD.date
  AND NEW.memo = OLD.memo AND NEW.currency = OLD.currency AND NEW.total_amount = OLD.total_amount
  AND NEW.posted_at = OLD.posted_at AND NEW.ledger_account_ids = OLD.ledger_account_ids
  AND NEW.source_type IS NOT DISTINCT FROM OLD.source_type AND NEW.source_id IS NOT DISTINCT FROM OLD.source_id
  AND NEW.reverses_entry_id IS NOT DISTINCT FROM OLD.reverses_entry_id`;

export async function up({ sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction });

    if (!postgres) {
      // SQLite spells IS NOT DISTINCT FROM as IS.
      const reversal = REVERSAL.replace(/IS NOT DISTINCT FROM/g, 'IS');
      await run(`CREATE TRIGGER erp_journal_entries_immutable_update BEFORE UPDATE ON erp_journal_entries
        WHEN NOT (${reversal})
        BEGIN SELECT RAISE(ABORT, '${IMMUTABLE}'); END`);
      await run(`CREATE TRIGGER erp_journal_entries_immutable_delete BEFORE DELETE ON erp_journal_entries
        BEGIN SELECT RAISE(ABORT, '${IMMUTABLE}'); END`);
      await run(`CREATE TRIGGER erp_journal_lines_immutable_update BEFORE UPDATE ON erp_journal_lines
        BEGIN SELECT RAISE(ABORT, '${IMMUTABLE}'); END`);
      await run(`CREATE TRIGGER erp_journal_lines_immutable_delete BEFORE DELETE ON erp_journal_lines
        BEGIN SELECT RAISE(ABORT, '${IMMUTABLE}'); END`);
      return;
    }

    // One function per table: plpgsql resolves OLD's fields per table (the lines have no id, the entries no entry_id).
    await run(`CREATE FUNCTION erp_journal_entries_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND (${REVERSAL}) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION '${IMMUTABLE} (% of journal entry %)', TG_OP, OLD.id USING ERRCODE = 'integrity_constraint_violation';
      END $$`);
    await run(`CREATE FUNCTION erp_journal_lines_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '${IMMUTABLE} (% of a line of journal entry %)', TG_OP, OLD.entry_id USING ERRCODE = 'integrity_constraint_violation';
      END $$`);
    await run(`CREATE TRIGGER erp_journal_entries_immutable BEFORE UPDATE OR DELETE ON erp_journal_entries
      FOR EACH ROW EXECUTE FUNCTION erp_journal_entries_immutable()`);
    await run(`CREATE TRIGGER erp_journal_lines_immutable BEFORE UPDATE OR DELETE ON erp_journal_lines
      FOR EACH ROW EXECUTE FUNCTION erp_journal_lines_immutable()`);

    // The balance, checked at commit: one indexed SUM per entry (per line event, through the primary key).
    await run(`CREATE FUNCTION erp_journal_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        entry varchar;
        lines bigint;
        balance numeric;
      BEGIN
        IF TG_TABLE_NAME = 'erp_journal_entries' THEN
          entry := NEW.id;
        ELSIF TG_OP = 'DELETE' THEN
          entry := OLD.entry_id;
        ELSE
          entry := NEW.entry_id;
        END IF;
        SELECT count(*), COALESCE(SUM(debit - credit), 0) INTO lines, balance FROM erp_journal_lines WHERE entry_id = entry;
        IF lines = 0 AND EXISTS (SELECT 1 FROM erp_journal_entries WHERE id = entry) THEN
          RAISE EXCEPTION 'journal entry % has no lines', entry USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF balance <> 0 THEN
          RAISE EXCEPTION 'journal entry % does not balance: debit - credit = %', entry, balance USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await run(`CREATE CONSTRAINT TRIGGER erp_journal_lines_balanced AFTER INSERT OR UPDATE OR DELETE ON erp_journal_lines
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION erp_journal_entry_balanced()`);
    await run(`CREATE CONSTRAINT TRIGGER erp_journal_entries_balanced AFTER INSERT ON erp_journal_entries
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION erp_journal_entry_balanced()`);
  });
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction });
    if (!postgres) {
      for (const trigger of ['erp_journal_entries_immutable_update', 'erp_journal_entries_immutable_delete', 'erp_journal_lines_immutable_update', 'erp_journal_lines_immutable_delete']) await run(`DROP TRIGGER ${trigger}`);
      return;
    }
    await run('DROP TRIGGER erp_journal_entries_balanced ON erp_journal_entries');
    await run('DROP TRIGGER erp_journal_lines_balanced ON erp_journal_lines');
    await run('DROP TRIGGER erp_journal_lines_immutable ON erp_journal_lines');
    await run('DROP TRIGGER erp_journal_entries_immutable ON erp_journal_entries');
    for (const fn of ['erp_journal_entry_balanced', 'erp_journal_lines_immutable', 'erp_journal_entries_immutable']) await run(`DROP FUNCTION ${fn}()`);
  });
}
