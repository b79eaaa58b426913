/**
 * `npm run bench`: the full Stratum stack against a hand-written `node:http` + driver server that
 * runs the same SQL on the same database, for two read endpoints (get by id, list page of 50).
 * See docs/benchmarks.md for how to read the result and the target.
 *
 * One run: a fresh database (a temp SQLite file, or a new database on the PostgreSQL server of
 * DATABASE_URL, dropped at the end) → seed one tenant with 200 API clients through the app's own
 * API → get a bearer token → start both servers, each in a child process pinned to CPU 0 (this
 * process, the load generator, is pinned to CPU 1) → for each endpoint: warm up each server, then
 * measure with autocannon in slices taken in turn (full, raw, raw, full, …), one server loaded at
 * a time, so that the machine's drifting speed weighs on both alike. Every response must be a
 * 200; a run with any other answer is reported invalid and exits 1.
 *
 * Environment:
 *   DATABASE_URL      PostgreSQL server to use (a fresh database is created on it); default SQLite
 *   BENCH_DURATION    seconds measured per endpoint and server (default 10)
 *   BENCH_SLICE       seconds of one slice of that time (default 2; the servers take turns)
 *   BENCH_WARMUP      seconds of warm-up before each measurement (default 3)
 *   BENCH_ENDPOINTS   `get` or `list`: measure only that endpoint (default both)
 *   BENCH_STACK_ENV   space-separated NAME=value settings for the full stack only, e.g. LOG_LEVEL=warn
 *   BENCH_CONNECTIONS concurrent connections (default 32)
 *   BENCH_ROUNDS      rounds (servers restarted each round); the median round (by req/s) is
 *                     reported, and each round's own ratio (default 1)
 *   BENCH_CLIENTS     API clients seeded in the tenant, the admin included (default 200)
 *   BENCH_PIN         0 to not pin processes to CPUs with taskset (default: pin when possible)
 *   BENCH_LOADER      how the server children load TypeScript: `import` (node --import tsx,
 *                     default), `require` (node -r tsx/cjs) or `compiled` (tsc into a temp
 *                     directory, then plain node: what a compiled production build would run)
 *   BENCH_LOG_FILE    where the full stack's info-level request log goes (default /dev/null)
 *   BENCH_PROFILE     1: run the full-stack child under --cpu-prof and print where its CPU went
 *                     during the measurements (by package, file, function); all: both servers
 *   BENCH_ONLY        `full` or `raw`: run one server only (no ratios)
 *   BENCH_NODE_ARGS   extra node flags for both server children (e.g. `--max-semi-space-size=64`)
 *   BENCH_OUT         write the results as JSON to this file
 *   BENCH_BASELINE_PG `unnamed`: the PostgreSQL baseline sends unnamed parameterized queries
 *                     instead of named prepared statements (default: named, the faster way)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { SourceMap } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import { Client, Pool } from 'pg';
import pino from 'pino';
import { scratchDatabase, type ScratchDatabase } from './scratch-database';

const ROOT = resolve(__dirname, '..');
const API = '/v1/platform/api-clients';
const COLUMNS = 'id, tenant_id, name, description, scopes, status, secret_hash, version, created_at, updated_at, secret_rotated_at, revoked_at';
const LIST_LIMIT = 50;

type ServerKind = 'full' | 'raw';
type Endpoint = 'get by id' | 'list 50';
const ALL_ENDPOINTS: Endpoint[] = ['get by id', 'list 50'];
/** BENCH_ENDPOINTS=get or =list: measure one endpoint only (quicker experiments). */
const ENDPOINTS: Endpoint[] = ALL_ENDPOINTS.filter((e) => !process.env.BENCH_ENDPOINTS || process.env.BENCH_ENDPOINTS.split(',').some((w) => e.startsWith(w.trim())));

interface ChildReady {
  ready: true;
  port: number;
}

/**
 * The app's modules, loaded only where needed (not in the baseline child). `require`, not
 * `import()`: under `node -r tsx/cjs` a dynamic import goes to Node's ESM loader, which tsx's
 * CJS hook does not serve.
 */
const START_NODE_FLAGS = '--max-semi-space-size=64';

function appModules() {
  const { buildStratum, createLogger, flushLogs } = require('../src/compose') as typeof import('../src/compose');
  const { loadConfig } = require('../src/platform/config/config') as typeof import('../src/platform/config/config');
  return { buildStratum, createLogger, flushLogs, loadConfig };
}

// ---------------------------------------------------------------------------------------------
// Child 1: the full stack, as main.ts builds it, with production settings.
// ---------------------------------------------------------------------------------------------

