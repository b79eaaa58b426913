/**
 * Database migrations from the command line: `npm run migrate -- <command>`.
 *
 * The server migrates on start as well; this is for deploy pipelines (migrate once, then roll
 * out), for stepping back while writing a migration, and for creating a new one from the template.
 * `up` and `down` hold the same lock as the server, so running this while copies of the API start
 * against PostgreSQL is safe.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError, loadConfig } from '../src/platform/config/config';
import { createDatabase, type Database } from '../src/platform/db/database';
import { createMigrator, MIGRATIONS_DIR, migrateUp, withMigrationLock } from '../src/platform/db/migrator';

const USAGE = `Usage: npm run migrate -- <command>

Commands:
  up               apply every pending migration (under the migration lock)
  down             revert the last applied migration
  down --all       revert every applied migration
  status           list executed and pending migrations
  create <name>    write migrations/<YYYYMMDDHHmmss>-<name>.ts from the template;
                   <name> is kebab-case <module>-<what>, e.g. crm-accounts
                   (module: ${knownModules().join(', ')})

The database comes from DATABASE_URL (PostgreSQL) or SQLITE_PATH (default ./data/stratum.sqlite).`;

class UsageError extends Error {}

type Command = { kind: 'up' } | { kind: 'down'; all: boolean } | { kind: 'status' } | { kind: 'create'; name: string };

function parse(args: string[]): Command {
  const [command, ...rest] = args;
  switch (command) {
    case 'up':
    case 'status':
      if (rest.length) throw new UsageError(`"${command}" takes no arguments, got ${rest.join(' ')}`);
      return { kind: command };
    case 'down':
      if (rest.length === 0) return { kind: 'down', all: false };
      if (rest.length === 1 && rest[0] === '--all') return { kind: 'down', all: true };
      throw new UsageError(`"down" takes only --all, got ${rest.join(' ')}`);
    case 'create':
      if (rest.length !== 1) throw new UsageError('"create" takes exactly one name');
      return { kind: 'create', name: rest[0] };
    case undefined:
      throw new UsageError('no command given');
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** The modules a migration may belong to: the kernel, the planned modules and any that exist. */
function knownModules(): string[] {
  const modulesDir = join(__dirname, '../src/modules');
  const present = existsSync(modulesDir) ? readdirSync(modulesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];
  return [...new Set(['platform', 'crm', 'wms', 'erp', ...present])].sort();
}

function timestamp(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`;
}

function fromTimestamp(ts: string): Date {
  const [y, mo, d, h, mi, s] = [ts.slice(0, 4), ts.slice(4, 6), ts.slice(6, 8), ts.slice(8, 10), ts.slice(10, 12), ts.slice(12, 14)].map(Number);
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

/** Throws until written, so a half-made migration is never recorded as applied. */
const TEMPLATE = (name: string) => `import type { MigrationContext } from '../src/platform/db/migrator';

/** ${name}: say what this changes and why. down() must undo exactly what up() does. */
export async function up({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    // e.g., with DataTypes imported from 'sequelize':
    // await qi.createTable('crm_accounts', { id: { type: DataTypes.STRING(40), primaryKey: true } }, { transaction });
    throw new Error('migration ${name} has no up() yet');
  });
}

export async function down({ queryInterface: qi, sequelize }: MigrationContext): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    // e.g. await qi.dropTable('crm_accounts', { transaction });
    throw new Error('migration ${name} has no down() yet');
  });
}
`;

function create(name: string): void {
  const modules = knownModules();
  const match = /^([a-z][a-z0-9]*)(-[a-z0-9]+)+$/.exec(name);
  if (!match) throw new UsageError(`migration name "${name}" must be kebab-case <module>-<what>, e.g. crm-accounts`);
  if (!modules.includes(match[1])) throw new UsageError(`migration name "${name}" must start with a module (${modules.join(', ')})`);
  const existing = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{14}-.+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
  if (existing.some((f) => f.replace(/^\d{14}-/, '').replace(/\.(ts|js)$/, '') === name)) {
    throw new UsageError(`a migration named "${name}" already exists`);
  }
  // Migrations run in file-name order: a new one must sort after every existing one, even when
  // this machine's clock is behind the newest timestamp.
  let at = new Date(Math.floor(Date.now() / 1000) * 1000);
  const last = existing.at(-1);
  if (last) {
    const after = new Date(fromTimestamp(last.slice(0, 14)).getTime() + 1000);
    if (after > at) at = after;
  }
  const file = join(MIGRATIONS_DIR, `${timestamp(at)}-${name}.ts`);
  writeFileSync(file, TEMPLATE(name), { flag: 'wx' });
  console.log(`created: ${relative(process.cwd(), file)}`);
}

async function run(command: Exclude<Command, { kind: 'create' }>, db: Database): Promise<void> {
  await db.ping();
  switch (command.kind) {
    case 'up': {
      const applied = await migrateUp(db);
      if (applied.length === 0) console.log('applied: none');
      for (const name of applied) console.log(`applied: ${name}`);
      return;
    }
    case 'down': {
      const reverted = await withMigrationLock(db, async () => {
        const migrator = createMigrator(db);
        return (command.all ? await migrator.down({ to: 0 }) : await migrator.down()).map((m) => m.name);
      });
      if (reverted.length === 0) console.log('reverted: none');
      for (const name of reverted) console.log(`reverted: ${name}`);
      return;
    }
    case 'status': {
      const migrator = createMigrator(db);
      const [executed, pending] = await Promise.all([migrator.executed(), migrator.pending()]);
      const list = (names: string[]) => (names.length ? names.map((n) => `  ${n}`).join('\n') : '  (none)');
      console.log(`executed (${executed.length}):\n${list(executed.map((m) => m.name))}`);
      console.log(`pending (${pending.length}):\n${list(pending.map((m) => m.name))}`);
      return;
    }
  }
}

async function main(args: string[]): Promise<number> {
  let command: Command;
  try {
    command = parse(args);
    if (command.kind === 'create') {
      create(command.name);
      return 0;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`migrate: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }

  let db: Database;
  try {
    const config = loadConfig();
    db = createDatabase({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, poolMax: config.dbPoolMax });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`migrate: ${err.message}`);
      return 1;
    }
    throw err;
  }
  try {
    await run(command, db);
    return 0;
  } catch (err) {
    console.error(`migrate: ${command.kind} failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await db.close();
  }
}

if (process.argv.slice(2).some((a) => a === '--help' || a === '-h' || a === 'help')) {
  console.log(USAGE);
} else {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
