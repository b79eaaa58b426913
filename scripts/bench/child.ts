/**
 * Inside a server child (started by children.ts): `serve-full` is the full stack as main.ts builds
 * it, with production settings; `serve-raw` is the hand-written baseline (raw-server.ts).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChildReady } from './children';
import { rawServer, type RawPlan } from './raw-server';
import { scenarioNamed } from './scenarios';

async function serveFull(): Promise<void> {
  // `require`, not a static import: the baseline child must not load the app. And not `import()`:
  // under `node -r tsx/cjs` that goes to Node's ESM loader, which tsx's CJS hook does not serve.
  const { buildStratum, createLogger, flushLogs } = require('../../src/compose') as typeof import('../../src/compose');
  const { loadConfig } = require('../../src/platform/config/config') as typeof import('../../src/platform/config/config');
  const config = loadConfig(process.env);
  // BENCH_STACK_ENV may change this on purpose, for an experiment; the parent says so in the header.
  if (!process.env.BENCH_STACK_ENV && (config.env !== 'production' || config.validateResponses || config.logLevel !== 'info')) {
    throw new Error('the full-stack child must run with NODE_ENV=production and LOG_LEVEL=info');
  }
  // compose.createLogger itself, as main.ts uses it, only pointed at a real file (/dev/null by
  // default) instead of stdout: every request is still serialized and written at info level.
  const logger = createLogger(config, process.env.BENCH_LOG_FILE || '/dev/null');
  const stratum = await buildStratum(config, logger);
  const server = createServer(stratum.app.callback());
  server.keepAliveTimeout = 65_000;
  await serveAndWait(server, async () => {
    await stratum.close();
    await flushLogs(logger);
  });
}

async function serveRaw(): Promise<void> {
  const plan = JSON.parse(readFileSync(process.env.BENCH_RAW!, 'utf8')) as RawPlan;
  const { server, close } = await rawServer(process.env, ({ db, send }) =>
    plan.scenarios.map((name) => scenarioNamed(name).raw({ db, tenantId: plan.tenantId, data: plan.data[name] as never, send })),
  );
  await serveAndWait(server, close);
}

/** Listens on a free loopback port, tells the parent, and stops cleanly when told (so --cpu-prof is written). */
async function serveAndWait(server: Server, close: () => Promise<void>): Promise<void> {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  process.on('message', async (message) => {
    if (message !== 'stop') return;
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
    await close();
    process.exit(0);
  });
  process.send!({ ready: true, port } satisfies ChildReady);
}

const mode = process.argv[2];
(mode === 'serve-full' ? serveFull : mode === 'serve-raw' ? serveRaw : () => Promise.reject(new Error(`unknown mode ${mode}: children.ts starts this file`)))().catch((err) => {
  console.error(err);
  process.exit(1);
});