async function serveFull(): Promise<void> {
  const { buildStratum, createLogger, flushLogs, loadConfig } = appModules();
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

// ---------------------------------------------------------------------------------------------
// Child 2: the baseline. Plain node:http + the driver, the same SQL, the same JSON; no routing
// library, no validation, no authentication, no logging. What the hardware and the driver allow.
// ---------------------------------------------------------------------------------------------

interface Row {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  scopes: string;
  status: string;
  secret_hash: string;
  version: number | string;
  created_at: Date | string;
  updated_at: Date | string;
  secret_rotated_at: Date | string | null;
  revoked_at: Date | string | null;
}

/** The response shape of the contract's ApiClient, mapped exactly like the app maps it. */
function toJson(row: Row) {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    name: row.name,
    description: row.description,
    scopes: JSON.parse(row.scopes) as string[],
    status: row.status,
    version: Number(row.version),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    secret_rotated_at: row.secret_rotated_at === null ? null : new Date(row.secret_rotated_at).toISOString(),
    revoked_at: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
  };
}

interface RawQueries {
  get(tenantId: string, id: string): Promise<Row | undefined>;
  list(tenantId: string, limit: number): Promise<Row[]>;
  close(): Promise<void>;
}

async function rawQueries(): Promise<RawQueries> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const pool = new Pool({ connectionString: url, max: Number(process.env.DB_POOL_MAX || 10) });
    const getSql = `SELECT ${COLUMNS} FROM api_clients WHERE tenant_id = $1 AND id = $2`;
    const listSql = `SELECT ${COLUMNS} FROM api_clients WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`;
    // Named prepared statements (parsed once per connection), unless BENCH_BASELINE_PG=unnamed.
    const named = process.env.BENCH_BASELINE_PG !== 'unnamed';
    const q = (name: string, text: string, values: unknown[]) => pool.query<Row>(named ? { name, text, values } : { text, values });
    return {
      get: async (tenantId, id) => (await q('bench_get', getSql, [tenantId, id])).rows[0],
      list: async (tenantId, limit) => (await q('bench_list', listSql, [tenantId, limit])).rows,
      close: () => pool.end(),
    };
  }
  const sqlite3 = require('sqlite3') as typeof import('sqlite3');
  const path = process.env.SQLITE_PATH!;
  const db = await new Promise<import('sqlite3').Database>((ok, fail) => {
    const d = new sqlite3.Database(path, sqlite3.OPEN_READWRITE, (err) => (err ? fail(err) : ok(d)));
  });
  const run = (sql: string) => new Promise<void>((ok, fail) => db.run(sql, (err) => (err ? fail(err) : ok())));
  db.configure('busyTimeout', 5000);
  await run('PRAGMA journal_mode=WAL');
  await run('PRAGMA synchronous=NORMAL');
  const getSql = `SELECT ${COLUMNS} FROM api_clients WHERE tenant_id = ? AND id = ?`;
  const listSql = `SELECT ${COLUMNS} FROM api_clients WHERE tenant_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`;
  return {
    get: (tenantId, id) => new Promise((ok, fail) => db.get<Row>(getSql, [tenantId, id], (err, row) => (err ? fail(err) : ok(row)))),
    list: (tenantId, limit) => new Promise((ok, fail) => db.all<Row>(listSql, [tenantId, limit], (err, rows) => (err ? fail(err) : ok(rows)))),
    close: () => new Promise<void>((ok, fail) => db.close((err) => (err ? fail(err) : ok()))),
  };
}

async function serveRaw(): Promise<void> {
  const tenantId = process.env.BENCH_TENANT_ID!;
  const q = await rawQueries();
  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const qm = url.indexOf('?');
    const path = qm < 0 ? url : url.slice(0, qm);
    if (req.method === 'GET' && path === API) {
      const limit = Number(new URLSearchParams(qm < 0 ? '' : url.slice(qm + 1)).get('limit') ?? LIST_LIMIT);
      const rows = await q.list(tenantId, limit + 1);
      const items = rows.slice(0, limit).map(toJson);
      const last = items[items.length - 1];
      // A stand-in for the app's signed cursor: the same position, not signed.
      const next = rows.length > limit && last ? Buffer.from(JSON.stringify([last.created_at, last.id])).toString('base64url') : null;
      send(res, 200, JSON.stringify({ data: items, next_cursor: next }));
    } else if (req.method === 'GET' && path.startsWith(`${API}/`)) {
      const row = await q.get(tenantId, decodeURIComponent(path.slice(API.length + 1)));
      if (!row) return send(res, 404, '{"status":404}');
      const body = toJson(row);
      send(res, 200, JSON.stringify(body), { ETag: `"${body.version}"` });
    } else {
      send(res, 404, '{"status":404}');
    }
  };
  const server = createServer((req, res) => {
    req.resume();
    handle(req, res).catch((err) => {
      console.error(err);
      if (!res.headersSent) send(res, 500, '{"status":500}');
    });
  });
  server.keepAliveTimeout = 65_000;
  await serveAndWait(server, () => q.close());
}

