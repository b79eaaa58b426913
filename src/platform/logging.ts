/**
 * Logging: pino JSON lines, one per request at info, plus whatever the kernel has to say.
 *
 * The request line is the only log line of a healthy request, so it is written by hand
 * (`requestLogger`) instead of through pino's generic serializer, and in production lines are
 * collected in memory and handed to the file descriptor in batches (`BatchedDestination`).
 * Measured on get by id, the two together took the request log from about 13 µs of CPU per
 * request to 5–7 (docs/benchmarks.md). The line is byte for byte what `logger.info(record,
 * 'request')` writes (test/unit/logging.test.ts holds them together).
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config/config';

/** Lines wait at most this long for a batch to fill (a quiet server's lines still show up). */
const BATCH_DELAY_MS = 200;
/** A batch is handed to the file descriptor once it holds this many bytes… */
const BATCH_BYTES = 16 * 1024;
/** …and has room for any line of up to a third of this (a UTF-16 unit is at most 3 bytes); longer ones go alone. */
const BATCH_CAPACITY = 64 * 1024;

/** Loggers made by `createLogger`: their format is known, so the request line may be hand-written. */
const knownFormat = new WeakSet<Logger>();

/** pino's isoTime, computed once per millisecond rather than once per line. */
let stampMs = -1;
let stamp = '';
function isoTime(): string {
  const now = Date.now();
  if (now !== stampMs) {
    stampMs = now;
    stamp = `,"time":"${new Date(now).toISOString()}"`;
  }
  return stamp;
}

/**
 * In front of pino's asynchronous destination: each line is encoded straight into a batch buffer
 * (no string rebuilt or measured per line), and the batch goes to sonic-boom once it holds
 * `BATCH_BYTES` or `BATCH_DELAY_MS` after its first line. On exit what is left is written
 * synchronously.
 */
export class BatchedDestination implements DestinationStream {
  private batch = Buffer.allocUnsafe(BATCH_CAPACITY);
  private used = 0;
  private timer: NodeJS.Timeout | undefined;
  // pino ends `out` on beforeExit once it has drained and writes it synchronously on exit; these
  // hand it what is still collected (a batch written before its end is still written).
  private readonly onBeforeExit = () => this.drain();
  private readonly onExit = () => this.flushSync();

  /** `out` must be in sonic-boom's buffer mode: it is only ever given Buffers. */
  constructor(private readonly out: ReturnType<typeof pino.destination>) {
    process.on('beforeExit', this.onBeforeExit);
    process.on('exit', this.onExit);
    out.once('close', () => {
      process.off('beforeExit', this.onBeforeExit);
      process.off('exit', this.onExit);
    });
  }

  write(line: string): void {
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    if (this.used + 3 * line.length > this.batch.length) {
      this.drain();
      if (3 * line.length > this.batch.length) {
        this.hand(Buffer.from(line));
        return;
      }
    }
    this.used += this.batch.write(line, this.used);
    if (this.used >= BATCH_BYTES) this.drain();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, BATCH_DELAY_MS);
      this.timer.unref();
    }
  }

  /** pino's `logger.flush(cb)`: everything collected is written, then `cb`. */
  flush(cb?: (err?: Error) => void): void {
    this.drain();
    this.out.flush(cb as never);
  }

  flushSync(): void {
    this.drain();
    try {
      this.out.flushSync();
    } catch {
      // Not open yet, or already closed: nothing more can be written.
    }
  }

  private drain(): void {
    if (!this.used) return;
    // sonic-boom keeps the buffer until it is written: the next batch gets a new one.
    const full = this.batch.subarray(0, this.used);
    this.batch = Buffer.allocUnsafe(BATCH_CAPACITY);
    this.used = 0;
    this.hand(full);
  }

  private hand(chunk: Buffer): void {
    // After an EPIPE pino makes `out` a no-op; once destroyed it throws, and a log line is not worth that.
    if (!(this.out as { destroyed?: boolean }).destroyed) this.out.write(chunk as never);
  }
}

/**
 * JSON logs at `logLevel`. Written asynchronously; in production in batches (see
 * `BatchedDestination`), which `flushLogs` empties at shutdown. `dest` is a file descriptor, a
 * path, or a stream of lines (the tests collect them).
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'env'>, dest: string | number | DestinationStream = 1): Logger {
  let destination: DestinationStream;
  if (typeof dest === 'object') destination = dest;
  else {
    // minLength 1 writes every line (or batch) at once, like 0, but with 0 sonic-boom's flush(cb)
    // calls back at once instead of after the write: flushLogs would not wait.
    const batched = config.env === 'production';
    const out = pino.destination({ dest, sync: false, minLength: 1, ...(batched ? { contentMode: 'buffer' as const } : {}) });
    destination = batched ? new BatchedDestination(out) : out;
  }
  const logger = pino({ level: config.logLevel, base: undefined, timestamp: isoTime }, destination);
  knownFormat.add(logger);
  return logger;
}

export function flushLogs(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    try {
      logger.flush(() => resolve());
    } catch {
      resolve(); // the destination is not open yet: nothing was written
    }
  });
}

/** What the request line says. */
export interface RequestRecord {
  method: string;
  path: string;
  /** The operationId, when the request matched one. */
  route: string | undefined;
  status: number;
  /** Milliseconds from the first byte handled to the response written, two decimals. */
  ms: number;
  tenant: string | undefined;
  requestId: string;
}

const INFO = 30;

/** Printable ASCII but `"` and `\`: a JSON string as it stands. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * A JSON string literal: the usual values (a method, a path, an operation id, a tenant id, a
 * request id) need no escaping, and one regular expression test is a third of the cost of
 * JSON.stringify's own setup for a short string; anything else is JSON.stringify's.
 */
function quoted(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
}

/**
 * The one line per request, at info. For a logger of `createLogger` it is built here, in pino's
 * format, and written to the logger's stream; any other logger gets `logger.info(record,
 * 'request')` (its format may differ).
 */
export function requestLogger(logger: Logger): (record: RequestRecord) => void {
  if (!knownFormat.has(logger)) return (record) => logger.info(record, 'request');
  const { streamSym, timeSym, chindingsSym } = pino.symbols;
  const target = logger as unknown as Record<symbol, unknown>;
  const stream = target[streamSym] as DestinationStream;
  const time = target[timeSym] as () => string;
  return (r) => {
    if (logger.levelVal > INFO) return;
    // Child bindings, as pino adds them (`,"key":value…`); none for createLogger's own logger.
    let line = `{"level":${INFO}${time()}${target[chindingsSym] as string},"method":${quoted(r.method)},"path":${quoted(r.path)}`;
    if (r.route !== undefined) line += `,"route":${quoted(r.route)}`;
    line += `,"status":${r.status},"ms":${r.ms}`;
    if (r.tenant !== undefined) line += `,"tenant":${quoted(r.tenant)}`;
    stream.write(`${line},"requestId":${quoted(r.requestId)},"msg":"request"}\n`);
  };
}
