/**
 * `npm run seed` fills the `demo` tenant with realistic data, as the modules provide it: the
 * CRM's (about 500 accounts, their contacts, pipelines, opportunities with history and
 * activities) and the WMS's (a warehouse with zones and bins, 2,000 items, receipts and
 * transfers); `npm run seed -- --profile bench` fills a `bench` tenant with 100,000 accounts and
 * 100,000 items (10,000 of them stocked at two locations) for the benchmarks (`--accounts
 * 1000000`, `--items 1000000` for more) and prints credentials for it. Deterministic: the
 * same records every time, and a second run adds nothing twice. Uses the configured database
 * (DATABASE_URL, else the SQLite file), like `npm start`.
 */
import ProgressBar from 'progress';
import pino from 'pino';
import { buildStratum } from '../src/compose';
import { ConfigError, loadConfig } from '../src/platform/config/config';
import type { SeedOptions, SeedProgress } from '../src/platform/module';
import { ALL_SCOPES } from '../src/modules/platform/domain/tenant';

const USAGE = 'usage: npm run seed [-- --profile demo|bench] [--accounts N] [--items N] (bench only, each default 100000)';

function parse(args: string[]): { profile: 'demo' | 'bench'; accounts?: number; items?: number } | undefined {
  let profile: 'demo' | 'bench' = 'demo';
  let accounts: number | undefined;
  let items: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split('=', 2);
    const value = inline ?? args[++i];
    if (flag === '--profile' && (value === 'demo' || value === 'bench')) profile = value;
    else if (flag === '--accounts' && /^[1-9]\d{0,7}$/.test(value ?? '')) accounts = Number(value);
    else if (flag === '--items' && /^[1-9]\d{0,7}$/.test(value ?? '')) items = Number(value);
    else return undefined;
  }
  if ((accounts !== undefined || items !== undefined) && profile !== 'bench') return undefined;
  return { profile, accounts, items };
}

/** A bar on a terminal; a line per step otherwise (CI logs, pipes). */
function progress(label: string, total: number): SeedProgress {
  const started = Date.now();
  if (process.stderr.isTTY) {
    const bar = new ProgressBar(`  ${label.padEnd(14)} [:bar] :current/:total :percent :etas`, { total: Math.max(total, 1), width: 30, stream: process.stderr });
    return {
      tick: (n = 1) => bar.tick(n),
      done: () => {
        if (!bar.complete) bar.update(1);
        console.error(`  ${label}: ${total} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      },
    };
  }
  let seen = 0;
  let shown = 0;
  return {
    tick(n = 1) {
      seen += n;
      const percent = Math.floor((seen / Math.max(total, 1)) * 10) * 10;
      if (percent > shown) {
        shown = percent;
        console.error(`  ${label}: ${seen}/${total} (${percent} %)`);
      }
    },
    done: () => console.error(`  ${label}: ${total} in ${((Date.now() - started) / 1000).toFixed(1)} s`),
  };
}

async function main(args: string[]): Promise<number> {
  const options = parse(args);
  if (!options) {
    console.error(USAGE);
    return 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const stratum = await buildStratum({ ...config, bootstrapDemoTenant: false }, pino({ level: 'warn' }));
  try {
    const name = options.profile;
    const base = `http://${config.host}:${config.port}`;
    let tenant = await stratum.platform.tenants.findByName(name);
    let credentials: { id: string; secret: string } | undefined;
    if (!tenant) {
      const created = await stratum.platform.tenants.create(name);
      tenant = created.tenant;
      credentials = { id: created.adminClient.id, secret: created.secret };
    } else if (options.profile === 'bench') {
      // The admin secret of an existing tenant is not kept anywhere: a fresh client for this run.
      const { client, secret } = await stratum.platform.apiClients.create(tenant.id, { name: `bench ${new Date().toISOString()}`, description: 'Made by npm run seed -- --profile bench.', scopes: [...ALL_SCOPES] });
      credentials = { id: client.id, secret };
    }
    console.error(`Seeding tenant "${tenant.name}" (${tenant.id}), profile ${options.profile}${config.databaseUrl ? ' on PostgreSQL' : ` in ${config.sqlitePath}`}:`);
    const started = Date.now();
    const report = await stratum.seed(tenant.id, { profile: options.profile, accounts: options.accounts, items: options.items, progress } satisfies SeedOptions);
    const added = Object.entries(report).map(([kind, n]) => `${n} ${kind}`).join(', ');
    console.error(`Added ${added || 'nothing'} in ${((Date.now() - started) / 1000).toFixed(1)} s${Object.values(report).every((n) => n === 0) ? ' (all there already)' : ''}.`);
    if (credentials) {
      console.log(`client_id:     ${credentials.id}`);
      console.log(`client_secret: ${credentials.secret}`);
      console.log('The secret is shown only now. Get a token:');
      console.log(`  curl -s -X POST ${base}/v1/oauth/token -d grant_type=client_credentials -d client_id=${credentials.id} -d client_secret=${credentials.secret}`);
    }
    return 0;
  } finally {
    await stratum.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
