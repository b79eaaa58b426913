import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { loadConfig } from '../../src/platform/config/config';
import { createDatabase, type Database } from '../../src/platform/db/database';
import { createMigrator, sqliteMigrationLockPath, withMigrationLock } from '../../src/platform/db/migrator';
import { freshDatabase, testDbKind, type TestDatabase } from '../support/databases';

/** Every table the migrations create; a new migration that adds a table adds it here. */
const APP_TABLES = ['api_clients', 'crm_accounts', 'crm_activities', 'crm_contacts', 'crm_custom_fields', 'crm_opportunities', 'crm_opportunity_stage_changes', 'crm_pipeline_stages', 'crm_pipelines', 'erp_bill_lines', 'erp_bills', 'erp_credit_note_lines', 'erp_credit_notes', 'erp_customers', 'erp_invoice_lines', 'erp_invoices', 'erp_journal_entries', 'erp_journal_lines', 'erp_ledger_accounts', 'erp_payment_allocations', 'erp_payments', 'erp_periods', 'erp_purchase_order_lines', 'erp_purchase_orders', 'erp_sales_order_lines', 'erp_sales_orders', 'erp_sequences', 'erp_suppliers', 'erp_tax_rates', 'failed_attempts', 'idempotency_keys', 'outbox_events', 'platform_secrets', 'processed_events', 'rate_limit_counters', 'tenants', 'wms_balances', 'wms_cycle_counts', 'wms_item_stock', 'wms_items', 'wms_locations', 'wms_reservations', 'wms_serials', 'wms_stock_moves', 'wms_warehouses'];
const META = 'SequelizeMeta';
const ROOT = resolve(__dirname, '../..');
const CLI_TIMEOUT_MS = 90_000;

let testDb: TestDatabase;
let db: Database;

function open(t: TestDatabase): Database {
  const config = loadConfig({ NODE_ENV: 'test', ...t.env });
  return createDatabase({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, poolMax: 5 });
}

async function tables(d: Database): Promise<string[]> {
  const all = (await d.sequelize.getQueryInterface().showAllTables()) as unknown as (string | { tableName: string })[];
  return all
    .map((t) => (typeof t === 'string' ? t : t.tableName))
    .filter((t) => t !== 'sqlite_sequence')
    .sort();
}

/** Tables with their columns (name, type, nullability, key): what a down() has to restore. */
async function schema(d: Database): Promise<Record<string, unknown>> {
  const qi = d.sequelize.getQueryInterface();
  const out: Record<string, unknown> = {};
  for (const table of await tables(d)) {
    if (table === META) continue;
    const columns = await qi.describeTable(table);
    out[table] = Object.fromEntries(
      Object.entries(columns)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, c]) => [name, { type: c.type, allowNull: c.allowNull, primaryKey: c.primaryKey }]),
    );
  }
  return out;
}

