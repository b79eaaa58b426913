import type { IncomingMessage } from 'node:http';
import { type FieldError, HttpProblem, pointerToken } from './problem';

export interface ParsedBody {
  raw: Buffer;
  /** The media type of the body, lower-case, without parameters. */
  mediaType: string | undefined;
  value: unknown;
  present: boolean;
}

/** What an operation sees when the request has no body. */
export const NO_BODY: ParsedBody = Object.freeze({ raw: Buffer.alloc(0), mediaType: undefined, value: undefined, present: false });

const JSON_TYPES = new Set(['application/json', 'application/merge-patch+json']);
/** Invalid UTF-8 is refused, not silently replaced by U+FFFD. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);
const LATIN1 = new Set(['iso-8859-1', 'latin1', 'iso_8859-1', 'windows-1252']);

/**
 * Reads and parses a request body for an operation: its content type must be one the contract
 * declares (415), it may not exceed the limit (413, checked on Content-Length before reading),
 * and it must parse (400). The raw bytes are kept: the Idempotency-Key check hashes them.
 */
export async function readBody(req: IncomingMessage, accepted: readonly string[], limit: number): Promise<ParsedBody> {
  const declaredLength = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && (declaredLength === undefined || declaredLength === '0')) {
    req.resume();
    return NO_BODY;
  }
  const contentType = req.headers['content-type'];
  const mediaType = contentType?.split(';')[0].trim().toLowerCase();
  if (!accepted.length) {
    // A chunked body may turn out empty: that is no body.
    if (chunked && declaredLength === undefined && (await collect(req, 0).then(() => true, () => false))) return NO_BODY;
    req.resume();
    throw new HttpProblem('unsupported-media-type', 'This operation takes no request body.');
  }
  if (!mediaType || !accepted.includes(mediaType)) {
    req.resume();
    throw new HttpProblem('unsupported-media-type', `This operation accepts ${accepted.join(' or ')}, not ${mediaType ?? 'a body without Content-Type'}.`);
  }
  // Every body is UTF-8 (JSON is, RFC 8259 §8.1): a declared other charset is not one we read.
  // ASCII is UTF-8; a Latin-1 label is fine for a body that is ASCII (form clients often send
  // one for ASCII credentials), which is checked once the bytes are in.
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1].toLowerCase();
  const asciiOnly = charset !== undefined && LATIN1.has(charset);
  if (charset && !UTF8_LABELS.has(charset) && !asciiOnly) {
    req.resume();
    throw new HttpProblem('unsupported-media-type', `Bodies are read as UTF-8; charset=${charset} is not accepted.`);
  }
  if (declaredLength !== undefined && Number(declaredLength) > limit) {
    req.resume();
    throw new HttpProblem('payload-too-large', `The body may be at most ${limit} bytes.`);
  }
  const raw = await collect(req, limit);
  if (asciiOnly && raw.some((b) => b > 0x7f)) {
    throw new HttpProblem('unsupported-media-type', `Bodies are read as UTF-8; charset=${charset} is accepted only for a body that is ASCII.`);
  }
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    throw new HttpProblem('malformed-request', 'The body is not valid UTF-8.');
  }
  if (JSON_TYPES.has(mediaType)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new HttpProblem('malformed-request', 'The body is not valid JSON.');
    }
    const shape = typeof value === 'object' && value !== null ? jsonShapeProblem(text) : undefined;
    if (shape) throw new HttpProblem('validation-error', shape.message, { errors: [shape.error] });
    return { raw, mediaType, value, present: true };
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    const form: Record<string, string> = Object.create(null);
    for (const [key, value] of new URLSearchParams(text)) {
      // RFC 6749 §3.2: a parameter without a value counts as not sent; none may be sent twice.
      if (value === '') continue;
      if (key in form) throw new HttpProblem('malformed-request', `The form parameter ${key} is sent more than once.`);
      form[key] = value;
    }
    return { raw, mediaType, value: form, present: true };
  }
  return { raw, mediaType, value: text, present: true };
}

