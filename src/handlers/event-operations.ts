import { ROUTE_ERRORS, type RouteDoc } from "../openapi/route-doc";
import { listEventsQuery } from "./event-schemas";

/** The events feed's operations as the OpenAPI document describes them, by operationId. */
export const EVENT_OPERATIONS = {
  listEvents: {
    operationId: "listEvents",
    tag: "events",
    summary: "List order events",
    description:
      "Every change to an order as an event (`order.created`, `order.status_changed`), kept 30 days. Newest " +
      "first by default; with `order=asc`, oldest first, and `page.next_cursor` always holds the place after " +
      "the last event seen, so a consumer catches up after an outage and polls from there (events show in " +
      "that order 15 s after they happen). Customers see the events of their own orders; admins every event.",
    security: "bearer",
    limited: true,
    query: listEventsQuery,
    responses: { 200: { description: "a page of events", schema: "EventPage" } },
    errors: [...ROUTE_ERRORS.signedIn, "VALIDATION_ERROR"],
  },
} satisfies Record<string, RouteDoc>;