async function recorded(d: Database): Promise<string[]> {
  const rows = await d.select<{ name: string }>(`SELECT name FROM "${META}" ORDER BY name`, {});
  return rows.map((r) => r.name);
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The migrate CLI as its own OS process, pointed at `env`'s database only. */
function cli(args: string[], env: Record<string, string>): Promise<Run> {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.SQLITE_PATH;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts', ...args], {
      cwd: ROOT,
      env: { ...base, NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

beforeEach(async () => {
  testDb = await freshDatabase();
  db = open(testDb);
});

afterEach(async () => {
  await db.close();
  await testDb.drop();
});

describe(`migrations on ${testDbKind()}`, () => {
  it('creates every table going up, leaves only SequelizeMeta going all the way down, and goes up again', async () => {
    const migrator = createMigrator(db);
    const all = (await migrator.pending()).map((m) => m.name);
    expect(all.length).toBeGreaterThan(0);

    expect((await migrator.up()).map((m) => m.name)).toEqual(all);
    expect(await tables(db)).toEqual([...APP_TABLES, META].sort());
    expect(await recorded(db)).toEqual(all);

    expect((await migrator.down({ to: 0 })).map((m) => m.name)).toEqual([...all].reverse());
    expect(await tables(db)).toEqual([META]);
    expect(await recorded(db)).toEqual([]);

    expect((await migrator.up()).map((m) => m.name)).toEqual(all);
    expect(await tables(db)).toEqual([...APP_TABLES, META].sort());
    expect(await migrator.pending()).toEqual([]);
  });

  it('reverses each migration on its own, restoring the schema it found', async () => {
    const migrator = createMigrator(db);
    const all = (await migrator.pending()).map((m) => m.name);
    const before: Record<string, unknown>[] = [];
    for (const name of all) {
      before.push(await schema(db));
      expect((await migrator.up({ step: 1 })).map((m) => m.name)).toEqual([name]);
    }
    for (let i = all.length - 1; i >= 0; i--) {
      expect((await migrator.down({ step: 1 })).map((m) => m.name)).toEqual([all[i]]);
      expect(await schema(db)).toEqual(before[i]);
      expect(await recorded(db)).toEqual(all.slice(0, i));
    }
  });
});

describe(`migrate CLI on ${testDbKind()}`, () => {
  it(
    'lists pending migrations, applies them, then lists them as executed',
    async () => {
      const all = (await createMigrator(db).pending()).map((m) => m.name);

      const fresh = await cli(['status'], testDb.env);
      expect(fresh).toMatchObject({ code: 0, stderr: '' });
      expect(fresh.stdout).toBe(`executed (0):\n  (none)\npending (${all.length}):\n${all.map((n) => `  ${n}\n`).join('')}`);

      const up = await cli(['up'], testDb.env);
      expect(up).toMatchObject({ code: 0, stderr: '' });
      expect(up.stdout).toBe(all.map((n) => `applied: ${n}\n`).join(''));

      const after = await cli(['status'], testDb.env);
      expect(after.stdout).toBe(`executed (${all.length}):\n${all.map((n) => `  ${n}\n`).join('')}pending (0):\n  (none)\n`);

      const again = await cli(['up'], testDb.env);
      expect(again).toMatchObject({ code: 0, stdout: 'applied: none\n' });

      const down = await cli(['down'], testDb.env);
      expect(down).toMatchObject({ code: 0, stdout: `reverted: ${all.at(-1)}\n` });
      const downAll = await cli(['down', '--all'], testDb.env);
      expect(downAll).toMatchObject({ code: 0, stdout: all.slice(0, -1).reverse().map((n) => `reverted: ${n}\n`).join('') });
      expect(await tables(db)).toEqual([META]);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'answers a bad argument with the usage and exit code 2, touching nothing',
    async () => {
      const bad = [[], ['sideways'], ['up', 'now'], ['down', '--to', '0'], ['create', 'NotKebab'], ['create', 'nomodule-accounts']];
      const runs = await Promise.all(bad.map((args) => cli(args, testDb.env)));
      runs.forEach((run, i) => {
        expect({ args: bad[i], code: run.code, stdout: run.stdout }).toEqual({ args: bad[i], code: 2, stdout: '' });
        expect(run.stderr).toContain('Usage: npm run migrate -- <command>');
      });
      expect(await tables(db)).toEqual([]);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'names the variable and exits 1 on a bad configuration',
    async () => {
      const run = await cli(['up'], { DATABASE_URL: 'mysql://localhost/stratum' });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('DATABASE_URL must be a postgres:// or postgresql:// URL');
    },
    CLI_TIMEOUT_MS,
  );
});

// Two migrators on one database: the PostgreSQL advisory lock, or the SQLite lock file.
{
  describe(`migrate CLI, two processes at once on ${testDbKind()}`, () => {
    it(
      'applies every migration exactly once: one process applies them, the other finds none',
      async () => {
        const all = (await createMigrator(db).pending()).map((m) => m.name);
        const runs = await Promise.all([cli(['up'], testDb.env), cli(['up'], testDb.env)]);

        // The second one may say that it waits (on SQLite); it says nothing else.
        for (const run of runs) expect({ ...run, stderr: run.stderr.replace(/^stratum: waiting for another process to finish migrating \(.*\)\n/, '') }).toMatchObject({ code: 0, stderr: '' });
        const outputs = runs.map((r) => r.stdout).sort();
        expect(outputs).toEqual([all.map((n) => `applied: ${n}\n`).join(''), 'applied: none\n'].sort());

        const rows = await db.select<{ name: string; n: string }>(`SELECT name, COUNT(*) AS n FROM "${META}" GROUP BY name ORDER BY name`, {});
        expect(rows.map((r) => [r.name, Number(r.n)])).toEqual(all.map((n) => [n, 1]));
        expect(await tables(db)).toEqual([...APP_TABLES, META].sort());
      },
      CLI_TIMEOUT_MS,
    );
  });
}

// The SQLite lock ends with its process: a migrator that dies holding it blocks no one.
if (testDbKind() === 'sqlite') {
  describe('the SQLite migration lock', () => {
    it(
      'waits while another process holds it, and is free the moment that process dies',
      async () => {
        const path = sqliteMigrationLockPath(db.sqliteFile!);
        // Another process holding the lock as a migrator does, then killed without a chance to release it.
        const holder = spawn(
          process.execPath,
          ['-e', `const s = require('sqlite3'); const d = new s.Database(${JSON.stringify(path)}); d.exec('BEGIN EXCLUSIVE', (e) => { if (e) throw e; console.log('holding'); }); setInterval(() => {}, 1000);`],
          { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
        );
        await new Promise<void>((ok) => holder.stdout!.on('data', (d) => String(d).includes('holding') && ok()));
        const said = jest.spyOn(console, 'error').mockImplementation(() => undefined);
        try {
          let ran = false;
          const migrating = withMigrationLock(db, async () => void (ran = true));
          await new Promise((r) => setTimeout(r, 500));
          expect(ran).toBe(false);
          expect(said).toHaveBeenCalledWith(`stratum: waiting for another process to finish migrating (${path})`);
          holder.kill('SIGKILL');
          await migrating;
          expect(ran).toBe(true);
        } finally {
          said.mockRestore();
          holder.kill('SIGKILL');
        }
      },
      CLI_TIMEOUT_MS,
    );
  });
}
