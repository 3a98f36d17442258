import { ROUTE_ERRORS, type RouteDoc } from "../openapi/route-doc";

const WITH_BODY = [
  ...ROUTE_ERRORS.signedIn,
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "VALIDATION_ERROR",
] as const;

/** The events' operations as the OpenAPI document describes them, by operationId: the feed, and redelivery. */
export const EVENT_OPERATIONS = {
  listEvents: {
    operationId: "listEvents",
    tag: "events",
    summary: "List order events",
    description:
      "Every change to an order as an event (`order.created`, `order.status_changed`), kept 30 days. Newest " +
      "first by default; with `order=asc`, in commit order, and `page.next_cursor` always holds the place " +
      "after the last event seen: a consumer that pages forward from its cursor receives every committed " +
      "event exactly once, however late it commits. Customers see the events of their own orders; admins every event.",
    security: "bearer",
    limited: true,
    responses: { 200: { description: "a page of events", schema: "EventPage" } },
    errors: [...ROUTE_ERRORS.signedIn, "VALIDATION_ERROR"],
  },
  getEvent: {
    operationId: "getEvent",
    tag: "events",
    summary: "Get an order event",
    description:
      "One event, rendered as in the feed, with its order as it was at that version. A customer reads the " +
      "events of their own orders; another customer's event is 404 NOT_FOUND, never 403, so ids cannot be " +
      "probed. Admins read every event. Shown as soon as its change committed.",
    security: "bearer",
    limited: true,
    responses: { 200: { description: "the event", schema: "EventEnvelope" } },
    errors: [...ROUTE_ERRORS.signedIn, "NOT_FOUND", "VALIDATION_ERROR"],
  },
  redeliverEvent: {
    operationId: "redeliverEvent",
    tag: "webhook endpoints",
    summary: "Deliver an event again (admins)",
    description:
      "To `endpoint_id`, or (no body, `{}`) to every enabled endpoint that takes the event's type. Queued at " +
      "once, with a fresh retry schedule, its attempts numbered on from those made; the receiver gets the same " +
      "`webhook-id` as before. 409 for a disabled endpoint or one that does not take the event's type.",
    security: "bearer",
    limited: true,
    body: { name: "RedeliverEvent", required: false },
    responses: { 202: { description: "queued", schema: "RedeliveryEnvelope" } },
    errors: [...WITH_BODY, "FORBIDDEN", "NOT_FOUND", "CONFLICT"],
  },
} satisfies Record<string, RouteDoc>;
