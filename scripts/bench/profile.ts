/**
 * BENCH_PROFILE: where the servers' CPU went during the measured slices only (boot and warm-up
 * excluded): self time grouped by package, file and function, and time including callees.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { ROOT, compiledBuildDir } from './children';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

/** A measurement's time span (µs of the monotonic clock, which V8's profiler also uses) in one child. */
export interface Window {
  pid: number;
  label: string;
  start: number;
  end: number;
  requests: number;
}

export const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

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
  const home = [ROOT, compiledBuildDir()].find((d) => d && path.startsWith(`${d}/`));
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
  const buildDir = compiledBuildDir();
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

/** One report per server and scenario, over that scenario's measured windows only. */
export function printProfile(dir: string, windows: Window[]): void {
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