/** Listens on a free loopback port, tells the parent, and stops cleanly when told (so --cpu-prof is written). */
async function serveAndWait(server: ReturnType<typeof createServer>, close: () => Promise<void>): Promise<void> {
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

// ---------------------------------------------------------------------------------------------
// The parent: database, seed, children, load.
// ---------------------------------------------------------------------------------------------

interface BenchDatabase extends ScratchDatabase {
  label: string;
}

async function freshDatabase(): Promise<BenchDatabase> {
  const adminUrl = process.env.DATABASE_URL;
  const db = await scratchDatabase(adminUrl, 'stratum-bench');
  if (!adminUrl) {
    const sqlite3 = require('sqlite3') as typeof import('sqlite3');
    return { ...db, kind: 'sqlite', label: `SQLite ${sqlite3.VERSION} (temp file, WAL)` };
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  await admin.end();
  const url = new URL(db.env.DATABASE_URL);
  return { ...db, kind: 'postgres', label: `PostgreSQL ${version} (${url.host}, database ${url.pathname.slice(1)})` };
}

/** Env for a child or the seeding stack: production settings on the bench database, nothing inherited about the database. */
function stackEnv(db: BenchDatabase, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'SQLITE_PATH', 'STRATUM_SECRET', 'VALIDATE_RESPONSES', 'NODE_OPTIONS']) delete env[name];
  // One client makes every request of the run: a quota so large it is never reached keeps the
  // rate limiter counting (its cost is measured) without refusing anything.
  return { ...env, NODE_ENV: 'production', LOG_LEVEL: 'info', BOOTSTRAP_DEMO_TENANT: 'false', HOST: '127.0.0.1', PORT: '0', RATE_LIMIT_REQUESTS: '1000000000', ...db.env, ...extra };
}

interface Seed {
  tenantId: string;
  token: string;
  clientId: string;
}

/** One tenant with `count` API clients (its admin included), made through the app's own API. */
async function seed(db: BenchDatabase, count: number): Promise<Seed> {
  const { buildStratum, loadConfig } = appModules();
  // Long-lived token: the run must not outlast it.
  const config = loadConfig(stackEnv(db, { TOKEN_TTL_SECONDS: '86400' }));
  const stratum = await buildStratum(config, pino({ level: 'warn' }, pino.destination(2)));
  const server = createServer(stratum.app.callback());
  try {
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { tenant, adminClient, secret } = await stratum.platform.tenants.create('bench');
    const tokenRes = await fetch(`${base}/v1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: adminClient.id, client_secret: secret }).toString(),
    });
    if (tokenRes.status !== 200) throw new Error(`token request failed: ${tokenRes.status} ${await tokenRes.text()}`);
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const scopes = ['crm:read', 'crm:write', 'wms:read', 'wms:write', 'erp:read', 'erp:write'];
    const ids: string[] = [];
    const create = async (i: number) => {
      const res = await fetch(base + API, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: `bench client ${String(i).padStart(3, '0')}`,
          description: i % 3 === 0 ? null : `Integration number ${i}, seeded by scripts/bench.ts`,
          scopes: scopes.slice(0, 1 + (i % scopes.length)),
        }),
      });
      if (res.status !== 201) throw new Error(`seeding API client ${i} failed: ${res.status} ${await res.text()}`);
      ids.push(((await res.json()) as { api_client: { id: string } }).api_client.id);
    };
    for (let i = 1; i < count; i += 8) {
      await Promise.all(Array.from({ length: Math.min(8, count - i) }, (_, k) => create(i + k)));
    }
    return { tenantId: tenant.id, token, clientId: ids[Math.floor(ids.length / 2)] ?? adminClient.id };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
    await stratum.close();
  }
}

interface Running {
  kind: ServerKind;
  child: ChildProcess;
  base: string;
  stop(): Promise<void>;
}

const canPin = () => process.env.BENCH_PIN !== '0' && cpus().length >= 2 && hasTaskset();
function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let buildDir: string | undefined;

/**
 * BENCH_LOADER=compiled: the project compiled by tsc (as a production build would be) into a temp
 * directory, run by plain node: no tsx hooks, no source-map-aware stack traces.
 */
function compiledBuild(): string {
  if (buildDir) return buildDir;
  const dir = mkdtempSync(join(tmpdir(), 'stratum-bench-build-'));
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: { noEmit: false, sourceMap: true, outDir: dir, rootDir: ROOT, typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'] },
      files: [join(ROOT, 'scripts/bench.ts')],
      include: [join(ROOT, 'src'), join(ROOT, 'migrations')],
    }),
  );
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    // Type errors elsewhere in a working tree do not stop the emit; a missing output does.
    console.error(`tsc reported errors (emitted anyway):\n${String((err as { stdout?: Buffer }).stdout ?? err).slice(0, 2000)}`);
  }
  if (!existsSync(join(dir, 'scripts/bench.js')) || !existsSync(join(dir, 'src/compose.js'))) throw new Error(`tsc did not emit the build into ${dir}`);
  mkdirSync(join(dir, 'generated'), { recursive: true });
  copyFileSync(join(ROOT, 'generated/openapi.json'), join(dir, 'generated/openapi.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return (buildDir = dir);
}

function loaderLabel(): string {
  const loader = process.env.BENCH_LOADER ?? 'import';
  return loader === 'require' ? 'node -r tsx/cjs' : loader === 'compiled' ? 'node (tsc-compiled JS, no tsx)' : 'node --import tsx';
}

function startChild(kind: ServerKind, env: NodeJS.ProcessEnv, profileDir?: string): Promise<Running> {
  const loader = process.env.BENCH_LOADER ?? 'import';
  const entryArgs = loader === 'compiled' ? [join(compiledBuild(), 'scripts/bench.js')] : [...(loader === 'require' ? ['-r', 'tsx/cjs'] : ['--import', 'tsx']), __filename];
  // Default: the node flags `npm start` runs with (package.json), for both servers alike.
  const extra = (process.env.BENCH_NODE_ARGS ?? START_NODE_FLAGS).split(' ').filter(Boolean);
  const nodeArgs = [...extra, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...entryArgs, `serve-${kind}`];
  const [cmd, args] = canPin() ? ['taskset', ['-c', '0', process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(cmd as string, args as string[], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((ok, fail) => {
    const onExit = (code: number | null) => fail(new Error(`${kind} server exited with ${code} before it was ready`));
    child.once('exit', onExit);
    child.once('error', fail);
    child.once('message', (m: ChildReady) => {
      child.off('exit', onExit);
      ok({
        kind,
        child,
        base: `http://127.0.0.1:${m.port}`,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            try {
              child.send('stop');
            } catch {
              child.kill('SIGTERM');
            }
          }),
      });
    });
  });
}

