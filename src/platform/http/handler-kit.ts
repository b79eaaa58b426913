import Negotiator from 'negotiator';
import type { Principal } from '../auth/principal';
import type { ExpectedVersion } from '../errors';
import type { IfMatch } from './handler';
import { HttpProblem } from './problem';

/**
 * What every module's handlers would otherwise repeat, once: who calls, which version a change
 * is based on, and instants as the contract writes them. (List parameters: list-params.ts.)
 */

/** The caller of a secured operation: the pipeline refuses those without credentials, so there always is one. */
export function callerOf(request: { principal: Principal | null }): Principal {
  if (!request.principal) throw new Error('secured operation reached without a principal');
  return request.principal;
}

/** The caller's tenant: every repository a handler reaches is scoped to it. */
export function tenantOf(request: { principal: Principal | null }): string {
  return callerOf(request).tenantId;
}

/**
 * The versions `If-Match` names, for the service's optimistic check; undefined for `*` or where
 * the operation does not require it (the service then changes whatever version it finds).
 */
export function expectedVersions(ifMatch: IfMatch | undefined): ExpectedVersion {
  return !ifMatch || ifMatch.any ? undefined : ifMatch.versions;
}

/** An instant as the contract's `date-time`: RFC 3339 in UTC with milliseconds. */
export function iso(instant: Date): string {
  return instant.toISOString();
}

export function isoOrNull(instant: Date | null | undefined): string | null {
  return instant ? instant.toISOString() : null;
}

/** A calendar day as the contract's `date` (YYYY-MM-DD), in UTC. */
export function isoDate(day: Date): string {
  return day.toISOString().slice(0, 10);
}

/**
 * The media type of `offered` (the operation's, its default first) that the request's `Accept`
 * prefers (RFC 9110 §12.5.1: quality values, then the more specific range, then the order of
 * `Accept`); no `Accept`, `*\/*`, and an `Accept` without one media range in it get the first.
 * Media type parameters other than `q` (`application/json; charset=utf-8`) are not compared: the
 * offered types have none. An `Accept` that allows none of them is a 406.
 */
export function negotiatedType<T extends string>(headers: { accept?: string }, offered: readonly [T, ...T[]]): T {
  if (!headers.accept) return offered[0];
  const ranges = headers.accept
    .split(',')
    .map((entry) => {
      const [range, ...params] = entry.split(';').map((p) => p.trim());
      // A weight as RFC 9110 writes it (0 to 1, three decimals at most); anything else is no weight.
      const q = params.find((p) => /^q\s*=\s*(0(\.\d{0,3})?|1(\.0{0,3})?)$/i.test(p));
      return { range, text: q ? `${range};${q}` : range };
    })
    .filter((r) => /^[^\s/]+\/[^\s/]+$/.test(r.range));
  if (!ranges.length) return offered[0];
  const type = new Negotiator({ headers: { accept: ranges.map((r) => r.text).join(', ') } }).mediaType([...offered]) as T | undefined;
  if (!type) {
    throw new HttpProblem('not-acceptable', `This operation answers with ${offered.join(' or ')}; the Accept header allows neither (${headers.accept.slice(0, 200)}).`);
  }
  return type;
}
