import { type Context, Hono, type MiddlewareHandler } from "hono";
import type * as z from "zod/mini";
import type { AppEnv } from "../app-env";
import { AppError, validationError } from "../domain/app-error";
import { customerOf, isAdmin } from "../domain/caller";
import type { Order, OrderStatus } from "../domain/order";
import { limitBody, requireJson } from "../middleware/body-rules";
import { traceparentOf } from "../observability/trace-context";
import { documentRoute } from "../openapi/route-doc";
import type { ListPosition } from "../services/keyset-page";
import { namedCustomer } from "../services/named-customer";
import type { RenderedOrder } from "../services/order-repository";
import {
  type CreateOrderInput,
  type CreateOutcome,
  CUSTOMER_ID_FORBIDDEN,
  type OrderService,
  type WriteOrigin,
} from "../services/order-service";
import type { CursorCodec } from "./cursor";
import { jsonText } from "./json-text";
import { type OrderJson, orderJson } from "./order-json";
import { ORDER_OPERATIONS } from "./order-operations";
import {
  cancelBody,
  createOrderBody,
  createOrderBodyOfSubjects,
  idempotencyKeyHeader,
  listOrdersQuery,
  listOrdersQueryOfSubjects,
  orderIdParam,
  setStatusBody,
} from "./order-schemas";
import { renderedPageAnswer } from "./page-answer";
import { etagOf, expectedVersion } from "./preconditions";
import { validate } from "./validation";

export interface OrderRoutesDeps {
  service: OrderService;
  cursors: CursorCodec;
  /** Verifies the token and sets the caller (401). */
  authenticate: MiddlewareHandler<AppEnv>;
  /** Per-caller rate limit (429), run right after authentication. */
  limitCaller: MiddlewareHandler<AppEnv>;
  /** 403 unless the caller is an admin. */
  requireAdmin: MiddlewareHandler<AppEnv>;
  bodyLimitBytes: number;
  /** `customer_id` names any token subject (an identity provider's tokens are accepted), not only a UUID. */
  opaqueSubjects?: boolean;
}

/**
 * The one rendering of a create's answer, for the first answer and every replay alike: both come
 * from the same typed snapshot of the order as created, so a replay is the first answer byte for byte.
 */
function createdAnswer(c: Context<AppEnv>, { order, replayed }: CreateOutcome) {
  return c.json({ data: orderJson(order) }, 201, {
    Location: `/v1/orders/${order.id}`,
    ETag: etagOf(order),
    ...(replayed ? { "Idempotent-Replayed": "true" } : {}),
  });
}

/**
 * `customer_id` is the admins' alone. Anyone else who sends it is 403 even when the rest of the
 * input is invalid, as the contract orders 403 before 400; valid input reaches the service, which
 * refuses it there.
 */
const adminOnlyCustomerId =
  (message: string) =>
  (c: Context<AppEnv>, input: unknown): void => {
    if (isAdmin(c.get("caller"))) return;
    if (typeof input === "object" && input !== null && Object.hasOwn(input, "customer_id")) {
      throw new AppError("FORBIDDEN", { message });
    }
  };

/** The create body and list query whose `customer_id` names a UUID, or any subject (same output type). */
const subjectSchemas = (opaque: boolean) => ({
  createBody: (opaque ? createOrderBodyOfSubjects : createOrderBody) as typeof createOrderBody,
  listQuery: (opaque ? listOrdersQueryOfSubjects : listOrdersQuery) as typeof listOrdersQuery,
});

/** The request a write comes from, recorded on the event it causes: its id, and its trace with our span as parent. */
function originOf(c: Context<AppEnv>): WriteOrigin {
  const trace = c.get("trace");
  return {
    requestId: c.get("requestId"),
    trace: {
      traceparent: traceparentOf(trace, trace.spanId),
      ...(trace.tracestate ? { tracestate: trace.tracestate } : {}),
    },
  };
}

/** An order with its version as the ETag. */
const orderAnswer = (c: Context<AppEnv>, order: Order) =>
  c.json({ data: orderJson(order) }, 200, { ETag: etagOf(order) });

/** The same answer for an order the database rendered. */
const renderedAnswer = (c: Context<AppEnv>, order: RenderedOrder) =>
  jsonText<{ data: OrderJson }, 200>(c, `{"data":${order.json}}`, 200, { ETag: etagOf(order) });

/** What the service takes from a valid create body. */
function createInput(body: z.output<typeof createOrderBody>): CreateOrderInput {
  return {
    currency: body.currency,
    items: body.items.map((i) => ({ sku: i.sku, quantity: i.quantity, unitPrice: i.unit_price })),
    customerId: body.customer_id,
  };
}

