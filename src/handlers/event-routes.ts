import { Hono, type MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { customerOf } from "../domain/caller";
import { limitBody, requireJson } from "../middleware/body-rules";
import { documentRoute } from "../openapi/route-doc";
import type { EventRedelivery } from "../services/event-redelivery";
import type { EventService } from "../services/event-service";
import type { ListPosition } from "../services/keyset-page";
import type { CursorCodec, CursorScope } from "./cursor";
import { eventJson } from "./event-json";
import { EVENT_OPERATIONS } from "./event-operations";
import { eventIdParam, listEventsQuery, redeliverBody } from "./event-schemas";
import { pageAnswer } from "./page-answer";
import { validate } from "./validation";

export interface EventRoutesDeps {
  service: EventService;
  cursors: CursorCodec;
  /** Verifies the token and sets the caller (401). */
  authenticate: MiddlewareHandler<AppEnv>;
  /** Per-caller rate limit (429), run right after authentication. */
  limitCaller: MiddlewareHandler<AppEnv>;
  /** 403 unless the caller is an admin. */
  requireAdmin: MiddlewareHandler<AppEnv>;
  redeliver: EventRedelivery;
  bodyLimitBytes: number;
}

/**
 * The events feed, one event, and an admin's redelivery of an event. The chain as for orders: 401 auth → 429 per
 * caller → 403 role → 413 body size → 415 content type → 400 validation.
 */
export function eventRoutes(deps: EventRoutesDeps) {
  const { service, cursors, authenticate, limitCaller } = deps;
  return new Hono<AppEnv>()
    .get(
      "/v1/events",
      authenticate,
      limitCaller,
      validate("query", listEventsQuery),
      documentRoute(EVENT_OPERATIONS.listEvents),
      async (c) => {
        const query = c.req.valid("query");
        const direction = query.order ?? "desc";
        const orderId = query.order_id?.toLowerCase();
        const caller = c.get("caller");
        // A cursor is valid only for the listing (caller, filters, direction) that issued it.
        const scope: CursorScope = {
          caller: customerOf(caller),
          listing: JSON.stringify(["events", direction, query.type ?? null, orderId ?? null]),
        };
        const load = (page: { limit: number; after?: ListPosition }) =>
          service.list(caller, { ...page, direction, type: query.type, orderId });
        return pageAnswer(c, cursors, scope, query, load, eventJson);
      },
    )
    .get(
      "/v1/events/:id",
      authenticate,
      limitCaller,
      validate("param", eventIdParam),
      documentRoute(EVENT_OPERATIONS.getEvent),
      async (c) => {
        const event = await service.get(c.get("caller"), c.req.valid("param").id.toLowerCase());
        return c.json({ data: eventJson(event) });
      },
    )
    .post(
      "/v1/events/:id/redeliver",
      authenticate,
      limitCaller,
      deps.requireAdmin,
      limitBody(deps.bodyLimitBytes),
      requireJson({ optional: true }),
      validate("param", eventIdParam),
      validate("json", redeliverBody),
      documentRoute(EVENT_OPERATIONS.redeliverEvent),
      async (c) => {
        const event = c.req.valid("param").id.toLowerCase();
        const to = c.req.valid("json").endpoint_id?.toLowerCase();
        const endpoints = await deps.redeliver(c.get("caller"), event, to);
        return c.json({ data: { event_id: event, endpoint_ids: endpoints } }, 202);
      },
    );
}
