import { Hono, type MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { documentRoute } from "../openapi/route-doc";
import type { EventService } from "../services/event-service";
import type { CursorCodec, CursorScope } from "./cursor";
import { eventJson } from "./event-json";
import { EVENT_OPERATIONS } from "./event-operations";
import { listEventsQuery } from "./event-schemas";
import { validate } from "./validation";

export interface EventRoutesDeps {
  service: EventService;
  cursors: CursorCodec;
  /** Verifies the token and sets the caller (401). */
  authenticate: MiddlewareHandler<AppEnv>;
  /** Per-caller rate limit (429), run right after authentication. */
  limitCaller: MiddlewareHandler<AppEnv>;
}

const DEFAULT_PAGE = 20;

/** The events feed: 401 auth → 429 per caller → 400 validation, as for orders. */
export function eventRoutes({ service, cursors, authenticate, limitCaller }: EventRoutesDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get(
    "/v1/events",
    authenticate,
    limitCaller,
    validate("query", listEventsQuery),
    documentRoute(EVENT_OPERATIONS.listEvents),
    async (c) => {
      const query = c.req.valid("query");
      const limit = query.limit ?? DEFAULT_PAGE;
      const direction = query.order ?? "desc";
      const orderId = query.order_id?.toLowerCase();
      const caller = c.get("caller");
      // A cursor is valid only for the listing (caller, filters, direction) that issued it.
      const scope: CursorScope = {
        callerId: caller.id,
        listing: JSON.stringify(["events", direction, query.type ?? null, orderId ?? null]),
      };
      const after = query.cursor ? await cursors.decode(query.cursor, scope) : undefined;
      const page = await service.list(caller, { limit, direction, after, type: query.type, orderId });
      return c.json({
        data: page.events.map(eventJson),
        page: { limit, next_cursor: page.next ? await cursors.encode(page.next, scope) : null },
      });
    },
  );
}
