/**
 * One scenario measured on both servers: both are up for the whole round (the one not under load
 * is idle), and the measured time is cut into slices taken in turn, full, raw, raw, full, …: this
 * machine's speed drifts by a third within a minute (other tenants of the host), and slices in
 * turn make the drift weigh on both servers alike, where one server after the other did not.
 * Before each slice (and after the last), untimed, `between` runs: run.ts waits there for the full
 * stack's outbox backlog to drain (outbox.ts), so that no server's background work falls into a
 * slice of the other.
 */
import { readFileSync } from 'node:fs';
import type autocannon from 'autocannon';
import { cpus } from 'node:os';
import type { Running, ServerKind } from './children';
import { load } from './http-client';
import { nowMicros, type Window } from './profile';
import type { FreshRequest } from './scenario';

/** What both servers are loaded with (the scenario's request, the token in its headers). */
export interface Target {
  path: string;
  method?: string;
  headers: Record<string, string>;
  body?: string;
  /** The scenario's generator of fresh requests (Scenario.fresh), made anew for each server. */
  fresh?: () => () => FreshRequest;
}

export interface Timing {
  warmup: number;
  duration: number;
  sliceCount: number;
  connections: number;
}

export interface Measurement {
  /** The scenario's label (the field keeps its first name: BENCH_OUT files are compared across runs). */
  endpoint: string;
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

export const median = <T>(xs: T[], by: (x: T) => number): T => [...xs].sort((a, b) => by(a) - by(b))[Math.floor((xs.length - 1) / 2)];

/** Warms each server up, then measures the slices; one Measurement per server, in the order of `servers`. */
export async function interleave(
  servers: Running[],
  label: string,
  target: Target,
  timing: Timing,
  windows: Window[],
  between: () => Promise<void> = async () => undefined,
): Promise<Measurement[]> {
  // One generator per server, for all its slices: a fresh request for every request sent (autocannon rebuilds it then).
  const fresh = new Map(servers.map((s) => [s, target.fresh?.()]));
  const run = (server: Running, seconds: number) => {
    const next = fresh.get(server);
    return load({
      url: server.base + target.path,
      connections: timing.connections,
      duration: seconds,
      pipelining: 1,
      headers: target.headers,
      ...(target.method ? { method: target.method as never } : {}),
      ...(target.body === undefined ? {} : { body: target.body }),
      ...(next ? { requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, ...next() }) }] } : {}),
    });
  };
  if (timing.warmup > 0) for (const server of servers) await run(server, timing.warmup);
  const slices: Record<ServerKind, Slice[]> = { full: [], raw: [] };
  for (let i = 0; i < timing.sliceCount; i++) {
    const order = i % 2 ? [...servers].reverse() : servers;
    for (const server of order) {
      await between();
      const slice = await measureSlice(server, () => run(server, timing.duration / timing.sliceCount));
      slices[server.kind].push(slice);
      windows.push({ pid: server.child.pid!, label: `${server.kind === 'full' ? 'full stack' : 'baseline'}, ${label}`, start: slice.start, end: slice.end, requests: slice.requests });
    }
  }
  await between();
  return servers.map((server) => summarize(label, server.kind, slices[server.kind]));
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

async function measureSlice(server: Running, run: () => ReturnType<typeof load>): Promise<Slice> {
  const cpu0 = cpuSeconds(server.child.pid);
  const own0 = process.cpuUsage();
  const m0 = machineTicks();
  const start = nowMicros();
  const wall0 = process.hrtime.bigint();
  const r = await run();
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

/** A server's slices of one scenario as one measurement: totals over the slices, latencies their median. */
function summarize(endpoint: string, server: ServerKind, slices: Slice[]): Measurement {
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
