import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../app-env";

/** The route pattern that answered (`/v1/orders/:id`), or `unmatched` for fallbacks: never the raw path. */
export function routePattern(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i];
    if (route && route.method !== "ALL") return route.path;
  }
  return "unmatched";
}

/**
 * Writes one line per request when it ends, with the request's logger (so it carries the request
 * id): method, route pattern, status, duration, database calls and time. No bodies, headers or
 * query strings.
 */
export const requestLogger = (): MiddlewareHandler<AppEnv> =>
  async function requestLogger(c, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      const { db } = c.get("scope");
      c.get("logger").info("request", {
        method: c.req.method,
        route: routePattern(c),
        status: c.res.status,
        duration_ms: round(performance.now() - started),
        db_calls: db.calls,
        db_ms: round(db.ms),
      });
    }
  };

const round = (ms: number) => Math.round(ms * 100) / 100;
