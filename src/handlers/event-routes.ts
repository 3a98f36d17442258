import { Hono, type MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { documentRoute } from "../openapi/route-doc";
import type { EventService } from "../services/event-service";
import type { ListPosition } from "../services/order-repository";
import type { CursorCodec, CursorScope } from "./cursor";
import { eventJson } from "./event-json";
import { EVENT_OPERATIONS } from "./event-operations";
import { listEventsQuery } from "./event-schemas";
import { pageAnswer } from "./page-answer";
import { validate } from "./validation";

export interface EventRoutesDeps {
  service: EventService;
  cursors: CursorCodec;
  /** Verifies the token and sets the caller (401). */
  authenticate: MiddlewareHandler<AppEnv>;
  /** Per-caller rate limit (429), run right after authentication. */
  limitCaller: MiddlewareHandler<AppEnv>;
}

/** The events feed: 401 auth → 429 per caller → 400 validation, as for orders. */
export function eventRoutes({ service, cursors, authenticate, limitCaller }: EventRoutesDeps) {
  return new Hono<AppEnv>().get(
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
        callerId: caller.id,
        listing: JSON.stringify(["events", direction, query.type ?? null, orderId ?? null]),
      };
      const load = (page: { limit: number; after?: ListPosition }) =>
        service.list(caller, { ...page, direction, type: query.type, orderId });
      return pageAnswer(c, cursors, scope, query, load, eventJson);
    },
  );
}
