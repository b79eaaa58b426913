import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import pino from 'pino';
import { createLogger, flushLogs, type RequestRecord, requestLogger } from '../../src/platform/logging';

const records: RequestRecord[] = [
  { method: 'GET', path: '/v1/platform/api-clients/cli_01M8ST7APW2ZRVZPVNSBN2TM2K', route: 'getApiClient', status: 200, ms: 0.35, tenant: 'ten_01M8ST7APW2ZRVZPVNSBN2TM2K', requestId: 'b1a7c3f2-7d54-4f0e-9a2c-1f3e5d7c9b11' },
  { method: 'POST', path: '/v1/nowhere', route: undefined, status: 404, ms: 12, tenant: undefined, requestId: 'r-1' },
  // Everything a request target or a header can carry into the line: quotes, backslashes, control characters, Latin-1, a lone surrogate.
  { method: 'PATCH', path: '/v1/"a"\\b\t\x01é\u2028\ud800', route: 'updateApiClient', status: 400, ms: 1.5, tenant: 'ten_x', requestId: 'x'.repeat(128) },
  // Printable ASCII that needs no escaping, each edge of it; a quote and a backslash in otherwise plain text; DEL just past it.
  { method: 'GET', path: "/v1/ !#[]^_`{|}~'<>&%2F", route: 'listApiClients', status: 200, ms: 0, tenant: '', requestId: '\x7f' },
  { method: 'GET', path: '/v1/a"b', route: undefined, status: 404, ms: 0.01, tenant: 'ten_\\', requestId: 'r-2' },
];

/** One line from `requestLogger`, one from `logger.info(record, 'request')`, on the same logger. */
function bothLines(logger: pino.Logger, lines: string[], record: RequestRecord): [string, string] {
  lines.length = 0;
  requestLogger(logger)(record);
  logger.info(record, 'request');
  expect(lines).toHaveLength(2);
  // The time is the only part that may differ (two calls, perhaps in two milliseconds).
  return lines.map((l) => l.replace(/"time":"[^"]+"/, '"time":"T"')) as [string, string];
}

describe('the request line', () => {
  it('is byte for byte what pino writes for the same record, for a logger of createLogger', () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'info', env: 'production' }, { write: (l: string) => void lines.push(l) });
    for (const record of records) {
      const [fast, pinos] = bothLines(logger, lines, record);
      expect(fast).toBe(pinos);
      expect(JSON.parse(fast)).toEqual({ level: 30, time: 'T', msg: 'request', ...JSON.parse(JSON.stringify(record)) });
      expect(fast.endsWith('}\n')).toBe(true);
    }
  });

  it('carries the ISO time of the moment it is written', () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'info', env: 'production' }, { write: (l: string) => void lines.push(l) });
    const before = Date.now();
    requestLogger(logger)(records[0]);
    const time = Date.parse(JSON.parse(lines[0]).time);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  });

  it('is not written when the level is above info, and follows a level changed at run time', () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'warn', env: 'production' }, { write: (l: string) => void lines.push(l) });
    const log = requestLogger(logger);
    log(records[0]);
    expect(lines).toEqual([]);
    logger.level = 'debug';
    log(records[0]);
    expect(lines).toHaveLength(1);
  });

  it('goes through logger.info for any other logger (its format may differ), bindings included', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }).child({ worker: 3 });
    requestLogger(logger)(records[1]);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 30, worker: 3, msg: 'request', method: 'POST', status: 404, requestId: 'r-1' });
    expect(typeof JSON.parse(lines[0]).pid).toBe('number');
  });
});

describe('the production log destination', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stratum-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a quiet server’s lines within a fraction of a second, without waiting for a full batch', async () => {
    const file = join(dir, 'out.log');
    const logger = createLogger({ logLevel: 'info', env: 'production' }, file);
    requestLogger(logger)(records[0]);
    logger.warn({ requestId: 'r-2' }, 'something');
    await new Promise((r) => setTimeout(r, 600));
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ msg: 'request', requestId: records[0].requestId }), expect.objectContaining({ level: 40, msg: 'something' })]);
    await flushLogs(logger);
  });

  it('keeps the order of many lines and loses none, through flushLogs', async () => {
    const file = join(dir, 'out.log');
    const logger = createLogger({ logLevel: 'info', env: 'production' }, file);
    const log = requestLogger(logger);
    // Non-ASCII paths (more bytes than characters) and lines longer than a batch among them.
    const path = (i: number) => (i % 7 === 0 ? `/v1/é€😀/${i}` : i % 997 === 0 ? `/v1/${'x'.repeat(30_000)}` : records[1].path);
    for (let i = 0; i < 5000; i++) {
      if (i % 1000 === 0) logger.error({ i }, 'marker');
      log({ ...records[1], path: path(i), requestId: `r-${i}` });
    }
    await flushLogs(logger);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5005);
    expect(lines.filter((l) => l.msg === 'request').map((l) => l.path)).toEqual(Array.from({ length: 5000 }, (_, i) => path(i)));
    const ids = lines.filter((l) => l.msg === 'request').map((l) => l.requestId);
    expect(ids).toEqual(Array.from({ length: 5000 }, (_, i) => `r-${i}`));
    expect(lines.findIndex((l) => l.msg === 'marker' && l.i === 3000)).toBe(3003);
  });

  it('writes what is still collected when the process exits', () => {
    const file = join(dir, 'out.log');
    // A process that logs and exits at once, with no flush: the lines are still in the batch.
    const script = `
      const { createLogger, requestLogger } = require(${JSON.stringify(require.resolve('../../src/platform/logging'))});
      const logger = createLogger({ logLevel: 'info', env: 'production' }, ${JSON.stringify(file)});
      logger.once?.('ready', () => {});
      setTimeout(() => {
        for (let i = 0; i < 3; i++) requestLogger(logger)({ method: 'GET', path: '/v1/x', route: undefined, status: 200, ms: 1, tenant: undefined, requestId: 'e-' + i });
        process.exit(0);
      }, 100);`;
    const run = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).requestId)).toEqual(['e-0', 'e-1', 'e-2']);
  });
});
