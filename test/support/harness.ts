import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { type BuildOptions, buildStratum, createLogger, type Stratum } from '../../src/compose';
import { loadConfig } from '../../src/platform/config/config';
import { answerClientErrors } from '../../src/platform/http/client-errors';
import { freshDatabase, type TestDatabase } from './databases';

/**
 * Responses outside any operation (unknown routes, 405s) are not checked by the app; every
 * problem+json the tests see is checked here against the contract's Problem schema.
 */
const problemSchema = (() => {
  const doc = JSON.parse(readFileSync(join(__dirname, '../../generated/openapi.json'), 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'contract', components: doc.components });
  return ajv.compile({ $ref: 'contract#/components/schemas/Problem' });
})();

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  /** Sent as is, with the given headers. */
  raw?: string | Buffer;
  token?: string;
}

export interface Admin {
  tenantId: string;
  clientId: string;
  secret: string;
  token: string;
}

/**
 * The real app on a real database (a fresh SQLite file, or a fresh PostgreSQL database), served
 * over HTTP on a loopback port. The app validates every response against the contract
 * (VALIDATE_RESPONSES): a mismatch turns into a 500, and every request here fails on a 500.
 */
export class Harness {
  private constructor(
    readonly stratum: Stratum,
    readonly server: Server,
    readonly baseUrl: string,
    readonly db: TestDatabase,
    readonly logs: Record<string, unknown>[],
    private readonly ownsDb = true,
  ) {}

  /** With `sharedDb`, a second server process on another harness's database (it does not drop it). */
  static async start(env: Record<string, string> = {}, sharedDb?: TestDatabase, build: BuildOptions = {}): Promise<Harness> {
    const db = sharedDb ?? (await freshDatabase());
    const config = loadConfig({ NODE_ENV: 'test', VALIDATE_RESPONSES: 'true', BOOTSTRAP_DEMO_TENANT: 'false', OUTBOX_POLL_MS: '50', ...db.env, ...env });
    const logs: Record<string, unknown>[] = [];
    // The logger main.ts uses (so the tests see the request line it writes), collecting lines.
    const logger = createLogger({ ...config, logLevel: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const stratum = await buildStratum(config, logger, build);
    const server = createServer(stratum.app.callback());
    answerClientErrors(server, logger);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new Harness(stratum, server, `http://127.0.0.1:${port}`, db, logs, !sharedDb);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.stratum.close();
    if (this.ownsDb) await this.db.drop();
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Buffer | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    } else if (options.form) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (options.raw !== undefined) {
      body = options.raw;
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const res = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await res.text();
    let parsed: any = text;
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('json') && text) parsed = JSON.parse(text);
    if (type.startsWith('application/problem+json') && !problemSchema(parsed)) {
      throw new Error(`${method} ${path}: problem body does not match the contract: ${JSON.stringify(problemSchema.errors)}\n${text}`);
    }
    if (res.status >= 500 && res.status !== 503) {
      throw new Error(`${method} ${path} answered ${res.status}: ${text}\nlogs: ${JSON.stringify(this.logs.filter((l) => (l.level as number) >= 50))}`);
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  async token(clientId: string, secret: string, scope?: string): Promise<string> {
    const res = await this.request('POST', '/v1/oauth/token', {
      form: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, ...(scope ? { scope } : {}) },
    });
    if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
    return res.body.access_token;
  }

  /** A new tenant with its admin client (every scope) and a token for it. */
  async tenant(name = `t-${Math.random().toString(36).slice(2, 10)}`): Promise<Admin> {
    const { tenant, adminClient, secret } = await this.stratum.platform.tenants.create(name);
    return { tenantId: tenant.id, clientId: adminClient.id, secret, token: await this.token(adminClient.id, secret) };
  }
}
