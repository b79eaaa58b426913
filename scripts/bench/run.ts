/**
 * `npm run bench [-- <scenario> …]`: the full Stratum stack against a hand-written `node:http` +
 * driver server that runs the same SQL on the same database, one scenario (an endpoint and its
 * data) after the other. See docs/benchmarks.md for how to read the result and the target.
 * `npm run bench -- --list` lists the scenarios (scenarios/index.ts); without names, all run but
 * those marked onlyWhenNamed.
 *
 * One run: a fresh database (a temp SQLite file, or a new database on the PostgreSQL server of
 * DATABASE_URL, dropped at the end) → one tenant and a bearer token, then each scenario's data
 * through the app's own API → start both servers, each in a child process pinned to CPU 0 (this
 * process, the load generator, is pinned to CPU 1) → for each scenario: warm up each server, then
 * measure with autocannon in slices taken in turn (interleave.ts). Every response must have the
 * scenario's status (200, or 201 for a create); a run with any other answer is reported invalid
 * and exits 1. A scenario sends one request over and over, or (Scenario.fresh) a new one each
 * time: a new SKU, another item.
 *
 * Write scenarios and the outbox: a write that raises a domain event (a transfer's
 * `wms.stock.moved`) inserts an outbox row in both servers, on the one database. The full stack's
 * in-process dispatcher delivers its rows in the background after the commit; the baseline writes
 * its rows with `next_attempt_at` a hundred years ahead, so that no dispatcher ever delivers them.
 * Before every slice and after the last one, untimed, this process counts the undelivered rows
 * due now (a direct query, outbox.ts) and waits until there are none, at most BENCH_DRAIN_CAP
 * seconds (a warning is printed if the backlog does not drain): the full stack's background work
 * never runs inside a slice of the baseline, nor one slice's backlog inside the next. How long
 * the waits took is printed per scenario and round ("outbox drained …"): the cost of the backlog
 * the measured requests left, which the requests/s do not include.
 *
 * Environment:
 *   DATABASE_URL      PostgreSQL server to use (a fresh database is created on it); default SQLite
 *   BENCH_DURATION    seconds measured per scenario and server (default 10)
 *   BENCH_SLICE       seconds of one slice of that time (default 2; the servers take turns)
 *   BENCH_WARMUP      seconds of warm-up before each measurement (default 3)
 *   BENCH_ENDPOINTS   comma-separated prefixes of scenario labels or names, e.g. `get` or `list`:
 *                     measure only those (default all selected)
 *   BENCH_STACK_ENV   space-separated NAME=value settings for the full stack only, e.g. LOG_LEVEL=warn
 *   BENCH_CONNECTIONS concurrent connections (default 32)
 *   BENCH_ROUNDS      rounds (servers restarted each round); the median round (by req/s) is
 *                     reported, and each round's own ratio (default 1)
 *   BENCH_CLIENTS     API clients seeded in the tenant, the admin included (default 200)
 *   BENCH_ACCOUNTS    CRM accounts of the modules' bench seed (default 100,000)
 *   BENCH_ITEMS       WMS items of the modules' bench seed (default 100,000; every tenth stocked,
 *                     10,000 at most): one `npm run seed -- --profile bench` for all scenarios
 *   BENCH_PIN         0 to not pin processes to CPUs with taskset (default: pin when possible)
 *   BENCH_LOADER      how the server children load TypeScript: `import` (node --import tsx,
 *                     default), `require` (node -r tsx/cjs) or `compiled` (tsc into a temp
 *                     directory, then plain node: what a compiled production build would run)
 *   BENCH_LOG_FILE    where the full stack's info-level request log goes (default /dev/null)
 *   BENCH_PROFILE     1: run the full-stack child under --cpu-prof and print where its CPU went
 *                     during the measurements (by package, file, function); all: both servers
 *   BENCH_ONLY        `full` or `raw`: run one server only (no ratios)
 *   BENCH_RAW_KOA     1: the baseline's handlers answer through a bare Koa app (one middleware), to tell
 *                     Koa's own cost per request from what the full stack adds on top of it
 *   BENCH_NODE_ARGS   node flags for both server children (default: `npm start`'s, --max-semi-space-size=64)
 *   BENCH_OUT         write the results as JSON to this file
 *   BENCH_DRAIN_CAP   seconds to wait at most, between slices, for the full stack's outbox backlog
 *                     (default 60; a warning is printed when it is reached)
 *   BENCH_BASELINE_PG `unnamed`: the PostgreSQL baseline sends unnamed parameterized queries
 *                     instead of named prepared statements (default: named, the faster way)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { canPin, loaderLabel, removeCompiledBuild, startChild, type Running, type ServerKind } from './children';
import { interleave, median, type Measurement, type Target } from './interleave';
import { watchOutbox, type Drain, type OutboxWatch } from './outbox';
import { printProfile, type Window } from './profile';
import { baselineLabel, type RawPlan } from './raw-server';
import { invalidMeasurements, printInvalid, roundLine, roundRatios, table } from './report';
import type { Scenario } from './scenario';
import { SCENARIOS } from './scenarios';
import { clientCount } from './scenarios/api-clients';
import { freshDatabase, seed, stackEnv, type Seeded } from './setup';

const USAGE = 'usage: npm run bench [-- <scenario> …]   (npm run bench -- --list: the scenarios)';

/** Named scenarios (in the registry's order), or all but the opt-in ones; then narrowed by BENCH_ENDPOINTS. */
function selectScenarios(names: string[]): Scenario<unknown>[] | string {
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) return `no bench scenario ${unknown.join(', ')}; there are: ${SCENARIOS.map((s) => s.name).join(', ')}\n${USAGE}`;
  const chosen = SCENARIOS.filter((s) => (names.length ? names.includes(s.name) : !s.onlyWhenNamed));
  const prefixes = process.env.BENCH_ENDPOINTS?.split(',').map((w) => w.trim());
  const selected = prefixes ? chosen.filter((s) => prefixes.some((p) => s.label.startsWith(p) || s.name.startsWith(p))) : chosen;
  return selected.length ? selected : `BENCH_ENDPOINTS=${process.env.BENCH_ENDPOINTS} leaves no scenario of: ${chosen.map((s) => s.name).join(', ')}`;
}

