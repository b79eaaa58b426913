import { statSync } from 'node:fs';
import { createServer } from 'node:http';
import { ConfigError, loadConfig, type Config } from './platform/config/config';
import { isDatabaseUnavailable } from './platform/db/unavailable';
import { answerClientErrors } from './platform/http/client-errors';
import { buildStratum, createLogger, flushLogs } from './compose';

/** Stops the process with one line that says what to fix; no stack for a known cause. */
function fail(message: string, err?: unknown): never {
  console.error(`stratum: ${message}`);
  if (err !== undefined && process.env.LOG_LEVEL && ['debug', 'trace'].includes(process.env.LOG_LEVEL)) console.error(err);
  process.exit(1);
}

/** What the database settings point at, for a message that names the variable to fix. */
function databaseSetting(config: Config): string {
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    if (url.password) url.password = '***';
    for (const name of ['password', 'sslpassword']) if (url.searchParams.has(name)) url.searchParams.set(name, '***');
    return `the PostgreSQL database at DATABASE_URL=${url.toString()}`;
  }
  return `the SQLite file at SQLITE_PATH=${config.sqlitePath}`;
}

/** Opening the SQLite file or its folder failed (not found, no permission, not a database). */
function isSqliteOpenError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return typeof code === 'string' && (/^SQLITE_(CANTOPEN|NOTADB|PERM|READONLY)/.test(code) || ['ENOENT', 'EACCES', 'EROFS', 'ENOTDIR'].includes(code));
}

function checkSqlitePath(config: Config): void {
  if (config.databaseUrl || config.sqlitePath === ':memory:') return;
  try {
    if (statSync(config.sqlitePath).isDirectory()) fail(`configuration error: SQLITE_PATH must be a file, but ${config.sqlitePath} is a directory`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') fail(`configuration error: SQLITE_PATH=${config.sqlitePath} cannot be used: ${(err as Error).message}`);
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(`configuration error: ${err.message}`);
    throw err;
  }
  checkSqlitePath(config);
  const logger = createLogger(config);
  const stratum = await buildStratum(config, logger).catch((err: Error) => {
    if (isDatabaseUnavailable(err) || /^Sequelize\w*ConnectionError$|^SequelizeAccessDeniedError$/.test(err.name) || isSqliteOpenError(err)) {
      fail(`cannot open ${databaseSetting(config)}: ${err.message}${config.databaseUrl ? ' (the database must exist; Stratum creates its tables)' : ''}`, err);
    }
    // Anything else (a contract the boot refuses, a failing migration) is shown whole.
    console.error('stratum: failed to start:', err);
    process.exit(1);
  });

  let stopping = false;
  const handle = stratum.app.callback();
  const server = createServer((req, res) => {
    // While shutting down, do not keep connections alive for another request.
    if (stopping) res.setHeader('Connection', 'close');
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  answerClientErrors(server, logger);
  // Listen before anything is printed once: a port in use must not cost the demo credentials.
  await new Promise<void>((resolve) => {
    const onListenError = (err: NodeJS.ErrnoException) => {
      const where = `${config.host}:${config.port}`;
      if (err.code === 'EADDRINUSE') fail(`cannot listen on ${where}: the port is in use (set PORT to another port)`);
      if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') fail(`cannot listen on ${where}: HOST is not an address of this machine`);
      if (err.code === 'EACCES') fail(`cannot listen on ${where}: not allowed to use this PORT (ports below 1024 need privileges)`);
      fail(`cannot listen on ${where}: ${err.message}`, err);
    };
    server.once('error', onListenError);
    server.listen(config.port, config.host, () => {
      server.off('error', onListenError);
      resolve();
    });
  });

  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  let demoTenantId: string | undefined;
  if (config.bootstrapDemoTenant && (await stratum.platform.tenants.isEmpty())) {
    try {
      const { tenant, adminClient, secret } = await stratum.platform.tenants.create('demo');
      // Printed once, on purpose: the secret is not stored anywhere readable.
      console.log(
        [
          '',
          `Created tenant "${tenant.name}" (${tenant.id}) with an admin API client. Its secret is shown only now:`,
          `  client_id:     ${adminClient.id}`,
          `  client_secret: ${secret}`,
          'Get a token:',
          `  curl -s -X POST ${base}/v1/oauth/token -d grant_type=client_credentials -d client_id=${adminClient.id} -d client_secret=${secret}`,
          '',
        ].join('\n'),
      );
      demoTenantId = tenant.id;
    } catch (err) {
      // Another process on the same empty database created it first: it printed the credentials.
      if (await stratum.platform.tenants.isEmpty()) throw err;
      logger.info('the demo tenant was created by another process on this database');
    }
  }
  if (demoTenantId) {
    // Something to explore right away: the data `npm run seed` makes.
    const started = Date.now();
    const added = await stratum.seed(demoTenantId, { profile: 'demo', progress: () => ({ tick: () => undefined, done: () => undefined }) });
    logger.info({ tenant: demoTenantId, added, ms: Date.now() - started }, 'demo tenant seeded');
  }
  logger.info({ url: base, docs: `${base}/docs`, contract: `${base}/openapi.json` }, 'stratum listening');

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    stratum.kernel.beginShutdown();
    const force = setTimeout(() => {
      logger.warn('shutdown timeout reached; closing remaining connections');
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    force.unref();
    // Keep-alive connections become idle as their last response goes out: close them then.
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    server.close(async () => {
      clearInterval(idle);
      await stratum.close();
      logger.info('stopped');
      await flushLogs(logger);
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error('stratum: failed to start:', err);
  process.exit(1);
});
