/**
 * What one bench scenario declares: the data it needs, the request the full stack is loaded with,
 * and the hand-written baseline's answer to the same request. Scenarios are listed in
 * scenarios/index.ts. A scenario file imports nothing from src/ but types: the baseline child loads
 * it too, and must not carry the app's modules in its heap.
 */
import type { RawContext, RawDb, RawRoute } from './raw-server';

export type { RawContext, RawDb, RawRoute };

/** The seeded tenant, given to each scenario's setup (which runs in the parent, before the servers start). */
export interface BenchContext {
  tenantId: string;
  adminClientId: string;
  /** A bearer token of the tenant's admin client (every scope), valid for the whole run. */
  token: string;
  /** A call to the seeding stack as the tenant's admin: data is made through the app's own API. */
  api(method: string, path: string, body?: unknown): Promise<Response>;
  /**
   * The modules' own bench seed (`npm run seed -- --profile bench`) into this tenant; what it
   * added. Every module's seeder runs: call it once per run, through scenarios/bench-seed.ts.
   */
  seedModules(options: { profile: 'bench'; accounts: number; items: number }): Promise<Record<string, number>>;
  /**
   * One statement (`:name` placeholders) on the seeding stack's database, for bulk data the API
   * would take minutes to make (copies of a shape the scenario first made through the API, e.g.
   * erp-confirm-order's drafts). Never for what the API makes in reasonable time.
   */
  sql(statement: string, params: Record<string, unknown>): Promise<unknown[]>;
  /** Data several scenarios need is made once per run (e.g. scenarios/api-clients.ts). */
  once<T>(key: string, make: () => Promise<T>): Promise<T>;
  /** Adds to the "seeded tenant … with …" line, e.g. "200 API clients". */
  seeded(what: string): void;
}

/** The request both servers are loaded with; the bearer token is added to the headers. */
export interface BenchRequest {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The one status every answer must have (default 200); any other makes the run invalid. */
  status?: number;
}

/** What changes from one request to the next (a new SKU, another item): replaces the base request's. */
export interface FreshRequest {
  path?: string;
  body?: string;
}

/** The preflight's answer of one server, its body parsed as JSON. */
export interface Answer {
  headers: Headers;
  body: any;
}

export interface Scenario<Data = undefined> {
  /** The file name and the name `npm run bench -- <name>` selects it by. */
  name: string;
  /** Its name in the report; docs/benchmarks.md compares runs by it, so keep it once published. */
  label: string;
  /** Run only when named on the command line, not in a plain `npm run bench`. */
  onlyWhenNamed?: boolean;
  setup?(ctx: BenchContext): Promise<Data>;
  request(data: Data): BenchRequest;
  /**
   * For a scenario whose every request must differ (a create needs a new unique key each time;
   * a transfer a random item): makes a generator, whose every call gives the next request's path
   * and/or body over `request`'s. Called once per server and scenario for the load, and once per
   * server for its preflight; make it deterministic where it can be (a seeded random), so that
   * both servers' preflights send the same request. Without it, every request is `request`'s.
   */
  fresh?(data: Data): () => FreshRequest;
  /**
   * Checks one server's preflight answer (its status is checked already) and returns the body as
   * the two servers must agree on it (with what may differ, such as a signed cursor, blanked).
   * Throws with what is wrong.
   */
  check(answer: Answer): unknown;
  /** Called once in the baseline child, to prepare statements and build the handler. */
  raw(ctx: RawContext<Data>): RawRoute;
}
