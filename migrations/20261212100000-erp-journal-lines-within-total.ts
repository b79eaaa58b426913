import type { MigrationContext } from '../src/platform/db/migrator';

/**
 * ERP, the ledger's guards (continued): a posted entry gains no lines. The guards of
 * 20261210100000 refuse every UPDATE and DELETE of posted rows, and (PostgreSQL) an entry that
 * does not balance at commit; a balanced pair of lines INSERTed into an entry posted earlier
 * passed both. Every entry records its `total_amount` (the sum of its debits, equal to the sum of
 * its credits), so a trigger on both databases refuses a line that would take the entry's debits
 * or its credits above that total (SQLite: before each line; PostgreSQL: after each INSERT
 * statement, once for all its rows): the posting code writes an
 * entry's lines once, summing exactly to it, and any line added after that is refused. The sums
 * go through the primary key (entry_id, line_no). A line of an entry the inserting transaction
 * cannot see (none, or another's uncommitted) is refused too.
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
    // PostgreSQL: once per INSERT statement (its rows as a transition table), one query for
    // every entry the statement added lines to, instead of four lookups per line.
    await run(`CREATE FUNCTION erp_journal_lines_within_total() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        refused varchar;
      BEGIN
        SELECT n.entry_id INTO refused
          FROM (SELECT DISTINCT entry_id FROM added_lines) n
          LEFT JOIN erp_journal_entries e ON e.id = n.entry_id
          CROSS JOIN LATERAL (SELECT COALESCE(SUM(l.debit), 0) AS debit, COALESCE(SUM(l.credit), 0) AS credit FROM erp_journal_lines l WHERE l.entry_id = n.entry_id) s
          WHERE s.debit > COALESCE(e.total_amount, 0) OR s.credit > COALESCE(e.total_amount, 0)
          LIMIT 1;
        IF refused IS NOT NULL THEN
          RAISE EXCEPTION '${REFUSED} (journal entry %)', refused USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await run(`CREATE TRIGGER erp_journal_lines_within_total AFTER INSERT ON erp_journal_lines
      REFERENCING NEW TABLE AS added_lines FOR EACH STATEMENT EXECUTE FUNCTION erp_journal_lines_within_total()`);
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
