import { availableParallelism } from 'node:os';

/**
 * Configuration comes from environment variables only. Every variable is documented in the
 * README with its default; a bad value stops the process with a message naming the variable.
 */
export interface Config {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  /** PostgreSQL URL; when absent the embedded SQLite file is used. */
  databaseUrl: string | undefined;
  sqlitePath: string;
  dbPoolMax: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  maxBodyBytes: number;
  tokenTtlSeconds: number;
  /** Overrides the signing secret stored in the database (base64url, at least 32 bytes). */
  secret: string | undefined;
  validateResponses: boolean;
  shutdownTimeoutMs: number;
  bootstrapDemoTenant: boolean;
  outboxPollMs: number;
  /** How long a delivered event stays in the outbox before the dispatcher deletes it. */
  outboxRetentionHours: number;
  /** Requests per API client per window; 0 turns rate limiting off. */
  rateLimitRequests: number;
  rateLimitWindowSeconds: number;
  /** How often each process adds its counts to the shared counters and reads the totals back. */
  rateLimitSyncMs: number;
  /** scrypt checks of client secrets computed at once, and how many more may wait. */
  secretCheckConcurrency: number;
  secretCheckQueue: number;
  /** Failed client authentications at the token endpoint per client id, and per address, per window; 0: not limited. */
  tokenFailuresPerClientId: number;
  tokenFailuresPerAddress: number;
  tokenFailureWindowSeconds: number;
  /** Browser origins allowed to call the API (CORS); empty: CORS is off. */
  corsOrigins: string[];
  /** gzip/br compression of answers over COMPRESS_MIN_BYTES; 0 turns it off. */
  compressMinBytes: number;
}

/** libuv's threadpool, shared by scrypt, the SQLite driver, file system calls and DNS lookups. */
export function threadpoolSize(env: Env = process.env): number {
  const size = Number.parseInt(env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isInteger(size) && size > 0 ? Math.min(size, 1024) : 4;
}

/**
 * scrypt is CPU work on libuv's threadpool: by default half of the pool and half of the CPUs,
 * at least one. The other threads stay free for the SQLite driver and the file system, and the
 * other CPUs for the event loop, while secret checks pile up.
 */
export function defaultSecretCheckConcurrency(env: Env = process.env, cpus = availableParallelism()): number {
  return Math.max(1, Math.min(Math.floor(threadpoolSize(env) / 2), Math.floor(cpus / 2)));
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/** `CORS_ORIGINS`: exact origins (scheme://host[:port]), comma-separated. No wildcard: credentials travel in headers. */
function origins(env: Env, name: string): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  return raw.split(',').map((part) => {
    const origin = part.trim();
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new ConfigError(`${name} must be a comma-separated list of origins such as https://app.example.com, got "${origin}"`);
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin) {
      throw new ConfigError(`${name} must list origins as scheme://host[:port] with no path or trailing slash, got "${origin}" (did you mean ${url.origin}?)`);
    }
    return origin;
  });
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', 'development', ['development', 'test', 'production'] as const);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must be a postgres:// or postgresql:// URL, got "${databaseUrl}"`);
  }
  // Whitespace is dropped: `openssl rand -base64 64` wraps its output over two lines.
  const secret = env.STRATUM_SECRET?.replace(/\s+/g, '') || undefined;
  if (secret !== undefined && (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(secret) || Buffer.from(secret, 'base64url').length < 32)) {
    throw new ConfigError('STRATUM_SECRET must be at least 32 bytes, base64- or base64url-encoded (e.g. `openssl rand -base64 48`)');
  }
  const host = env.HOST || '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new ConfigError(`HOST must be a host name or address, got "${host}"`);
  return {
    env: nodeEnv,
    host,
    port: int(env, 'PORT', 3000, 0, 65535),
    databaseUrl,
    sqlitePath: env.SQLITE_PATH || './data/stratum.sqlite',
    dbPoolMax: int(env, 'DB_POOL_MAX', 10, 1, 500),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 1_048_576, 1024, 104_857_600),
    tokenTtlSeconds: int(env, 'TOKEN_TTL_SECONDS', 900, 60, 86_400),
    secret,
    validateResponses: bool(env, 'VALIDATE_RESPONSES', nodeEnv !== 'production'),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    bootstrapDemoTenant: bool(env, 'BOOTSTRAP_DEMO_TENANT', true),
    outboxPollMs: int(env, 'OUTBOX_POLL_MS', 1000, 10, 600_000),
    outboxRetentionHours: int(env, 'OUTBOX_RETENTION_HOURS', 168, 1, 87_600),
    rateLimitRequests: int(env, 'RATE_LIMIT_REQUESTS', 6000, 0, 1_000_000_000),
    rateLimitWindowSeconds: int(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
    rateLimitSyncMs: int(env, 'RATE_LIMIT_SYNC_MS', 500, 10, 60_000),
    secretCheckConcurrency: int(env, 'SECRET_CHECK_CONCURRENCY', defaultSecretCheckConcurrency(env), 1, 1024),
    secretCheckQueue: int(env, 'SECRET_CHECK_QUEUE', 100, 0, 100_000),
    tokenFailuresPerClientId: int(env, 'TOKEN_FAILURES_PER_CLIENT_ID', 10, 0, 1_000_000),
    tokenFailuresPerAddress: int(env, 'TOKEN_FAILURES_PER_ADDRESS', 50, 0, 1_000_000),
    tokenFailureWindowSeconds: int(env, 'TOKEN_FAILURE_WINDOW_SECONDS', 60, 1, 86_400),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    compressMinBytes: int(env, 'COMPRESS_MIN_BYTES', 1024, 0, 104_857_600),
  };
}