interface Measurement {
  endpoint: Endpoint;
  server: ServerKind;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** CPU used during the measurement, in % of one core: the server child (all its threads) and autocannon (this process). */
  serverCpu: number | undefined;
  loadCpu: number;
  /** Busy CPU of everything else on the machine during the measurement, in % of one core (the database server included). */
  otherCpu: number | undefined;
  /** CPU the server child used per request answered, in µs (all its threads). */
  cpuPerRequest: number | undefined;
  /** Time the hypervisor gave the machine's CPUs to someone else, in % of one core ("steal" in /proc/stat). */
  steal: number | undefined;
}

/** Busy and total jiffies of the whole machine (Linux /proc/stat), to tell whether it was saturated. */
function machineTicks(): { busy: number; total: number; steal: number } | undefined {
  try {
    const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const n = v.map(Number); // user nice system idle iowait irq softirq steal ...
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - n[3] - n[4], total, steal: n[7] };
  } catch {
    return undefined;
  }
}

/** utime + stime of a process, in seconds (Linux /proc; undefined elsewhere). */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function load(url: string, token: string, seconds: number, connections: number) {
  return autocannon({ url, connections, duration: seconds, pipelining: 1, headers: { authorization: `Bearer ${token}` } });
}

function paths(seedData: Seed): Record<Endpoint, string> {
  return { 'get by id': `${API}/${seedData.clientId}`, 'list 50': `${API}?limit=${LIST_LIMIT}` };
}

