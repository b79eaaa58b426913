import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpProblem } from './problem';

/**
 * Opaque, tamper-evident cursors: the position (sort value and id of the last row) plus a
 * fingerprint of the list's filters and sort, signed with HMAC. A cursor that was modified, or
 * is used with other filters or another sort, is refused.
 */
export class CursorCodec {
  constructor(private readonly key: Buffer) {}

  encode(position: readonly (string | number)[], context: string): string {
    const payload = Buffer.from(JSON.stringify({ p: position, c: context })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  decode(cursor: string, context: string): (string | number)[] {
    const [payload, signature, extra] = cursor.split('.');
    if (!payload || !signature || extra !== undefined) throw invalid();
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
    let decoded: { p?: unknown; c?: unknown };
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    if (decoded.c !== context || !Array.isArray(decoded.p)) throw invalid();
    return decoded.p as (string | number)[];
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url').slice(0, 22);
  }
}

/** A module function, not a closure per call: tsx (npm start) wraps every named closure it makes in a `__name` call. */
function invalid(): HttpProblem {
  return new HttpProblem('invalid-cursor', 'The cursor is not valid for this list: it was modified, or made for other filters or another sort.', { errors: [{ pointer: '/query/cursor', detail: 'not a cursor this list issued' }] });
}

export const DEFAULT_LIMIT = 50;
