/**
 * Operator commands. `npm run admin -- create-tenant <name>` creates a tenant with an admin API
 * client holding every scope and prints its credentials once.
 */
import pino from 'pino';
import { ConfigError, loadConfig } from '../src/platform/config/config';
import { createKernel } from '../src/platform/kernel';
import { platformModule } from '../src/modules/platform';
import { createModules } from '../src/platform/module';
import { ConflictError } from '../src/platform/errors';

const USAGE = 'usage: npm run admin -- create-tenant <name>   (name: lower-case letters, digits and dashes)';

async function main(args: string[]): Promise<number> {
  const [command, name, ...rest] = args;
  if (command !== 'create-tenant' || !name || rest.length || !/^[a-z0-9][a-z0-9-]{0,99}$/.test(name)) {
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
  const kernel = await createKernel(config, pino({ level: 'warn' }), platformModule.models);
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