/** One request per endpoint before the load: a 200 with the contract's shape; the bodies of both servers must agree. */
async function preflight(running: Running, seedData: Seed): Promise<Record<Endpoint, unknown>> {
  const out = {} as Record<Endpoint, unknown>;
  for (const [endpoint, path] of Object.entries(paths(seedData)) as [Endpoint, string][]) {
    const res = await fetch(running.base + path, { headers: { authorization: `Bearer ${seedData.token}` } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${running.kind} ${endpoint}: ${res.status} ${text}`);
    const body = JSON.parse(text);
    if (endpoint === 'get by id' && res.headers.get('etag') !== `"${body.version}"`) throw new Error(`${running.kind} ${endpoint}: no ETag`);
    if (endpoint === 'list 50') {
      if (body.data.length !== LIST_LIMIT || typeof body.next_cursor !== 'string') throw new Error(`${running.kind} ${endpoint}: not a full page with a cursor`);
      body.next_cursor = '(cursor)';
    }
    out[endpoint] = body;
  }
  return out;
}

/** One slice of load on one server, with what the machine did meanwhile. */
interface Slice {
  start: number;
  end: number;
  wall: number;
  requests: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  serverCpu: number | undefined;
  ownCpu: number;
  machine: { busy: number; total: number; steal: number } | undefined;
}

async function measureSlice(server: Running, url: string, token: string, seconds: number, connections: number): Promise<Slice> {
  const cpu0 = cpuSeconds(server.child.pid);
  const own0 = process.cpuUsage();
  const m0 = machineTicks();
  const start = nowMicros();
  const wall0 = process.hrtime.bigint();
  const r = await load(url, token, seconds, connections);
  const wall = Number(process.hrtime.bigint() - wall0) / 1e9;
  const cpu1 = cpuSeconds(server.child.pid);
  const own = process.cpuUsage(own0);
  const m1 = machineTicks();
  return {
    start,
    end: nowMicros(),
    wall,
    requests: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, st]) => [code, st.count ?? 0])),
    serverCpu: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0,
    ownCpu: (own.user + own.system) / 1e6,
    machine: m0 && m1 ? { busy: m1.busy - m0.busy, total: m1.total - m0.total, steal: m1.steal - m0.steal } : undefined,
  };
}

/** A server's slices of one endpoint as one measurement: totals over the slices, latencies their median. */
function summarize(endpoint: Endpoint, server: ServerKind, slices: Slice[]): Measurement {
  const sum = (f: (s: Slice) => number) => slices.reduce((a, s) => a + f(s), 0);
  const wall = sum((s) => s.wall);
  const requests = sum((s) => s.requests);
  const serverCpu = slices.every((s) => s.serverCpu !== undefined) ? sum((s) => s.serverCpu!) : undefined;
  const ownCpu = sum((s) => s.ownCpu);
  const machine = slices.every((s) => s.machine) ? { busy: sum((s) => s.machine!.busy), total: sum((s) => s.machine!.total), steal: sum((s) => s.machine!.steal) } : undefined;
  const statusCodes: Record<string, number> = {};
  for (const s of slices) for (const [code, n] of Object.entries(s.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const ncpu = cpus().length;
  return {
    endpoint,
    server,
    rps: requests / wall,
    p50: median(slices, (s) => s.p50).p50,
    p99: median(slices, (s) => s.p99).p99,
    requests,
    non2xx: sum((s) => s.non2xx),
    errors: sum((s) => s.errors),
    timeouts: sum((s) => s.timeouts),
    statusCodes,
    serverCpu: serverCpu === undefined ? undefined : Math.round((100 * serverCpu) / wall),
    loadCpu: Math.round((100 * ownCpu) / wall),
    otherCpu: machine && serverCpu !== undefined ? Math.max(0, Math.round((100 * ncpu * machine.busy) / machine.total - (100 * serverCpu) / wall - (100 * ownCpu) / wall)) : undefined,
    cpuPerRequest: serverCpu === undefined || !requests ? undefined : Math.round((1e6 * serverCpu) / requests),
    steal: machine ? Math.round((100 * ncpu * machine.steal) / machine.total) : undefined,
  };
}

const median = <T>(xs: T[], by: (x: T) => number): T => [...xs].sort((a, b) => by(a) - by(b))[Math.floor((xs.length - 1) / 2)];

async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_DURATION || 10);
  const warmup = Number(process.env.BENCH_WARMUP ?? 3);
  const connections = Number(process.env.BENCH_CONNECTIONS || 32);
  const rounds = Number(process.env.BENCH_ROUNDS || 1);
  const sliceCount = Math.max(1, Math.round(duration / Number(process.env.BENCH_SLICE || 2)));
  const clients = Number(process.env.BENCH_CLIENTS || 200);
  if (!(clients > LIST_LIMIT)) throw new Error(`BENCH_CLIENTS must be more than ${LIST_LIMIT}: the list endpoint is measured on a full page with a next cursor`);
  const only = process.env.BENCH_ONLY as ServerKind | undefined;
  const kinds: ServerKind[] = only ? [only] : ['full', 'raw'];
  const profile = process.env.BENCH_PROFILE === 'all' ? 'all' : process.env.BENCH_PROFILE === '1' ? 'full' : undefined;
  const pinned = canPin();
  // The load generator gets the other core (all of its threads).
  if (pinned) execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });

  const db = await freshDatabase();
  let interrupted = false;
  const running = new Set<Running>();
  const cleanup = async () => {
    for (const r of running) await r.stop().catch(() => undefined);
    await db.drop().catch((err) => console.error('could not drop the bench database:', err));
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  };
  // Ctrl-C reaches this process twice (from the terminal, and relayed by the tsx CLI): clean up once.
  process.on('SIGINT', () => {
    if (interrupted) return;
    interrupted = true;
    console.error('interrupted: stopping servers and dropping the bench database');
    cleanup().finally(() => process.exit(130));
  });

  const facts = {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    nproc: cpus().length,
    node: process.version,
    database: db.label,
    pinned: pinned ? 'server on CPU 0, autocannon on CPU 1 (taskset)' : 'not pinned',
    loader: loaderLabel(),
    ...(process.env.BENCH_STACK_ENV ? { experiment: `full stack with ${process.env.BENCH_STACK_ENV} (not the production settings)` } : {}),
    nodeArgs: process.env.BENCH_NODE_ARGS || undefined,
    baseline: process.env.DATABASE_URL
      ? `node:http + pg Pool (max ${process.env.DB_POOL_MAX || 10}), ${process.env.BENCH_BASELINE_PG === 'unnamed' ? 'unnamed parameterized queries' : 'named prepared statements'}`
      : 'node:http + sqlite3, one connection, WAL',
    connections,
    warmup,
    duration,
    rounds,
    slices: sliceCount,
    clients,
  };
  console.log(`stratum bench: ${JSON.stringify(facts)}`);

  const results: Measurement[] = [];
  let profileDir: string | undefined;
  const windows: Window[] = [];
  try {
    const t0 = Date.now();
    const seedData = await seed(db, clients);
    console.log(`seeded tenant ${seedData.tenantId} with ${clients} API clients in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const env: Record<ServerKind, NodeJS.ProcessEnv> = {
      // BENCH_STACK_ENV="LOG_LEVEL=warn DB_POOL_MAX=20": settings for the full stack only (experiments).
      full: stackEnv(db, Object.fromEntries((process.env.BENCH_STACK_ENV ?? '').split(' ').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))),
      raw: stackEnv(db, { BENCH_TENANT_ID: seedData.tenantId }),
    };
    if (profile) profileDir = mkdtempSync(join(tmpdir(), 'stratum-bench-prof-'));

    const bodies: Partial<Record<ServerKind, Record<Endpoint, unknown>>> = {};
    const perRound: Measurement[][] = [];
    for (let round = 1; round <= rounds && !interrupted; round++) {
      const thisRound: Measurement[] = [];
      // Both servers run for the whole round (the one not under load is idle), and the measured
      // time of each endpoint is cut into slices taken in turn, full, raw, raw, full, …: a drift
      // of the machine's speed (other tenants of the host) weighs on both alike.
      const servers: Running[] = [];
      try {
        for (const kind of kinds) {
          const server = await startChild(kind, env[kind], kind === 'full' || profile === 'all' ? profileDir : undefined);
          running.add(server);
          servers.push(server);
          bodies[kind] = await preflight(server, seedData);
        }
        for (const [endpoint, path] of (Object.entries(paths(seedData)) as [Endpoint, string][]).filter(([e]) => ENDPOINTS.includes(e))) {
          if (warmup > 0) for (const server of servers) await load(server.base + path, seedData.token, warmup, connections);
          const slices: Record<ServerKind, Slice[]> = { full: [], raw: [] };
          for (let i = 0; i < sliceCount; i++) {
            const order = i % 2 ? [...servers].reverse() : servers;
            for (const server of order) {
              const slice = await measureSlice(server, server.base + path, seedData.token, duration / sliceCount, connections);
              slices[server.kind].push(slice);
              windows.push({ pid: server.child.pid!, label: `${server.kind === 'full' ? 'full stack' : 'baseline'}, ${endpoint}`, start: slice.start, end: slice.end, requests: slice.requests });
            }
          }
          for (const server of servers) {
            const m = summarize(endpoint, server.kind, slices[server.kind]);
            thisRound.push(m);
            console.log(
              `round ${round} ${server.kind.padEnd(4)} ${endpoint.padEnd(9)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  statuses ${JSON.stringify(m.statusCodes)}  errors ${m.errors}  timeouts ${m.timeouts}  cpu: server ${m.serverCpu ?? '?'} % (${m.cpuPerRequest ?? '?'} µs/req), autocannon ${m.loadCpu} %, everything else ${m.otherCpu ?? '?'} %, stolen ${m.steal ?? '?'} %`,
            );
          }
        }
      } finally {
        for (const server of servers) {
          await server.stop();
          running.delete(server);
        }
      }
      perRound.push(thisRound);
    }
    if (bodies.full && bodies.raw && !isDeepStrictEqual(bodies.full, bodies.raw)) {
      throw new Error(`the two servers do not answer the same bodies:\n${JSON.stringify(bodies, null, 1).slice(0, 4000)}`);
    }
    for (const endpoint of ENDPOINTS) {
      for (const kind of kinds) {
        const all = perRound.flatMap((r) => r.filter((m) => m.endpoint === endpoint && m.server === kind));
        if (all.length) results.push(median(all, (m) => m.rps));
      }
    }
    const invalid = perRound.flat().filter((m) => m.non2xx || m.errors || m.timeouts || Object.keys(m.statusCodes).some((c) => c !== '200'));

    console.log(`\n${table(results, facts)}\n`);
    if (kinds.length === 2 && perRound.length > 1) console.log(`${roundRatios(perRound)}\n`);
    if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify({ facts, results, rounds: perRound, profileDir, windows }, null, 2));
    if (profileDir) printProfile(profileDir, windows);
    if (invalid.length) {
      console.error(`INVALID RUN: ${invalid.length} measurement(s) had answers other than 200, errors or timeouts:`);
      for (const m of invalid) console.error(`  ${m.server} ${m.endpoint}: statuses ${JSON.stringify(m.statusCodes)}, errors ${m.errors}, timeouts ${m.timeouts}`);
      process.exitCode = 1;
    }
  } finally {
    await cleanup();
  }
}

