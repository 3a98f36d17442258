import { Hono } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { timeout } from "hono/timeout";
import type { AppEnv } from "./app-env";
import type { Config } from "./config/config";
import type { Logger } from "./domain/logger";
import { createCursorCodec } from "./handlers/cursor";
import { docsRoutes } from "./handlers/docs";
import { healthRoutes } from "./handlers/health";
import { metricsRoutes } from "./handlers/metrics";
import { orderRoutes } from "./handlers/orders";
import { auth, requireRole } from "./middleware/auth";
import { onError } from "./middleware/error-response";
import { notImplemented } from "./middleware/not-implemented";
import { observe } from "./middleware/observe";
import { type RateLimiterClient, rateLimit } from "./middleware/rate-limit";
import { recovery } from "./middleware/recovery";
import { requestLogger } from "./middleware/request-logger";
import { requestScope } from "./middleware/request-scope";
import { type OptionsResponder, routeFallbacks, routeNotFound } from "./middleware/route-fallbacks";
import type { Metrics } from "./observability/metrics";
import type { BreakerState } from "./repositories/circuit-breaker";
import type { OrderService } from "./services/order-service";
import type { ReadinessProbe } from "./services/readiness-probe";

export interface AppDeps {
  config: Config;
  logger: Logger;
  database: ReadinessProbe;
  orders: OrderService;
  limiter: RateLimiterClient;
  metrics: Metrics;
  breakerState: () => BreakerState;
}

/** Not rate limited: orchestrators poll them, and they must answer during a flood. */
const PROBES = new Set(["/healthz", "/readyz"]);

const EXPOSED_HEADERS = [
  "X-Request-Id",
  "Location",
  "ETag",
  "Idempotent-Replayed",
  "RateLimit",
  "RateLimit-Policy",
  "Retry-After",
  "Server-Timing",
];

/**
 * Builds the app from its dependencies. Middleware order (outermost first) and why:
 *  1. requestId       every response and log line carries X-Request-Id
 *  2. requestScope    the request's logger, cancellation signal and db tally, for every layer below
 *  3. requestLogger   one line per request, timing the whole chain below
 *  4. observe         latency histogram by route pattern, in-flight gauge, Server-Timing
 *  5. recovery        any throw, even a non-Error, becomes the JSON envelope
 *  6. secureHeaders   nosniff & co on every answer, errors included; CORS headers for allowed origins
 *  7. timeout         the request deadline: 504 TIMEOUT, and its database calls are cancelled
 *  8. notImplemented  501 for unknown methods before anything else looks at the request
 *  9. rateLimit (ip)  per client IP, before any token is looked at (probes exempt)
 * 10. routeFallbacks  404 ROUTE_NOT_FOUND / 405 + Allow / OPTIONS 204 (+ CORS preflight)
 * Route-level middleware carries the rest (auth 401 → per-caller limit 429 → role 403 → body
 * 413 → 415 → validation 400), so a wrong path or method is answered as such without a token.
 */
export function createApp({ config, logger, database, orders, limiter, metrics, breakerState }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ strict: true });

  const corsHeaders = cors({
    origin: config.corsOrigins,
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-Id"],
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  // hono/cors answers every OPTIONS before routing; here preflights are answered by the route
  // fallbacks instead, for known paths only, with the path's real methods.
  const preflight: OptionsResponder | undefined =
    config.corsOrigins.length === 0
      ? undefined
      : async (c, allow) => {
          const res = (await corsHeaders(c, async () => {})) as Response;
          // hono/cors writes into the pending response too, and Hono merges that response's headers
          // into whatever replaces it: set the path's real methods on both.
          for (const headers of [res.headers, c.res.headers]) {
            headers.set("Allow", allow);
            headers.set("Access-Control-Allow-Methods", allow);
          }
          return res;
        };

  app.use(requestId());
  app.use(requestScope({ logger: logger.child({ service: "order-service" }) }));
  app.use(requestLogger());
  app.use(observe({ metrics }));
  app.use(recovery());
  app.use(
    secureHeaders({
      // JSON API: no documents to protect with a CSP here; keep the transport headers.
      contentSecurityPolicy: undefined,
      crossOriginEmbedderPolicy: false,
      crossOriginResourcePolicy: config.corsOrigins.length > 0 ? "cross-origin" : "same-origin",
    }),
  );
  app.use(async function corsOnAnswers(c, next) {
    if (c.req.method === "OPTIONS" || config.corsOrigins.length === 0) return next();
    return corsHeaders(c, next);
  });
  app.use(
    timeout(config.requestTimeoutMs, (c) => {
      c.get("cancel")();
      return new HTTPException(504, { message: `request deadline of ${config.requestTimeoutMs} ms passed` });
    }),
  );
  app.use(notImplemented());
  app.use(
    rateLimit({
      policy: "ip",
      rule: config.rateLimitIp,
      limiter,
      keyOf: (c) => (PROBES.has(c.req.path) ? undefined : (c.req.header("CF-Connecting-IP") ?? "unknown")),
    }),
  );
  app.use(routeFallbacks(app, preflight));
  app.use("/v1/*", async function noStore(c, next) {
    await next();
    c.header("Cache-Control", "no-store");
  });

  app.route("/", healthRoutes(database));
  app.route("/", docsRoutes());
  app.route("/", metricsRoutes({ metrics, token: config.metricsToken, breakerState }));
  app.route(
    "/",
    orderRoutes({
      service: orders,
      cursors: createCursorCodec(config.jwtSecret ?? ""),
      authenticate: auth({ secret: config.jwtSecret, issuer: config.jwtIssuer, audience: config.jwtAudience }),
      limitCaller: rateLimit({
        policy: "user",
        rule: config.rateLimitUser,
        limiter,
        keyOf: (c) => c.get("caller").id,
      }),
      requireAdmin: requireRole("admin"),
      bodyLimitBytes: config.bodyLimitBytes,
    }),
  );

  app.notFound(routeNotFound);
  app.onError(onError);
  return app;
}
