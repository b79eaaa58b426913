/**
 * The two server children, seen from the parent: how they are started (loader, node flags, CPU
 * pinning, profiling) and stopped. What runs inside them is child.ts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

/** The node flags `npm start` runs with (package.json): both servers get them unless BENCH_NODE_ARGS says otherwise. */
export const START_NODE_FLAGS = '--max-semi-space-size=64';

export type ServerKind = 'full' | 'raw';

export interface ChildReady {
  ready: true;
  port: number;
}

export interface Running {
  kind: ServerKind;
  child: ChildProcess;
  base: string;
  stop(): Promise<void>;
}

export const canPin = () => process.env.BENCH_PIN !== '0' && cpus().length >= 2 && hasTaskset();
function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let buildDir: string | undefined;

/** Where BENCH_LOADER=compiled built the project, once it has (the profile maps its lines back to .ts). */
export const compiledBuildDir = () => buildDir;

export function removeCompiledBuild(): void {
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
}

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
      files: [join(ROOT, 'scripts/bench/child.ts')],
      include: [join(ROOT, 'src'), join(ROOT, 'migrations')],
    }),
  );
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    // Type errors elsewhere in a working tree do not stop the emit; a missing output does.
    console.error(`tsc reported errors (emitted anyway):\n${String((err as { stdout?: Buffer }).stdout ?? err).slice(0, 2000)}`);
  }
  if (!existsSync(join(dir, 'scripts/bench/child.js')) || !existsSync(join(dir, 'src/compose.js'))) throw new Error(`tsc did not emit the build into ${dir}`);
  mkdirSync(join(dir, 'generated'), { recursive: true });
  copyFileSync(join(ROOT, 'generated/openapi.json'), join(dir, 'generated/openapi.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return (buildDir = dir);
}

export function loaderLabel(): string {
  const loader = process.env.BENCH_LOADER ?? 'import';
  return loader === 'require' ? 'node -r tsx/cjs' : loader === 'compiled' ? 'node (tsc-compiled JS, no tsx)' : 'node --import tsx';
}

export function startChild(kind: ServerKind, env: NodeJS.ProcessEnv, profileDir?: string): Promise<Running> {
  const loader = process.env.BENCH_LOADER ?? 'import';
  const entry = join(__dirname, 'child.ts');
  const entryArgs = loader === 'compiled' ? [join(compiledBuild(), 'scripts/bench/child.js')] : [...(loader === 'require' ? ['-r', 'tsx/cjs'] : ['--import', 'tsx']), entry];
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
