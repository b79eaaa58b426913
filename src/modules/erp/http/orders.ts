import { etag } from '../../../platform/http/handler';

/** The answers every order operation gives: the order with its version as ETag (and, when made, its Location). */
export function orderResponses<S extends { id: string; version: number }, B>(path: string, toBody: (s: Readonly<S>) => B) {
  return {
    ok: (s: S) => ({ status: 200 as const, headers: { ETag: etag(s.version) }, body: toBody(s) }),
    created: (s: S) => ({ status: 201 as const, headers: { Location: `${path}/${s.id}`, ETag: etag(s.version) }, body: toBody(s) }),
  };
}