function idempotencyKeyOf(c: Context<AppEnv>): string | undefined {
  const key = c.req.header("Idempotency-Key");
  if (key !== undefined && !idempotencyKeyHeader.safeParse(key).success) {
    throw validationError([{ path: "header.Idempotency-Key", message: "must be 1–255 visible ASCII characters" }]);
  }
  return key;
}

/** An admin's status change of the order in the path, under If-Match when sent. */
function setStatus(c: Context<AppEnv>, service: OrderService, id: string, to: OrderStatus): Promise<Order> {
  const expected = expectedVersion(c.req.header("If-Match"));
  return service.setStatus(c.get("caller"), id.toLowerCase(), to, expected, originOf(c));
}

/** A page of orders, with a cursor bound to this caller and filter for the next one. */
async function listPage(
  c: Context<AppEnv>,
  service: OrderService,
  cursors: CursorCodec,
  query: z.output<typeof listOrdersQuery>,
) {
  const caller = c.get("caller");
  // The customer as the service names it, so a cursor holds however the filter was cased.
  const customerId = query.customer_id === undefined ? undefined : namedCustomer(caller, query.customer_id).id;
  const scope = { caller: customerOf(caller), status: query.status, customerId };
  const load = (page: { limit: number; after?: ListPosition }) =>
    service.list(caller, { ...page, status: query.status, includeItems: query.include === "items", customerId });
  return renderedPageAnswer<OrderJson>(c, cursors, scope, query, load);
}

/**
 * The orders API. Each route carries its own chain, in the contract's order:
 * 401 auth → 429 per caller → 403 role → 413 body size → 415 content type → 400 validation.
 * Authentication sits on the routes, not on a `/v1/*` prefix, so a wrong path or method is
 * answered as such even without a token.
 */
export function orderRoutes(deps: OrderRoutesDeps) {
  return new Hono<AppEnv>().route("/", collectionRoutes(deps)).route("/", changeRoutes(deps));
}

/** Create, list and read. */
function collectionRoutes({
  service,
  cursors,
  authenticate,
  limitCaller,
  bodyLimitBytes,
  opaqueSubjects = false,
}: OrderRoutesDeps) {
  const signedIn = [authenticate, limitCaller] as const;
  const { createBody, listQuery } = subjectSchemas(opaqueSubjects);
  return new Hono<AppEnv>()
    .post(
      "/v1/orders",
      ...signedIn,
      limitBody(bodyLimitBytes),
      requireJson(),
      validate("json", createBody, adminOnlyCustomerId(CUSTOMER_ID_FORBIDDEN.create)),
      documentRoute(ORDER_OPERATIONS.createOrder),
      async (c) => {
        const input = createInput(c.req.valid("json"));
        const outcome = await service.create(c.get("caller"), input, idempotencyKeyOf(c), originOf(c));
        return createdAnswer(c, outcome);
      },
    )
    .get(
      "/v1/orders",
      ...signedIn,
      validate("query", listQuery, adminOnlyCustomerId(CUSTOMER_ID_FORBIDDEN.list)),
      documentRoute(ORDER_OPERATIONS.listOrders),
      async (c) => listPage(c, service, cursors, c.req.valid("query")),
    )
    .get(
      "/v1/orders/:id",
      ...signedIn,
      validate("param", orderIdParam),
      documentRoute(ORDER_OPERATIONS.getOrder),
      async (c) => {
        return renderedAnswer(c, await service.get(c.get("caller"), c.req.valid("param").id.toLowerCase()));
      },
    );
}

/** Cancel (the owner or an admin) and an admin's status change, both under If-Match when sent. */
function changeRoutes({ service, authenticate, limitCaller, requireAdmin, bodyLimitBytes }: OrderRoutesDeps) {
  const signedIn = [authenticate, limitCaller] as const;
  return new Hono<AppEnv>()
    .post(
      "/v1/orders/:id/cancel",
      ...signedIn,
      limitBody(bodyLimitBytes),
      requireJson({ optional: true }),
      validate("param", orderIdParam),
      validate("json", cancelBody),
      documentRoute(ORDER_OPERATIONS.cancelOrder),
      async (c) => {
        const expected = expectedVersion(c.req.header("If-Match"));
        const id = c.req.valid("param").id.toLowerCase();
        return orderAnswer(c, await service.cancel(c.get("caller"), id, expected, originOf(c)));
      },
    )
    .patch(
      "/v1/orders/:id",
      ...signedIn,
      requireAdmin,
      limitBody(bodyLimitBytes),
      requireJson(),
      validate("param", orderIdParam),
      validate("json", setStatusBody),
      documentRoute(ORDER_OPERATIONS.setOrderStatus),
      async (c) => orderAnswer(c, await setStatus(c, service, c.req.valid("param").id, c.req.valid("json").status)),
    );
}
