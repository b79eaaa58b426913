/**
 * Operator commands:
 * - `npm run admin -- create-tenant <name>` creates a tenant with an admin API client holding
 *   every scope and prints its credentials once.
 * - `npm run admin -- check-stock <tenant>` (a tenant's name or id) compares every WMS balance
 *   and item total of the tenant with its stock ledger and prints any drift; exit 1 on drift.
 * - `npm run admin -- check-ledger <tenant>` checks the tenant's ERP ledger (every entry
 *   balances; inventory equals the WMS's valuation) and prints any finding; exit 1 on one.
 */
import pino from 'pino';
import { ConfigError, loadConfig } from '../src/platform/config/config';
import { createKernel, type Kernel } from '../src/platform/kernel';
import { platformModule, type PlatformApi } from '../src/modules/platform';
import { formatQuantity, wmsModule } from '../src/modules/wms';
import { crmModule } from '../src/modules/crm';
import { erpModule } from '../src/modules/erp';
import { createModules } from '../src/platform/module';
import { ConflictError, NotFoundError } from '../src/platform/errors';

const USAGE = [
  'usage: npm run admin -- create-tenant <name>   (name: lower-case letters, digits and dashes)',
  '       npm run admin -- check-stock <tenant>   (a tenant name or id: its stock balances against its ledger)',
  '       npm run admin -- check-ledger <tenant>  (a tenant name or id: its ERP journal and inventory account)',
].join('\n');

const NAME = /^[a-z0-9][a-z0-9-]{0,99}$/;

async function createTenant(kernel: Kernel, name: string): Promise<number> {
  const { config } = kernel;
  try {
    const { tenant, adminClient, secret } = await createModules(kernel, [platformModule]).use(platformModule).tenants.create(name);
    const base = `http://${config.host}:${config.port}`;
    console.log(`tenant:        ${tenant.name} (${tenant.id})`);
    console.log(`client_id:     ${adminClient.id}`);
    console.log(`client_secret: ${secret}`);
    console.log('The secret is shown only now. Get a token:');
    console.log(`  curl -s -X POST ${base}/v1/oauth/token -d grant_type=client_credentials -d client_id=${adminClient.id} -d client_secret=${secret}`);
    return 0;
  } catch (err) {
    if (err instanceof ConflictError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

type Tenants = PlatformApi['tenants'];

/** The tenant named `nameOrId`, or with that id; undefined (said on stderr) when there is none. */
async function findTenant(tenants: Tenants, nameOrId: string) {
  const tenant = (await tenants.findByName(nameOrId)) ?? (await tenants.get(nameOrId).catch((err) => (err instanceof NotFoundError ? undefined : Promise.reject(err))));
  if (!tenant) console.error(`There is no tenant named ${nameOrId} or with that id.`);
  return tenant ?? undefined;
}

/** The modules each check needs (the ERP uses the CRM and the WMS). */
const CHECK_MODULES = {
  'check-stock': [platformModule, wmsModule],
  'check-ledger': [platformModule, crmModule, wmsModule, erpModule],
};

/** The ERP ledger check (what `GET /v1/erp/ledger-check` answers) of one tenant, printed. */
async function checkLedger(kernel: Kernel, nameOrId: string): Promise<number> {
  const modules = createModules(kernel, CHECK_MODULES['check-ledger']);
  const tenant = await findTenant(modules.use(platformModule).tenants, nameOrId);
  if (!tenant) return 1;
  const check = await modules.use(erpModule).ledgerCheck.check(tenant.id);
  if (!check.findings.length) {
    console.log(`ledger sound: ${check.entriesChecked} entries checked, inventory equals the stock's valuation (tenant ${tenant.name}, ${tenant.id}, at ${check.checkedAt.toISOString()})`);
    return 0;
  }
  console.log(`FINDINGS in tenant ${tenant.name} (${tenant.id}), ${check.entriesChecked} entries checked:`);
  for (const f of check.findings) console.log(`${f.kind.padEnd(20)} ${f.detail}`);
  return 1;
}

/** The WMS stock check (what `GET /v1/wms/stock-check` answers) of one tenant, printed. */
async function checkStock(kernel: Kernel, nameOrId: string): Promise<number> {
  const modules = createModules(kernel, CHECK_MODULES['check-stock']);
  const tenant = await findTenant(modules.use(platformModule).tenants, nameOrId);
  if (!tenant) return 1;
  const check = await modules.use(wmsModule).check(tenant.id);
  if (!check.drift.length) {
    console.log(`no drift: ${check.balancesChecked} balances, ${check.itemsChecked} items checked (tenant ${tenant.name}, ${tenant.id}, at ${check.checkedAt.toISOString()})`);
    return 0;
  }
  console.log(`DRIFT in tenant ${tenant.name} (${tenant.id}): ${check.drift.length} difference(s) between the ledger and what was derived from it (${check.balancesChecked} balances, ${check.itemsChecked} items checked):`);
  console.log('kind               item                           location                       lot          recorded         expected');
  for (const d of check.drift) {
    // Values in minor units of the item's currency; everything else a quantity.
    const show = (n: number) => (d.kind === 'item_value' ? String(n) : formatQuantity(n));
    console.log(`${d.kind.padEnd(18)} ${d.itemId.padEnd(30)} ${(d.locationId ?? '-').padEnd(30)} ${(d.lot ?? '-').padEnd(12)} ${show(d.recorded).padStart(16)} ${show(d.expected).padStart(16)}`);
  }
  return 1;
}

async function main(args: string[]): Promise<number> {
  const [command, name, ...rest] = args;
  const known = command === 'create-tenant' ? !!name && NAME.test(name) : command === 'check-stock' || command === 'check-ledger' ? !!name : false;
  if (!known || rest.length) {
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
  const modules = command === 'check-stock' || command === 'check-ledger' ? CHECK_MODULES[command] : [platformModule];
  const kernel = await createKernel(config, pino({ level: 'warn' }), modules.flatMap((m) => m.models));
  try {
    if (command === 'check-stock') return await checkStock(kernel, name);
    if (command === 'check-ledger') return await checkLedger(kernel, name);
    return await createTenant(kernel, name);
  } finally {
    await kernel.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