function table(results: Measurement[], facts: { database: string }): string {
  const lines = [
    `Database: ${facts.database}`,
    '',
    '| endpoint | server | requests/s | p50 ms | p99 ms | non-200 | server CPU | CPU µs/req | autocannon CPU | other CPU | stolen | full / baseline |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of results) {
    const raw = results.find((r) => r.endpoint === m.endpoint && r.server === 'raw');
    const ratio = m.server === 'full' && raw ? (m.rps / raw.rps).toFixed(2) : '';
    const bad = m.non2xx + m.errors + m.timeouts;
    lines.push(
      `| ${m.endpoint} | ${m.server === 'full' ? 'full stack' : 'baseline'} | ${m.rps.toFixed(0)} | ${m.p50} | ${m.p99} | ${bad} | ${m.serverCpu ?? '?'} % | ${m.cpuPerRequest ?? '?'} | ${m.loadCpu} % | ${m.otherCpu ?? '?'} % | ${m.steal ?? '?'} % | ${ratio} |`,
    );
  }
  lines.push(
    '',
    'CPU columns: % of one core during the measurement; the server child (all its threads), autocannon, and everything else on the machine (the database server, other work). "CPU µs/req": the server\'s CPU per request answered. "Stolen": CPU time the hypervisor gave to other machines; when it is not near 0, the run is noisy.',
  );
  return lines.join('\n');
}