interface Container {
  names: Set<string> | undefined; // an object's names so far; undefined for an array
  pointer: string;
  /** The member whose value comes next: its name (objects) or index (arrays). */
  member: string;
  index: number;
  expectName: boolean;
}

/** Objects and arrays nested deeper than this are refused: nothing in the contract nests so deep. */
export const MAX_JSON_DEPTH = 64;

/**
 * What is wrong with the shape of a JSON body that JSON.parse accepted, or undefined:
 * - a member whose name its object already has (names compared after unescaping, so `"a"` and
 *   `"\u0061"` are the same). JSON.parse keeps the last of the two; another parser (a proxy, a
 *   gateway, the client's own log) may keep the first. Refused, like a form parameter sent twice.
 * - objects and arrays nested deeper than MAX_JSON_DEPTH: the recursive walks after parsing
 *   (schema validation, the stored-string check) would run out of stack on a body of `[[[[…`.
 * `text` is valid JSON. Iterative, so a deeply nested body cannot overflow the stack here.
 */
export function jsonShapeProblem(text: string): { message: string; error: FieldError } | undefined {
  const stack: Container[] = [];
  const childPointer = () => {
    const top = stack[stack.length - 1];
    return top ? `${top.pointer}/${top.names ? pointerToken(top.member) : top.index}` : '';
  };
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const pointer = childPointer();
      if (stack.length === MAX_JSON_DEPTH) {
        return { message: `The body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep.`, error: { pointer, detail: `nests more than ${MAX_JSON_DEPTH} levels deep` } };
      }
      stack.push({ names: c === 0x7b ? new Set() : undefined, pointer, member: '', index: 0, expectName: c === 0x7b });
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      i++;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top.names) top.expectName = true;
      else top.index++;
      i++;
    } else if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.names && top.expectName) {
        const slice = text.slice(i, end + 1);
        const name = slice.includes('\\') ? (JSON.parse(slice) as string) : slice.slice(1, -1);
        top.member = name;
        if (top.names.has(name)) return { message: 'A name appears twice in one JSON object.', error: { pointer: childPointer(), detail: 'is sent more than once in its object' } };
        top.names.add(name);
        top.expectName = false;
      }
      i = end + 1;
    } else {
      i++; // whitespace, `:`, and the characters of numbers and literals
    }
  }
  return undefined;
}

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; ; ) {
    const quote = text.indexOf('"', i);
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return quote;
    i = quote + 1;
  }
}

const clientGone = () => new HttpProblem('malformed-request', 'The request body ended before its declared length: the client closed the connection.');

function collect(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Gone before we got here (while the credential was checked): no event will come any more.
    if (req.destroyed || req.readableAborted) {
      reject(clientGone());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.resume();
        reject(new HttpProblem('payload-too-large', `The body may be at most ${limit} bytes.`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    // The client went away mid-body: a client error (nobody is left to read the answer), not
    // an unexpected one, and never one of the database's.
    const early = () => {
      if (done) return;
      done = true;
      reject(clientGone());
    };
    req.on('error', early);
    req.on('close', early);
  });
}

const UNSTORABLE = 'must not contain U+0000 or an unpaired surrogate';

/**
 * Strings no database stores as sent: U+0000 (PostgreSQL's text types refuse it, and Sequelize
 * rewrites it) and unpaired UTF-16 surrogates (not Unicode; they come back as U+FFFD). Refused
 * as validation errors, named by pointer, before anything is stored or queried.
 */
export function unstorableStrings(value: unknown, pointer: string, found: FieldError[] = []): FieldError[] {
  if (typeof value === 'string') {
    if (value.includes('\0') || !(value as string & { isWellFormed(): boolean }).isWellFormed()) found.push({ pointer, detail: UNSTORABLE });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => unstorableStrings(v, `${pointer}/${i}`, found));
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) unstorableStrings((value as Record<string, unknown>)[key], `${pointer}/${pointerToken(key)}`, found);
  }
  return found;
}
