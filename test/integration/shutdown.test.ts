import { spawn, type ChildProcess } from 'node:child_process';
import { type AddressInfo, connect, createServer } from 'node:net';
import { join } from 'node:path';
import { freshDatabase, type TestDatabase } from '../support/databases';

const root = join(__dirname, '../..');
let db: TestDatabase;
let child: ChildProcess;
let output = '';

/** A port nothing listens on now: the kernel's pick for a listener on port 0, closed again. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

async function waitFor(predicate: () => boolean, ms = 20000): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out; output so far:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await db.drop();
});

describe('the server process', () => {
  it('stops on a bad configuration value, naming the variable', async () => {
    const bad = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: { ...process.env, ...db.env, PORT: 'eighty' } });
    let err = '';
    bad.stderr!.on('data', (d) => (err += d));
    const code = await new Promise((r) => bad.on('exit', r));
    expect(code).toBe(1);
    expect(err).toContain('PORT must be a whole number');
  });

  it('names the port when it is in use, before printing any credentials', async () => {
    // The port in use: the blocker's own (port 0: whatever the kernel gives it).
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const { port } = blocker.address() as AddressInfo;
    const other = await freshDatabase();
    try {
      const run = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: { ...process.env, ...other.env, PORT: String(port) } });
      let out = '';
      run.stdout!.on('data', (d) => (out += d));
      run.stderr!.on('data', (d) => (out += d));
      const code = await new Promise((r) => run.on('exit', r));
      expect(code).toBe(1);
      expect(out).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use (set PORT to another port)`);
      expect(out).not.toContain('client_secret');
    } finally {
      blocker.close();
      await other.drop();
    }
  }, 120_000);

  it('bootstraps one demo tenant when two processes start at once on one empty database', async () => {
    const shared = await freshDatabase();
    const ports = [await freePort()];
    while (ports.length < 2) {
      const port = await freePort();
      if (port !== ports[0]) ports.push(port);
    }
    const runs = ports.map((port) => {
      const p = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: { ...process.env, ...shared.env, PORT: String(port), LOG_LEVEL: 'info' } });
      const run = { p, out: '' };
      p.stdout!.on('data', (d) => (run.out += d));
      p.stderr!.on('data', (d) => (run.out += d));
      return run;
    });
    try {
      await waitFor(() => runs.every((r) => r.out.includes('stratum listening') || r.p.exitCode !== null), 90_000);
      expect(runs.map((r) => r.p.exitCode)).toEqual([null, null]);
      expect(runs.filter((r) => r.out.includes('client_secret:'))).toHaveLength(1);
    } finally {
      for (const r of runs) r.p.kill('SIGTERM');
      await Promise.all(runs.map((r) => (r.p.exitCode !== null ? undefined : new Promise((res) => r.p.on('exit', res)))));
      await shared.drop();
    }
  }, 120_000);

  it('prints the demo credentials once, then finishes in-flight requests on SIGTERM and exits 0', async () => {
    const port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, ...db.env, PORT: String(port), LOG_LEVEL: 'info', NODE_ENV: 'development' },
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    // It listens once the demo tenant is seeded (CRM and WMS: seconds on PostgreSQL, more under load).
    await waitFor(() => output.includes('stratum listening'), 90_000);
    expect(output).toMatch(/client_id: +cli_[0-9A-Z]{26}/);
    expect(output).toMatch(/client_secret: +cs_/);

    // A request in flight: headers and half of the body sent, the rest after SIGTERM.
    const body = 'grant_type=client_credentials&client_id=cli_01JDQ7ZK3M2V8X4B6N9P0RSTWV&client_secret=nope';
    const socket = connect(port, '127.0.0.1');
    let response = '';
    socket.on('data', (d) => (response += d));
    await new Promise<void>((r) => socket.on('connect', () => r()));
    socket.write(`POST /v1/oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 20)}`);
    await new Promise((r) => setTimeout(r, 200));

    child.kill('SIGTERM');
    await waitFor(() => output.includes('shutting down'));
    // no new connections once shutting down
    await expect(fetch(`http://127.0.0.1:${port}/v1/health/live`)).rejects.toThrow();

    socket.write(body.slice(20));
    await waitFor(() => response.includes('invalid_client'));
    expect(response).toMatch(/^HTTP\/1.1 401/);
    const code = await new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', r)));
    expect(code).toBe(0);
    expect(output).toContain('stopped');
  }, 120_000);
});
