/**
 * What a flood of bad credentials does to everyone else: an authenticated read by id measured
 * alone, then again while other connections send token requests with wrong secrets for an unknown
 * client (each costs an scrypt, ~40 ms of a libuv thread, which the SQLite driver also needs).
 * Runs the server twice: with the default cap on secret checks, and with the cap lifted
 * (SECRET_CHECK_CONCURRENCY=1024, SECRET_CHECK_QUEUE=100000: every check runs at once, as before
 * the cap existed). Not a test; prints a table.
 *
 *   npm run bench:flood                       (SQLite in a temp folder)
 *   DATABASE_URL=postgres://… npm run bench:flood
 *
 * Settings: FLOOD_SECONDS (default 10) per phase, FLOOD_CONNECTIONS (default 32) flooding,
 * FLOOD_READERS (default 8) connections reading.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { ROOT, START_NODE_FLAGS } from './bench/children';
import { accessToken, load, requestToken } from './bench/http-client';
import { scratchDatabase } from './scratch-database';

const SECONDS = Number(process.env.FLOOD_SECONDS ?? 10);
const FLOODERS = Number(process.env.FLOOD_CONNECTIONS ?? 32);
const READERS = Number(process.env.FLOOD_READERS ?? 8);

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

interface Server {
  base: string;
  clientId: string;
  secret: string;
  stop(): Promise<void>;
}

/** `npm start`'s command on a fresh port; the first start prints the demo tenant's credentials. */
async function start(dbEnv: Record<string, string>, extra: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...START_NODE_FLAGS.split(' '), '--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    // No rate limit: the reads would be 429s after the first 6000 (and cheap ones).
    env: { ...process.env, ...dbEnv, ...extra, PORT: String(port), NODE_ENV: 'production', LOG_LEVEL: 'warn', RATE_LIMIT_REQUESTS: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const base = `http://127.0.0.1:${port}`;
  // Ready, and the credentials printed (right after it starts listening).
  for (let i = 0; !(/client_secret: cs_/.test(out) && (await fetch(`${base}/v1/health/ready`).then((r) => r.ok, () => false))); i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    if (i > 300) throw new Error(`server did not become ready with demo credentials: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const clientId = /client_id: +(cli_[0-9A-Z]{26})/.exec(out)![1];
  const secret = /client_secret: +(cs_[\w-]+)/.exec(out)![1];
  return {
    base,
    clientId,
    secret,
    stop: () =>
      new Promise((ok) => {
        child.once('exit', () => ok());
        child.kill('SIGTERM');
      }),
  };
}

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();

async function measure(label: string, extra: Record<string, string>) {
  const db = await scratchDatabase(process.env.DATABASE_URL, 'stratum-flood');
  const server = await start(db.env, extra);
  try {
    const token = await accessToken(server.base, server.clientId, server.secret);
    const read = { url: `${server.base}/v1/platform/api-clients/${server.clientId}`, connections: READERS, duration: SECONDS, headers: { authorization: `Bearer ${token}` } };
    await load({ ...read, duration: 2 }); // warm-up
    const alone = await load(read);
    const flood = load({
      url: `${server.base}/v1/oauth/token`,
      method: 'POST',
      connections: FLOODERS,
      duration: SECONDS + 1,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'client_credentials', client_id: 'cli_01M892BP80K3M5N7P9R1S3T5V7', client_secret: 'cs_wrong' }),
    });
    await new Promise((r) => setTimeout(r, 500));
    const flooded = await load(read);
    // a token request of a client whose secret the server has verified, during the flood
    const t0 = performance.now();
    const again = await requestToken(server.base, server.clientId, server.secret);
    const knownMs = performance.now() - t0;
    const floodResult = await flood;
    for (const [phase, result] of [['alone', alone], ['in the flood', flooded]] as const) {
      if (result.non2xx || result.errors) throw new Error(`reads ${phase}: ${result.non2xx} answers not 2xx, ${result.errors} errors (${JSON.stringify(result.statusCodeStats)})`);
    }
    if (again.status !== 200) throw new Error(`the verified client's token request answered ${again.status}`);
    return {
      label,
      alone,
      flooded,
      flood: floodResult,
      known: `${again.status} in ${knownMs.toFixed(0)} ms`,
    };
  } finally {
    await server.stop();
    await db.drop();
  }
}

async function main() {
  console.log(`credential flood: ${READERS} connections reading GET /v1/platform/api-clients/{id}, ${FLOODERS} sending bad token requests; ${SECONDS} s per phase; ${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}`);
  const rows = [await measure('capped (defaults)', {}), await measure('uncapped', { SECRET_CHECK_CONCURRENCY: '1024', SECRET_CHECK_QUEUE: '100000' })];
  console.log('\n| secret checks | read req/s alone | read req/s in flood | ratio | read p99 alone / in flood (ms) | flood answers/s (2xx-4xx / 503) | verified client\'s token in flood |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const ratio = r.flooded.requests.average / r.alone.requests.average;
    const shed = r.flood.statusCodeStats?.['503']?.count ?? 0;
    const perSecond = (n: number) => (n / (SECONDS + 1)).toFixed(0);
    console.log(
      `| ${r.label} | ${r.alone.requests.average.toFixed(0)} | ${r.flooded.requests.average.toFixed(0)} | ${ratio.toFixed(2)} | ${r.alone.latency.p99} / ${r.flooded.latency.p99} | ${perSecond(r.flood['2xx'] + r.flood['4xx'])} / ${perSecond(shed)} | ${r.known} |`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
