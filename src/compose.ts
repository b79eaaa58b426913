/**
 * The composition root: kernel → modules → HTTP app. main.ts, the tests and the benchmark all
 * build Stratum through here, so they run the same thing.
 */
import type Koa from 'koa';
import type { Logger } from 'pino';
import type { Config } from './platform/config/config';
import { createApp, type HttpApp } from './platform/http/app';
import { compressionMiddleware, corsMiddleware } from './platform/http/browser-and-compression';
import { Contract } from './platform/http/contract';
import { contractDocument } from './platform/http/contract-document';
import { createDocsRouter } from './platform/http/docs';
import type { HandlerMap } from './platform/http/handler';
import { createKernel, type Kernel } from './platform/kernel';
import { createLogger } from './platform/logging';
import { createModules, type ModuleDefinition, type ModuleLookup, type SeedOptions, type SeedReport } from './platform/module';
import { type PlatformApi, platformModule } from './modules/platform';
import { crmModule } from './modules/crm';
import { wmsModule } from './modules/wms';
import { erpModule } from './modules/erp';


/** Every module, one line each, in the order they are built (a module may `use` those before it). */
export const MODULES: readonly ModuleDefinition<any>[] = [
  platformModule,
  crmModule,
  wmsModule,
  erpModule,
];

export interface Stratum {
  app: HttpApp;
  kernel: Kernel;
  contract: Contract;
  /** Every module's handlers, by operationId. */
  handlers: HandlerMap;
  /** The platform module's application interface (tenants, API clients), for main.ts and the scripts. */
  platform: PlatformApi;
  /** Any module's application interface, for the scripts. */
  use: ModuleLookup;
  /** Fills a tenant with each module's demo or bench data (npm run seed). */
  seed(tenantId: string, options: SeedOptions): Promise<SeedReport>;
  close(): Promise<void>;
}

export interface BuildOptions {
  /** Koa middleware in front of the API and the pages, after CORS and compression. */
  middleware?: Koa.Middleware[];
}

export { createLogger, flushLogs } from './platform/logging';

export async function buildStratum(config: Config, logger: Logger = createLogger(config), options: BuildOptions = {}): Promise<Stratum> {
  // A copy: the contract's validators and the docs pages must not share objects with it.
  const document = structuredClone(contractDocument());
  const contract = await Contract.load(document);
  const kernel = await createKernel(config, logger, MODULES.flatMap((m) => m.models), contract);
  try {
    const modules = createModules(kernel, MODULES);
    const platform = modules.use(platformModule);
    const app = createApp({
      contract,
      handlers: modules.handlers,
      tokens: kernel.tokens,
      verifyApiKey: platform.verifyApiKey,
      idempotency: kernel.idempotency,
      rateLimiter: kernel.rateLimiter,
      logger,
      maxBodyBytes: config.maxBodyBytes,
      validateResponses: config.validateResponses,
      middleware: [corsMiddleware(config.corsOrigins), compressionMiddleware(config.compressMinBytes), ...(options.middleware ?? [])].filter((m): m is Koa.Middleware => !!m),
      docs: createDocsRouter(document),
    });
    kernel.start();
    modules.onStart();
    return {
      app,
      kernel,
      contract,
      handlers: modules.handlers,
      platform,
      use: modules.use,
      seed: modules.seed,
      async close() {
        await modules.onStop();
        await kernel.close();
      },
    };
  } catch (err) {
    await kernel.close().catch(() => undefined);
    throw err;
  }
}
