import { ROUTE_ERRORS, type RouteDoc } from "../openapi/route-doc";

const WITH_BODY = [
  ...ROUTE_ERRORS.signedIn,
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "VALIDATION_ERROR",
] as const;

/** The orders API's operations as the OpenAPI document describes them, by operationId. */
export const ORDER_OPERATIONS = {
  createOrder: {
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
    body: { name: "CreateOrder", required: true },
    responses: {
      201: {
        description: "created, or the replay of an earlier create with the same Idempotency-Key",
        schema: "OrderEnvelope",
        headers: ["Location", "ETag"],
        optionalHeaders: ["Idempotent-Replayed"],
      },
    },
    errors: [...WITH_BODY, "FORBIDDEN", "CONFLICT", "IDEMPOTENCY_KEY_REUSED", "OUTCOME_UNKNOWN"],
  },
  listOrders: {
    operationId: "listOrders",
    tag: "orders",
    summary: "List orders, newest first",
    description:
      "Keyset pagination on (created_at, id): follow `page.next_cursor` until it is null and every order " +
      "comes exactly once, even while new ones are created. Customers see their own orders; admins see " +
      "everyone's, or one customer's with `customer_id`. Items only with `include=items`.",
    security: "bearer",
    limited: true,
    responses: { 200: { description: "a page of orders", schema: "OrderPage" } },
    errors: [...ROUTE_ERRORS.signedIn, "FORBIDDEN", "VALIDATION_ERROR"],
  },
  getOrder: {
    operationId: "getOrder",
    tag: "orders",
    summary: "Get an order with its items",
    description:
      "The order and its items, with its version as a strong ETag for `If-Match`. Another customer's order " +
      "is 404 NOT_FOUND, never 403, so ids cannot be probed.",
    security: "bearer",
    limited: true,
    responses: { 200: { description: "the order", schema: "OrderEnvelope", headers: ["ETag"] } },
    errors: [...ROUTE_ERRORS.signedIn, "VALIDATION_ERROR", "NOT_FOUND"],
  },
  cancelOrder: {
    operationId: "cancelOrder",
    tag: "orders",
    summary: "Cancel a pending or paid order",
    description:
      "Owners and admins. A shipped or already cancelled order is 409, with the order's `current_status` in " +
      "`details`. With `If-Match`, only if the order is still at that version (412 otherwise). Takes no " +
      "body, or an empty JSON object.",
    security: "bearer",
    limited: true,
    headers: ["IfMatch"],
    body: { name: "CancelOrder", required: false },
    responses: { 200: { description: "the cancelled order", schema: "OrderEnvelope", headers: ["ETag"] } },
    errors: [...WITH_BODY, "NOT_FOUND", "CONFLICT", "PRECONDITION_FAILED", "OUTCOME_UNKNOWN"],
  },
  setOrderStatus: {
    operationId: "setOrderStatus",
    tag: "orders",
    summary: "Move an order to paid or shipped (admins)",
    description:
      "Along the status machine only (pending → paid → shipped); anything else is 409. With `If-Match`, " +
      "only if the order is still at that version (412 otherwise, and for a tag no order can have).",
    security: "bearer",
    limited: true,
    headers: ["IfMatch"],
    body: { name: "SetStatus", required: true },
    responses: { 200: { description: "the changed order", schema: "OrderEnvelope", headers: ["ETag"] } },
    errors: [...WITH_BODY, "FORBIDDEN", "NOT_FOUND", "CONFLICT", "PRECONDITION_FAILED", "OUTCOME_UNKNOWN"],
  },
} satisfies Record<string, RouteDoc>;
