import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { AppError } from "../domain/app-error";
import { isAdmin } from "../domain/caller";
import { limitBody, requireJson } from "../middleware/body-rules";
import type { CreateOutcome, OrderService } from "../services/order-service";
import type { CursorCodec } from "./cursor";
import { etagOf, orderJson, versionFromIfMatch } from "./order-json";
import {
  cancelBody,
  createOrderBody,
  idempotencyKeyHeader,
  listOrdersQuery,
  orderIdParam,
  setStatusBody,
} from "./order-schemas";
import { describeRoute, ROUTE_ERRORS } from "./route-doc";
import { validate, validationError } from "./validation";

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
}

const DEFAULT_PAGE = 20;
const WITH_BODY = [
  ...ROUTE_ERRORS.signedIn,
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "VALIDATION_ERROR",
] as const;

/**
 * The one rendering of a create's answer, for the first answer and every replay alike: both come
 * from the same typed snapshot of the order as created, so a replay is the first answer byte for byte.
 */
function createdAnswer(c: Context<AppEnv>, { order, replayed }: CreateOutcome): Response {
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

/** The version `If-Match` asks for (undefined: any); one that can never match is 412 at once. */
function expectedVersion(ifMatch: string | undefined): number | undefined {
  const version = ifMatch === undefined ? undefined : versionFromIfMatch(ifMatch);
  if (version === null) throw new AppError("PRECONDITION_FAILED");
  return version;
}

/**
 * The orders API. Each route carries its own chain, in the contract's order:
 * 401 auth → 429 per caller → 403 role → 413 body size → 415 content type → 400 validation.
 * Authentication sits on the routes, not on a `/v1/*` prefix, so a wrong path or method is
 * answered as such even without a token.
 */
export function orderRoutes({
  service,
  cursors,
  authenticate,
  limitCaller,
  requireAdmin,
  bodyLimitBytes,
}: OrderRoutesDeps): Hono<AppEnv> {
  const signedIn = [authenticate, limitCaller] as const;
  const jsonBody = [limitBody(bodyLimitBytes), requireJson()] as const;

  return new Hono<AppEnv>()
    .post(
      "/v1/orders",
      ...signedIn,
      ...jsonBody,
      validate("json", createOrderBody, adminOnlyCustomerId("only admins may create orders for another customer")),
      describeRoute({
        operationId: "createOrder",
        tag: "orders",
        summary: "Create an order",
        description:
          "Prices the order on the server (integer minor units) and assigns it to the caller; an admin may " +
          "create for a customer with `customer_id`. With an `Idempotency-Key`, a repeat of the same request " +
          "within 24 h replays the first answer byte for byte (`Idempotent-Replayed: true`) and creates " +
          "nothing; the same key with another body is 422. One database round trip either way.",
        security: "bearer",
        limited: true,
        headers: ["IdempotencyKey"],
        body: { name: "CreateOrder", schema: createOrderBody, required: true },
        responses: {
          201: {
            description: "created, or the replay of an earlier create with the same Idempotency-Key",
            schema: "OrderEnvelope",
            headers: ["Location", "ETag"],
            optionalHeaders: ["Idempotent-Replayed"],
          },
        },
        errors: [...WITH_BODY, "FORBIDDEN", "CONFLICT", "IDEMPOTENCY_KEY_REUSED", "OUTCOME_UNKNOWN"],
      }),
      async (c) => {
        const body = c.req.valid("json");
        const rawKey = c.req.header("Idempotency-Key");
        if (rawKey !== undefined && !idempotencyKeyHeader.safeParse(rawKey).success) {
          throw validationError([
            { path: "header.Idempotency-Key", message: "must be 1–255 visible ASCII characters" },
          ]);
        }
        const outcome = await service.create(
          c.get("caller"),
          {
            currency: body.currency,
            items: body.items.map((i) => ({ sku: i.sku, quantity: i.quantity, unitPrice: i.unit_price })),
            customerId: body.customer_id?.toLowerCase(),
          },
          rawKey,
        );
        return createdAnswer(c, outcome);
      },
    )
    .get(
      "/v1/orders",
      ...signedIn,
      validate("query", listOrdersQuery, adminOnlyCustomerId("only admins may list another customer's orders")),
      describeRoute({
        operationId: "listOrders",
        tag: "orders",
        summary: "List orders, newest first",
        description:
          "Keyset pagination on (created_at, id): follow `page.next_cursor` until it is null and every order " +
          "comes exactly once, even while new ones are created. Customers see their own orders; admins see " +
          "everyone's, or one customer's with `customer_id`. Items only with `include=items`.",
        security: "bearer",
        limited: true,
        query: listOrdersQuery,
        responses: { 200: { description: "a page of orders", schema: "OrderPage" } },
        errors: [...ROUTE_ERRORS.signedIn, "FORBIDDEN", "VALIDATION_ERROR"],
      }),
      async (c) => {
        const query = c.req.valid("query");
        const limit = query.limit ?? DEFAULT_PAGE;
        const caller = c.get("caller");
        const customerId = query.customer_id?.toLowerCase();
        const scope = { callerId: caller.id, status: query.status, customerId };
        const page = await service.list(caller, {
          limit,
          after: query.cursor ? await cursors.decode(query.cursor, scope) : undefined,
          status: query.status,
          includeItems: query.include === "items",
          customerId,
        });
        return c.json({
          data: page.orders.map(orderJson),
          page: { limit, next_cursor: page.next ? await cursors.encode(page.next, scope) : null },
        });
      },
    )
    .get(
      "/v1/orders/:id",
      ...signedIn,
      validate("param", orderIdParam),
      describeRoute({
        operationId: "getOrder",
        tag: "orders",
        summary: "Get an order with its items",
        description:
          "The order and its items, with its version as a strong ETag for `If-Match`. Another customer's order " +
          "is 404 NOT_FOUND, never 403, so ids cannot be probed.",
        security: "bearer",
        limited: true,
        path: orderIdParam,
        responses: { 200: { description: "the order", schema: "OrderEnvelope", headers: ["ETag"] } },
        errors: [...ROUTE_ERRORS.signedIn, "VALIDATION_ERROR", "NOT_FOUND"],
      }),
      async (c) => {
        const order = await service.get(c.get("caller"), c.req.valid("param").id.toLowerCase());
        return c.json({ data: orderJson(order) }, 200, { ETag: etagOf(order) });
      },
    )
    .post(
      "/v1/orders/:id/cancel",
      ...signedIn,
      limitBody(bodyLimitBytes),
      requireJson({ optional: true }),
      validate("param", orderIdParam),
      validate("json", cancelBody),
      describeRoute({
        operationId: "cancelOrder",
        tag: "orders",
        summary: "Cancel a pending or paid order",
        description:
          "Owners and admins. A shipped or already cancelled order is 409, with the order's `current_status` in " +
          "`details`. With `If-Match`, only if the order is still at that version (412 otherwise). Takes no " +
          "body, or an empty JSON object.",
        security: "bearer",
        limited: true,
        path: orderIdParam,
        headers: ["IfMatch"],
        body: { name: "CancelOrder", schema: cancelBody, required: false },
        responses: { 200: { description: "the cancelled order", schema: "OrderEnvelope", headers: ["ETag"] } },
        errors: [...WITH_BODY, "NOT_FOUND", "CONFLICT", "PRECONDITION_FAILED", "OUTCOME_UNKNOWN"],
      }),
      async (c) => {
        const expected = expectedVersion(c.req.header("If-Match"));
        const order = await service.cancel(c.get("caller"), c.req.valid("param").id.toLowerCase(), expected);
        return c.json({ data: orderJson(order) }, 200, { ETag: etagOf(order) });
      },
    )
    .patch(
      "/v1/orders/:id",
      ...signedIn,
      requireAdmin,
      ...jsonBody,
      validate("param", orderIdParam),
      validate("json", setStatusBody),
      describeRoute({
        operationId: "setOrderStatus",
        tag: "orders",
        summary: "Move an order to paid or shipped (admins)",
        description:
          "Along the status machine only (pending → paid → shipped); anything else is 409. With `If-Match`, " +
          "only if the order is still at that version (412 otherwise, and for a tag no order can have).",
        security: "bearer",
        limited: true,
        path: orderIdParam,
        headers: ["IfMatch"],
        body: { name: "SetStatus", schema: setStatusBody, required: true },
        responses: { 200: { description: "the changed order", schema: "OrderEnvelope", headers: ["ETag"] } },
        errors: [...WITH_BODY, "FORBIDDEN", "NOT_FOUND", "CONFLICT", "PRECONDITION_FAILED", "OUTCOME_UNKNOWN"],
      }),
      async (c) => {
        const expected = expectedVersion(c.req.header("If-Match"));
        const order = await service.setStatus(
          c.get("caller"),
          c.req.valid("param").id.toLowerCase(),
          c.req.valid("json").status,
          expected,
        );
        return c.json({ data: orderJson(order) }, 200, { ETag: etagOf(order) });
      },
    );
}
