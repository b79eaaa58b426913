import type { ListPage, ListRequest, List } from '../../../platform/db/list-query';
import type { IdempotencyClaim } from '../../../platform/db/unit-of-work';
import type { ExpectedVersion } from '../../../platform/errors';
import { etag, type HandlerMap, type IfMatch } from '../../../platform/http/handler';
import { expectedVersions, tenantOf } from '../../../platform/http/handler-kit';
import { readListQuery } from '../../../platform/http/list-params';
import type { CursorCodec } from '../../../platform/http/pagination';
import type { Principal } from '../../../platform/auth/principal';

/** What an order handler reads of its request. */
interface OrderRequest {
  principal: Principal | null;
  params: object;
  query: object;
  ifMatch: IfMatch | undefined;
  claim?: IdempotencyClaim;
}

/** The use cases every kind of order has. */
interface OrderUseCases<S, C, P> {
  create(tenantId: string, input: C, claim?: IdempotencyClaim): Promise<S>;
  update(tenantId: string, id: string, expected: ExpectedVersion, patch: P): Promise<S>;
  list(tenantId: string, request: ListRequest): Promise<ListPage<S>>;
  get(tenantId: string, id: string): Promise<S>;
  /** Orders have both; invoices and bills neither (http/documents.handlers.ts adds their actions). */
  confirm?(tenantId: string, id: string, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<S>;
  cancel?(tenantId: string, id: string, expected: ExpectedVersion, claim?: IdempotencyClaim): Promise<S>;
}

/**
 * The handlers sales and purchase orders, invoices and bills share (`handlers`: list, get,
 * create, update, and the orders' confirm and cancel, by operationId) and the answers all
 * their operations give: the order with its version as ETag (and, when made, its Location).
 * `idParam` names the order's path parameter (`sales_order_id`).
 */
export function orderHandlerKit<S extends { id: string; version: number }, B, CB, PB, C, P>(
  spec: {
    /** The operations' noun: `SalesOrder` (`listSalesOrders`, `getSalesOrder`, `createSalesOrder`, …). */
    name: string;
    path: string;
    idParam: string;
    list: List;
    toBody: (s: Readonly<S>) => B;
    orders: OrderUseCases<S, C, P>;
    /** The create and update bodies read as the use cases' input. */
    input: (body: CB) => C;
    patch: (body: PB) => P;
  },
  cursors: CursorCodec,
) {
  const { orders, toBody } = spec;
  const ok = (s: S) => ({ status: 200 as const, headers: { ETag: etag(s.version) }, body: toBody(s) });
  /** The tenant, the order's id and the versions If-Match accepts: what every action starts from. */
  const target = (r: OrderRequest): [string, string, ExpectedVersion] => [tenantOf(r), (r.params as Record<string, string>)[spec.idParam], expectedVersions(r.ifMatch)];
  const handlers = {
    async list(r: OrderRequest) {
      const tenantId = tenantOf(r);
      const list = readListQuery(spec.list, r.query, tenantId, cursors);
      return { status: 200 as const, body: list.body(await orders.list(tenantId, list.request), toBody) };
    },
    async create(r: OrderRequest & { body: CB }) {
      const s = await orders.create(tenantOf(r), spec.input(r.body), r.claim);
      return { status: 201 as const, headers: { Location: `${spec.path}/${s.id}`, ETag: etag(s.version) }, body: toBody(s) };
    },
    async update(r: OrderRequest & { body: PB }) {
      return ok(await orders.update(...target(r), spec.patch(r.body)));
    },
    async get(r: OrderRequest) {
      const [tenantId, id] = target(r);
      return ok(await orders.get(tenantId, id));
    },
    async confirm(r: OrderRequest) {
      return ok(await orders.confirm!(...target(r), r.claim));
    },
    async cancel(r: OrderRequest) {
      return ok(await orders.cancel!(...target(r), r.claim));
    },
  };
  const n = spec.name;
  return {
    ok,
    target,
    // The operationIds are the contract's (`listSalesOrders`, …): the app checks at boot that each has its handler.
    handlers: {
      [`list${n}s`]: handlers.list,
      [`get${n}`]: handlers.get,
      [`create${n}`]: handlers.create,
      [`update${n}`]: handlers.update,
      ...(orders.confirm && { [`confirm${n}`]: handlers.confirm }),
      ...(orders.cancel && { [`cancel${n}`]: handlers.cancel }),
    } as HandlerMap,
  };
}
