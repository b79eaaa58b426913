/**
 * The composition root: kernel → modules → HTTP app. main.ts, the tests and the benchmark all
 * build Stratum through here, so they run the same thing.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import type Koa from 'koa';
import type { Config } from './platform/config/config';
import { createApp } from './platform/http/app';
import { Contract } from './platform/http/contract';
import { createDocsRouter } from './platform/http/docs';
import type { HandlerMap } from './platform/http/handler';
import { createKernel, type Kernel } from './platform/kernel';
import * as platform from './modules/platform';

export const CONTRACT_PATH = resolve(__dirname, '../generated/openapi.json');

export interface Stratum {
  app: Koa;
  kernel: Kernel;
  contract: Contract;
  platform: ReturnType<typeof platform.platformModule>;
  close(): Promise<void>;
}

/**
 * JSON logs, one line per request at info. Written asynchronously: in production lines are
 * buffered up to 4 KiB before a write (a request no longer pays for a write(2) of its own);
 * `flushLogs` empties the buffer at shutdown.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'env'>, dest: string | number = 1): Logger {
  const destination = pino.destination({ dest, sync: false, minLength: config.env === 'production' ? 4096 : 0 });
  return pino({ level: config.logLevel, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

export function flushLogs(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    try {
      logger.flush(() => resolve());
    } catch {
      resolve(); // the destination is not open yet: nothing was written
    }
  });
}

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
