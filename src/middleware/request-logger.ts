import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../app-env";
import type { Logger } from "../domain/logger";

/** The route pattern that answered (`/v1/orders/:id`), or `unmatched` for fallbacks: never the raw path. */
export function routePattern(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i];
    if (route && route.method !== "ALL") return route.path;
  }
  return "unmatched";
}

export interface RequestLoggerOptions {
  logger: Logger;
}

/**
 * Gives every request a child logger bound to its request id, and writes one line when it ends:
 * method, route pattern, status, duration. No bodies, headers or query strings.
 */
export const requestLogger = ({ logger }: RequestLoggerOptions): MiddlewareHandler<AppEnv> =>
  async function requestLogger(c, next) {
    const log = logger.child({ request_id: c.get("requestId") });
    c.set("logger", log);
    const started = performance.now();
    try {
      await next();
    } finally {
      log.info("request", {
        method: c.req.method,
        route: routePattern(c),
        status: c.res.status,
        duration_ms: Math.round((performance.now() - started) * 100) / 100,
      });
    }
  };
