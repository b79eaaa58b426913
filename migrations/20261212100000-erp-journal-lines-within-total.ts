import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * ERP, the ledger's guards (continued): a posted entry gains no lines. The guards of
 * 20261210100000 refuse every UPDATE and DELETE of posted rows, and (PostgreSQL) an entry that
 * does not balance at commit; a balanced pair of lines INSERTed into an entry posted earlier
 * passed both. Every entry records its `total_amount` (the sum of its debits, equal to the sum of
 * its credits), so a trigger on both databases refuses, before each line is inserted, a line that
 * would take the entry's debits or its credits above that total: the posting code writes an
 * entry's lines once, summing exactly to it, and any line added after that is refused. Two
 * indexed sums over the entry's lines (primary key entry_id, line_no) and one read of the entry
 * per line; earlier rows of the same INSERT count (both databases see them). A line of an entry
 * the inserting transaction cannot see (none, or another's uncommitted) is refused too.
 */
const REFUSED = 'a journal line cannot take its entry above its total: posted entries gain no lines';

/** An entry this transaction cannot see (another's, not committed yet) has a total of 0 here: its lines are refused. */
const TOTAL = (line: string) => `COALESCE((SELECT total_amount FROM erp_journal_entries WHERE id = ${line}.entry_id), 0)`;
const ABOVE_TOTAL = (line: string) => `(SELECT COALESCE(SUM(debit), 0) FROM erp_journal_lines WHERE entry_id = ${line}.entry_id) + ${line}.debit > ${TOTAL(line)}
  OR (SELECT COALESCE(SUM(credit), 0) FROM erp_journal_lines WHERE entry_id = ${line}.entry_id) + ${line}.credit > ${TOTAL(line)}`;

export async function up({ sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction });
    if (!postgres) {
      await run(`CREATE TRIGGER erp_journal_lines_within_total BEFORE INSERT ON erp_journal_lines
        WHEN ${ABOVE_TOTAL('NEW')}
        BEGIN SELECT RAISE(ABORT, '${REFUSED}'); END`);
      return;
    }
    await run(`CREATE FUNCTION erp_journal_lines_within_total() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF ${ABOVE_TOTAL('NEW')} THEN
          RAISE EXCEPTION '${REFUSED} (journal entry %)', NEW.entry_id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await run(`CREATE TRIGGER erp_journal_lines_within_total BEFORE INSERT ON erp_journal_lines
      FOR EACH ROW EXECUTE FUNCTION erp_journal_lines_within_total()`);
  });
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  const postgres = sequelize.getDialect() === 'postgres';
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction });
    if (!postgres) {
      await run('DROP TRIGGER erp_journal_lines_within_total');
      return;
    }
    await run('DROP TRIGGER erp_journal_lines_within_total ON erp_journal_lines');
    await run('DROP FUNCTION erp_journal_lines_within_total()');
  });
}