/** One request per scenario before the load: the expected status, the scenario's shape; the parent compares both servers' bodies. */
async function preflight(server: Running, scenarios: Scenario<unknown>[], targets: Target[], expected: number[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [i, scenario] of scenarios.entries()) {
    const { method, headers, fresh } = targets[i];
    const { path, body } = { ...targets[i], ...fresh?.()() };
    const res = await fetch(server.base + path, { method, headers, body });
    const text = await res.text();
    if (res.status !== expected[i]) throw new Error(`${server.kind} ${scenario.label}: ${res.status} ${text}`);
    try {
      out[scenario.label] = scenario.check({ headers: res.headers, body: JSON.parse(text) });
    } catch (err) {
      throw new Error(`${server.kind} ${scenario.label}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** The untimed waits of one scenario and round for the full stack's outbox (run.ts's header says why). */
function drainLine(d: { round: number; endpoint: string; waits: number; events: number; seconds: number; longest: number; undrained: number }): string {
  return `round ${d.round} outbox ${d.endpoint}: ${d.events} full-stack events were due at the ${d.waits} waits between slices; drained in ${d.seconds.toFixed(2)} s in all (longest wait ${d.longest.toFixed(2)} s)${d.undrained ? `, ${d.undrained} wait(s) hit the cap` : ''}`;
}

async function main(args: string[]): Promise<void> {
  if (args.includes('--list')) {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(24)} ${s.label}${s.onlyWhenNamed ? '  (only when named)' : ''}`);
    return;
  }
  const scenarios = selectScenarios(args);
  if (typeof scenarios === 'string') {
    console.error(scenarios);
    process.exitCode = 2;
    return;
  }
  const labels = scenarios.map((s) => s.label);
  const duration = Number(process.env.BENCH_DURATION || 10);
  const warmup = Number(process.env.BENCH_WARMUP ?? 3);
  const connections = Number(process.env.BENCH_CONNECTIONS || 32);
  const rounds = Number(process.env.BENCH_ROUNDS || 1);
  const drainCap = Number(process.env.BENCH_DRAIN_CAP || 60);
  const sliceCount = Math.max(1, Math.round(duration / Number(process.env.BENCH_SLICE || 2)));
  const only = process.env.BENCH_ONLY as ServerKind | undefined;
  const kinds: ServerKind[] = only ? [only] : ['full', 'raw'];
  const profile = process.env.BENCH_PROFILE === 'all' ? 'all' : process.env.BENCH_PROFILE === '1' ? 'full' : undefined;
  const pinned = canPin();
  // The load generator gets the other core (all of its threads).
  if (pinned) execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });

  const db = await freshDatabase();
  let interrupted = false;
  const running = new Set<Running>();
  let planDir: string | undefined;
  let outbox: OutboxWatch | undefined;
  const cleanup = async () => {
    await outbox?.close().catch(() => undefined);
    for (const r of running) await r.stop().catch(() => undefined);
    if (planDir) rmSync(planDir, { recursive: true, force: true });
    await db.drop().catch((err) => console.error('could not drop the bench database:', err));
    removeCompiledBuild();
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
    baseline: baselineLabel(process.env),
    connections,
    warmup,
    duration,
    rounds,
    slices: sliceCount,
    clients: clientCount(),
    scenarios: scenarios.map((s) => s.name),
  };
  console.log(`stratum bench: ${JSON.stringify(facts)}`);

  const results: Measurement[] = [];
  let profileDir: string | undefined;
  const windows: Window[] = [];
  try {
    const t0 = Date.now();
    const seeded: Seeded = await seed(db, scenarios);
    console.log(`seeded tenant ${seeded.tenantId} with ${seeded.notes.join(', ') || 'its admin client'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const requests = scenarios.map((s) => s.request(seeded.data[s.name]));
    const targets: Target[] = requests.map(({ path, method, headers, body }, i) => {
      const scenario = scenarios[i];
      const fresh = scenario.fresh && (() => scenario.fresh!(seeded.data[scenario.name]));
      return { path, method, body, headers: { authorization: `Bearer ${seeded.token}`, ...headers }, fresh };
    });
    const expected = requests.map((r) => r.status ?? 200);
    const expectedOf = (label: string) => expected[labels.indexOf(label)];
    const plan: RawPlan = { tenantId: seeded.tenantId, scenarios: scenarios.map((s) => s.name), data: seeded.data };
    planDir = mkdtempSync(join(tmpdir(), 'stratum-bench-plan-'));
    const planFile = join(planDir, 'raw-plan.json');
    writeFileSync(planFile, JSON.stringify(plan));
    const env: Record<ServerKind, NodeJS.ProcessEnv> = {
      // BENCH_STACK_ENV="LOG_LEVEL=warn DB_POOL_MAX=20": settings for the full stack only (experiments).
      full: stackEnv(db, Object.fromEntries((process.env.BENCH_STACK_ENV ?? '').split(' ').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))),
      // A file, not the variable itself: the setups' data (item ids, cursors) outgrows what an environment variable may hold.
      raw: stackEnv(db, { BENCH_RAW: planFile }),
    };
    if (profile) profileDir = mkdtempSync(join(tmpdir(), 'stratum-bench-prof-'));
    outbox = await watchOutbox(stackEnv(db));
    const drains: { round: number; endpoint: string; waits: number; events: number; seconds: number; longest: number; undrained: number }[] = [];

    const bodies: Partial<Record<ServerKind, Record<string, unknown>>> = {};
    const perRound: Measurement[][] = [];
    for (let round = 1; round <= rounds && !interrupted; round++) {
      const thisRound: Measurement[] = [];
      // Fresh server processes each round; both run for the whole round (interleave.ts says why).
      const servers: Running[] = [];
      try {
        for (const kind of kinds) {
          const server = await startChild(kind, env[kind], kind === 'full' || profile === 'all' ? profileDir : undefined);
          running.add(server);
          servers.push(server);
          bodies[kind] = await preflight(server, scenarios, targets, expected);
        }
        for (const [i, scenario] of scenarios.entries()) {
          const waits: Drain[] = [];
          const between = async () => {
            // Only the full stack writes events (and dispatches them): the baseline alone has none to wait for.
            if (!kinds.includes('full')) return;
            const d = await outbox!.drain(drainCap);
            waits.push(d);
            if (d.left) console.warn(`WARNING: ${scenario.label}: the full stack's outbox backlog did not drain in ${drainCap} s (${d.left} of ${d.backlog} events still due); the next slice runs with it`);
          };
          for (const m of await interleave(servers, scenario.label, targets[i], { warmup, duration, sliceCount, connections }, windows, between)) {
            thisRound.push(m);
            console.log(roundLine(round, m));
          }
          const drain = {
            round,
            endpoint: scenario.label,
            waits: waits.length,
            events: waits.reduce((a, d) => a + d.backlog, 0),
            seconds: waits.reduce((a, d) => a + d.seconds, 0),
            longest: Math.max(0, ...waits.map((d) => d.seconds)),
            undrained: waits.filter((d) => d.left).length,
          };
          drains.push(drain);
          if (drain.events) console.log(drainLine(drain));
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
    for (const label of labels) {
      for (const kind of kinds) {
        const all = perRound.flatMap((r) => r.filter((m) => m.endpoint === label && m.server === kind));
        if (all.length) results.push(median(all, (m) => m.rps));
      }
    }
    const invalid = invalidMeasurements(perRound, expectedOf);

    console.log(`\n${table(results, db.label)}\n`);
    if (kinds.length === 2 && perRound.length > 1) console.log(`${roundRatios(labels, perRound)}\n`);
    if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify({ facts, results, rounds: perRound, drains, profileDir, windows }, null, 2));
    if (profileDir) printProfile(profileDir, windows);
    if (invalid.length) {
      printInvalid(invalid, expectedOf);
      process.exitCode = 1;
    }
  } finally {
    await cleanup();
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exit(1);
});
