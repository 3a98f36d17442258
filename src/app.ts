import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./app-env";
import type { Config } from "./config/config";
import type { Logger } from "./domain/logger";
import { createCursorCodec } from "./handlers/cursor";
import { healthRoutes } from "./handlers/health";
import { orderRoutes } from "./handlers/orders";
import { auth, requireRole } from "./middleware/auth";
import { onError } from "./middleware/error-response";
import { notImplemented } from "./middleware/not-implemented";
import { recovery } from "./middleware/recovery";
import { requestLogger } from "./middleware/request-logger";
import { routeFallbacks, routeNotFound } from "./middleware/route-fallbacks";
import type { OrderService } from "./services/order-service";
import type { ReadinessProbe } from "./services/readiness-probe";

export interface AppDeps {
  config: Config;
  logger: Logger;
  database: ReadinessProbe;
  orders: OrderService;
}

/**
 * Builds the app from its dependencies. Middleware order (outermost first) and why:
 * 1. requestId       every response and log line carries X-Request-Id
 * 2. requestLogger   one line per request, timing the whole chain below
 * 3. recovery        any throw, even a non-Error, becomes the JSON envelope
 * 4. secureHeaders   nosniff & co on every answer, errors included
 * 5. notImplemented  501 for unknown methods before anything else looks at the request
 * 6. routeFallbacks  404 ROUTE_NOT_FOUND / 405 + Allow / OPTIONS 204, from the route table
 * Route-level middleware (auth, per-caller limits, body rules) sits on the routes themselves,
 * so a wrong path or method is answered as such without a token.
 */
export function createApp({ config, logger, database, orders }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ strict: true });

  app.use(requestId());
  app.use(requestLogger({ logger: logger.child({ service: "order-service" }) }));
  app.use(recovery());
  app.use(
    secureHeaders({
      // JSON API: no inline documents to protect, so no CSP here; keep the transport headers.
      contentSecurityPolicy: undefined,
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use(notImplemented());
  app.use(routeFallbacks(app));
  app.use("/v1/*", async function noStore(c, next) {
    await next();
    c.header("Cache-Control", "no-store");
  });

  app.route("/", healthRoutes(database));
  app.route(
    "/",
    orderRoutes({
      service: orders,
      cursors: createCursorCodec(config.jwtSecret ?? ""),
      authenticate: auth({ secret: config.jwtSecret, issuer: config.jwtIssuer, audience: config.jwtAudience }),
      limitCaller: async (_c, next) => next(),
      requireAdmin: requireRole("admin"),
      bodyLimitBytes: config.bodyLimitBytes,
    }),
  );

  app.notFound(routeNotFound);
  app.onError(onError);
  return app;
}
