/**
 * The composition root: kernel → modules → HTTP app. main.ts, the tests and the benchmark all
 * build Stratum through here, so they run the same thing.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './platform/config/config';
import { createApp, type HttpApp } from './platform/http/app';
import { Contract } from './platform/http/contract';
import { createDocsRouter } from './platform/http/docs';
import type { HandlerMap } from './platform/http/handler';
import { createKernel, type Kernel } from './platform/kernel';
import { createLogger } from './platform/logging';
import * as platform from './modules/platform';

export const CONTRACT_PATH = resolve(__dirname, '../generated/openapi.json');

export interface Stratum {
  app: HttpApp;
  kernel: Kernel;
  contract: Contract;
  platform: ReturnType<typeof platform.platformModule>;
  close(): Promise<void>;
}

export { createLogger, flushLogs } from './platform/logging';

export async function buildStratum(config: Config, logger: Logger = createLogger(config)): Promise<Stratum> {
  const document = JSON.parse(readFileSync(CONTRACT_PATH, 'utf8'));
  const contract = await Contract.load(document);
  const kernel = await createKernel(config, logger, [...platform.models]);
  const platformModule = platform.platformModule(kernel);
  const handlers: HandlerMap = { ...platformModule.handlers };
  const app = createApp({
    contract,
    handlers,
    tokens: kernel.tokens,
    verifyApiKey: platformModule.verifyApiKey,
    idempotency: kernel.idempotency,
    rateLimiter: kernel.rateLimiter,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    validateResponses: config.validateResponses,
    docs: createDocsRouter(document),
  });
  kernel.start();
  return { app, kernel, contract, platform: platformModule, close: () => kernel.close() };
}