/**
 * Each round's ratio, full stack against the baseline measured in the same round (minutes apart
 * at most), and their median: steadier than the ratio of the two median rounds when the
 * machine's speed drifts between rounds.
 */
function roundRatios(perRound: Measurement[][]): string {
  const lines: string[] = ['Per round, full stack / baseline of the same round:'];
  for (const endpoint of ENDPOINTS) {
    const ratios = perRound.flatMap((round) => {
      const full = round.find((m) => m.endpoint === endpoint && m.server === 'full');
      const raw = round.find((m) => m.endpoint === endpoint && m.server === 'raw');
      return full && raw ? [full.rps / raw.rps] : [];
    });
    if (ratios.length) lines.push(`- ${endpoint}: ${ratios.map((r) => r.toFixed(2)).join(' / ')} (median ${median(ratios, (r) => r).toFixed(2)})`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// CPU profile: self time grouped by package, by file and by function.
// ---------------------------------------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

/** A measurement's time span (µs of the monotonic clock, which V8's profiler also uses) in one child. */
interface Window {
  pid: number;
  label: string;
  start: number;
  end: number;
  requests: number;
}

const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

function group(url: string, fn: string): { pkg: string; file: string } {
  if (!url) return { pkg: fn.startsWith('(') ? fn : '(native / V8 builtins)', file: fn || '(anonymous)' };
  if (url.startsWith('node:')) return { pkg: 'node: (core)', file: url };
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    return { pkg, file: `${pkg}/${rest.slice(rest[0].startsWith('@') ? 2 : 1).join('/')}` };
  }
  const home = [ROOT, buildDir].find((d) => d && path.startsWith(`${d}/`));
  const rel = home ? path.slice(home.length + 1) : path;
  return { pkg: rel.startsWith('src/') ? 'stratum (src/)' : rel.split('/')[0], file: rel };
}

const sourceMaps = new Map<string, SourceMap | null>();

/** `function  file:line` of a frame; in a tsc build (BENCH_LOADER=compiled), mapped back to the .ts source line. */
function where(node: ProfileNode, file: string): string {
  const { functionName, url, lineNumber, columnNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const path = url.replace(/^file:\/\//, '');
  if (buildDir && path.startsWith(`${buildDir}/`) && path.endsWith('.js')) {
    if (!sourceMaps.has(path)) {
      try {
        sourceMaps.set(path, new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8'))));
      } catch {
        sourceMaps.set(path, null);
      }
    }
    const entry = sourceMaps.get(path)?.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
    if (entry?.originalSource !== undefined && entry.originalLine !== undefined) {
      const original = resolve(dirname(path), entry.originalSource.replace(/^file:\/\//, ''));
      const rel = original.startsWith(`${ROOT}/`) ? original.slice(ROOT.length + 1) : original;
      return `${name}  ${rel}:${entry.originalLine + 1}`;
    }
  }
  return `${name}  ${file}:${lineNumber + 1}`;
}

/**
 * Self time by package, file and function, plus time by package inclusive of callees, over the
 * measured windows only (boot and warm-up excluded), one report per server and endpoint.
 */
function printProfile(dir: string, windows: Window[]): void {
  type Acc = {
    busy: number;
    idle: number;
    requests: number;
    pkgs: Map<string, number>;
    files: Map<string, number>;
    fns: Map<string, number>;
    incl: Map<string, number>;
    ownIncl: Map<string, number>;
  };
  const reports = new Map<string, Acc>();
  const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
  for (const f of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (others: tsx's loader worker).
    const [, pid, thread] = /\.(\d+)\.(\d+)\.\d+\.cpuprofile$/.exec(f) ?? [];
    const mine = thread === '0' ? windows.filter((w) => w.pid === Number(pid)) : [];
    if (!mine.length) continue;
    const prof = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const groups = new Map(prof.nodes.map((n) => [n.id, group(n.callFrame.url, n.callFrame.functionName)]));
    for (const w of mine) {
      if (w.start < prof.startTime || w.end > prof.endTime + 1e6) console.error(`profile clock does not match the window of ${w.label}; its report may be wrong`);
      const acc = reports.get(w.label) ?? { busy: 0, idle: 0, requests: 0, pkgs: new Map(), files: new Map(), fns: new Map(), incl: new Map(), ownIncl: new Map() };
      reports.set(w.label, acc);
      acc.requests += w.requests;
      let t = prof.startTime;
      prof.samples.forEach((id, i) => {
        const us = prof.timeDeltas[i] ?? 0;
        t += us;
        if (t < w.start || t > w.end) return;
        const { functionName } = byId.get(id)!.callFrame;
        if (functionName === '(idle)') {
          acc.idle += us;
          return;
        }
        acc.busy += us;
        const g = groups.get(id)!;
        add(acc.pkgs, g.pkg, us);
        add(acc.files, g.file, us);
        add(acc.fns, where(byId.get(id)!, g.file), us);
        const seen = new Set<string>();
        for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
          const g2 = groups.get(n)!;
          if (g2.pkg === 'stratum (src/)' || g2.pkg === 'scripts') {
            const key = where(byId.get(n)!, g2.file);
            if (!seen.has(key)) {
              seen.add(key);
              add(acc.ownIncl, key, us);
            }
          }
          if (g2.pkg.startsWith('(') || seen.has(g2.pkg)) continue;
          seen.add(g2.pkg);
          add(acc.incl, g2.pkg, us);
        }
      });
    }
  }
  for (const [label, acc] of reports) {
    const top = (m: Map<string, number>, n: number) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([k, us]) => `  ${((100 * us) / acc.busy).toFixed(1).padStart(5)} %  ${(us / acc.requests).toFixed(1).padStart(6)} µs/req  ${k}`)
        .join('\n');
    console.log(
      `\nCPU profile, ${label} (measured window only): ${(acc.busy / 1e6).toFixed(1)} s busy, ${(acc.idle / 1e6).toFixed(1)} s idle, ${acc.requests} requests, ${(acc.busy / acc.requests).toFixed(0)} µs of main-thread CPU per request`,
    );
    console.log(`self time by package:\n${top(acc.pkgs, 20)}`);
    console.log(`time by package including what it calls (a stack counts once per package):\n${top(acc.incl, 15)}`);
    console.log(`self time by file:\n${top(acc.files, 25)}`);
    console.log(`project functions, time including what they call:\n${top(acc.ownIncl, 30)}`);
    console.log(`self time by function (.ts lines only with BENCH_LOADER=compiled; under tsx they are lines of tsx's output):\n${top(acc.fns, 40)}`);
  }
  console.log(`\nprofiles kept in ${dir} (open them in Chrome DevTools or speedscope)`);
}

const mode = process.argv[2];
const entry = mode === 'serve-full' ? serveFull : mode === 'serve-raw' ? serveRaw : main;
entry().catch((err) => {
  console.error(err);
  process.exit(1);
});
