import { createServer } from 'node:http';
import { ConfigError, loadConfig } from './platform/config/config';
import { buildStratum, createLogger, flushLogs } from './compose';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`stratum: configuration error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config);
  const stratum = await buildStratum(config, logger);

  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  if (config.bootstrapDemoTenant && (await stratum.platform.tenants.isEmpty())) {
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
  }

  let stopping = false;
  const handle = stratum.app.callback();
  const server = createServer((req, res) => {
    // While shutting down, do not keep connections alive for another request.
    if (stopping) res.setHeader('Connection', 'close');
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(config.port, config.host, () => {
    logger.info({ url: base, docs: `${base}/docs`, contract: `${base}/openapi.json` }, 'stratum listening');
  });

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
