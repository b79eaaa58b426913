import type { ModelCtor } from 'sequelize-typescript';
import type { Logger } from 'pino';
import type { Config } from './config/config';
import { createDatabase, type Database } from './db/database';
import { migrateUp } from './db/migrator';
import { type RunInUnitOfWork, unitOfWorkRunner } from './db/unit-of-work';
import { OutboxDispatcher, outboxWriter } from './events/outbox';
import { OutboxEventModel, ProcessedEventModel } from './events/outbox-event.model';
import { loadKeyring, PlatformSecretModel } from './auth/keyring';
import { SecretHasher } from './auth/secrets';
import { TokenService } from './auth/tokens';
import type { SchemaValidators } from './http/contract';
import { CursorCodec } from './http/pagination';
import { IdempotencyKeyModel, IdempotencyStore } from './idempotency/idempotency-store';
import { FailedAttempts } from './ratelimit/failed-attempts';
import { RateLimiter } from './ratelimit/rate-limiter';

/** What the kernel gives every module. */
export interface Kernel {
  config: Config;
  logger: Logger;
  db: Database;
  runInUnitOfWork: RunInUnitOfWork;
  tokens: TokenService;
  /** Hashes and checks client secrets, with the process's cap on scrypt work. */
  secrets: SecretHasher;
  cursors: CursorCodec;
  /** Checks of the contract's named schemas (a batch's items, each on its own). */
  schemas: SchemaValidators;
  idempotency: IdempotencyStore;
  rateLimiter: RateLimiter;
  /** Failed attempts at a client secret (token endpoint, API keys), per client id and per address. */
  failedAttempts: FailedAttempts;
  dispatcher: OutboxDispatcher;
  /** The database answers and the process is not shutting down. */
  ready(): Promise<boolean>;
  /** Background work of a serving process: event delivery, and purging expired idempotency keys. */
  start(): void;
  /** Readiness turns false; in-flight requests still finish. */
  beginShutdown(): void;
  close(): Promise<void>;
}

const IDEMPOTENCY_PURGE_MS = 60 * 60 * 1000;

/** For processes that serve no API (scripts): asking for a schema check is a bug there. */
const NO_CONTRACT: SchemaValidators = {
  validatorFor(name) {
    throw new Error(`no contract was loaded in this process: cannot check schema ${name}`);
  },
};

const kernelModels: ModelCtor[] = [PlatformSecretModel, IdempotencyKeyModel, OutboxEventModel, ProcessedEventModel];

/** Opens the database, migrates it (under a lock on PostgreSQL) and builds the shared services. */
export async function createKernel(config: Config, logger: Logger, moduleModels: ModelCtor[], schemas: SchemaValidators = NO_CONTRACT): Promise<Kernel> {
  const db = createDatabase({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, poolMax: config.dbPoolMax, models: [...kernelModels, ...moduleModels] });
  try {
    await db.ping();
    const applied = await migrateUp(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    const keyring = await loadKeyring(config.secret);
    const dispatcher = new OutboxDispatcher(db, logger, config.outboxPollMs, config.outboxRetentionHours * 3600_000);
    let shuttingDown = false;
    const idempotency = new IdempotencyStore(keyring.dataKey);
    let purgeTimer: NodeJS.Timeout | undefined;
    const rateLimiter = new RateLimiter(
      db,
      { requests: config.rateLimitRequests, windowSeconds: config.rateLimitWindowSeconds, syncMs: config.rateLimitSyncMs },
      logger,
    );
    return {
      config,
      logger,
      db,
      runInUnitOfWork: unitOfWorkRunner(db, outboxWriter(db), () => dispatcher.poke(), (claim, transaction) => idempotency.markCommitted(claim, transaction)),
      tokens: new TokenService(keyring.tokenKey, config.tokenTtlSeconds),
      secrets: new SecretHasher({ concurrency: config.secretCheckConcurrency, queue: config.secretCheckQueue }),
      cursors: new CursorCodec(keyring.cursorKey),
      schemas,
      idempotency,
      rateLimiter,
      failedAttempts: new FailedAttempts(
        db,
        { perClientId: config.tokenFailuresPerClientId, perAddress: config.tokenFailuresPerAddress, windowSeconds: config.tokenFailureWindowSeconds },
        logger,
      ),
      dispatcher,
      start() {
        dispatcher.start();
        // Keys are also freed lazily when reused; this keeps unused ones from piling up.
        const purge = () => void idempotency.purgeExpired().catch((err) => logger.warn({ err }, 'purging expired idempotency keys failed'));
        purgeTimer = setInterval(purge, IDEMPOTENCY_PURGE_MS);
        purgeTimer.unref();
        purge();
      },
      async ready() {
        if (shuttingDown) return false;
        try {
          await db.ping();
          return true;
        } catch {
          return false;
        }
      },
      beginShutdown() {
        shuttingDown = true;
      },
      async close() {
        shuttingDown = true;
        if (purgeTimer) clearInterval(purgeTimer);
        await rateLimiter.close().catch((err) => logger.warn({ err }, 'sending the last rate limit counts failed'));
        await dispatcher.stop();
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
