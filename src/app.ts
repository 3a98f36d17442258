import { Hono } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { timeout } from "hono/timeout";
import { timing } from "hono/timing";
import type { AppEnv } from "./app-env";
import { type Config, type ConfigProblem, describeProblems, jwtSecrets } from "./config/config";
import { AppError } from "./domain/app-error";
import { callerKey } from "./domain/caller";
import type { CursorCodec } from "./handlers/cursor";
import { docsRoutes } from "./handlers/docs-routes";
import { eventRoutes } from "./handlers/event-routes";
import { healthRoutes } from "./handlers/health-routes";
import { metricsRoutes } from "./handlers/metrics-routes";
import { orderRoutes } from "./handlers/order-routes";
import { PROBES, TIMED_ROUTES } from "./handlers/route-policy";
import { webhookRoutes } from "./handlers/webhook-routes";
import { clientKey } from "./limiters/client-key";
import { auth, requireRole } from "./middleware/auth";
import { onError } from "./middleware/error-response";
import { notImplemented } from "./middleware/not-implemented";
import { rateLimit } from "./middleware/rate-limit";
import { recovery } from "./middleware/recovery";
import { requestTelemetry } from "./middleware/request-telemetry";
import { type OptionsResponder, routeFallbacks, routeNotFound } from "./middleware/route-fallbacks";
import { traceContext } from "./middleware/trace-context";
import { carryRequestScope, withRequestScope } from "./middleware/with-request-scope";
import type { Logger } from "./observability/logger";
import type { Metrics } from "./observability/metrics";
import type { EndpointRecovery } from "./services/endpoint-recovery";
import type { EventRedelivery } from "./services/event-redelivery";
import type { EventService } from "./services/event-service";
import type { OrderService } from "./services/order-service";
import type { BreakerView, Readiness, ReadinessReport } from "./services/readiness";
import type { WebhookEndpointService } from "./services/webhook-endpoint-service";
import type { WebhookTestSend } from "./services/webhook-test-send";
import type { KeyLookup } from "./tokens/jwks-key-store";

export interface AppDeps {
  config: Config;
  logger: Logger;
  readiness: Readiness;
  orders: OrderService;
  events: EventService;
  webhookEndpoints: WebhookEndpointService;
  redeliver: EventRedelivery;
  testWebhook: WebhookTestSend;
  recoverWebhook: EndpointRecovery;
  cursors: CursorCodec;
  metrics: Metrics;
  breaker: BreakerView;
  /** Milliseconds since the epoch: token times are checked against it. */
  clock: () => number;
  /** The identity provider's keys, when JWT_MODES takes its tokens. */
  signingKeys?: KeyLookup;
}

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
 * The outer chain every app shares, misconfigured or not:
 *  0. traceContext      the caller's W3C trace continued (or a new one): the parent of everything below
 *  1. requestId         every response and log line carries X-Request-Id
 *  2. withRequestScope  the request's logger, cancellation signal and db tally, in the context
 *  3. timing            Server-Timing (`total`, and `db` from the layer below) on TIMED_ROUTES
 *  4. requestTelemetry  one timing for the log line, the latency histogram and Analytics Engine
 *  5. recovery          any throw, even a non-Error, becomes the JSON envelope
 *  6. secureHeaders     nosniff & co on every answer, errors included
 */
function withShell(
  app: Hono<AppEnv>,
  {
    logger,
    metrics,
    corsEnabled,
    analytics,
  }: { logger: Logger; metrics: Metrics; corsEnabled: boolean; analytics?: AnalyticsEngineDataset },
) {
  app.use(traceContext());
  app.use(requestId());
  app.use(withRequestScope({ logger: logger.child({ service: "order-service" }) }));
  const serverTiming = timing({ totalDescription: "app" });
  for (const path of TIMED_ROUTES) app.use(path, serverTiming);
  app.use(requestTelemetry({ metrics, analytics }));
  app.use(recovery());
  app.use(
    // The headers a JSON API needs (OWASP REST Security Cheat Sheet: nosniff, X-Frame-Options DENY,
    // HSTS; with Referrer-Policy and CORP, which cost little); those that only guard HTML
    // documents in old browsers (X-XSS-Protection, X-Download-Options, X-DNS-Prefetch-Control,
    // X-Permitted-Cross-Domain-Policies, Origin-Agent-Cluster, COOP) cost a header set per answer
    // and protect nothing here. No CSP on JSON answers; the one page (/docs) sets its own, hash-based.
    secureHeaders({
      contentSecurityPolicy: undefined,
      crossOriginEmbedderPolicy: false,
      crossOriginOpenerPolicy: false,
      originAgentCluster: false,
      xDnsPrefetchControl: false,
      xDownloadOptions: false,
      xPermittedCrossDomainPolicies: false,
      xXssProtection: false,
      xFrameOptions: "DENY",
      // Nothing here sets X-Powered-By, so there is nothing to remove on every answer.
      removePoweredBy: false,
      crossOriginResourcePolicy: corsEnabled ? "cross-origin" : "same-origin",
    }),
  );
  app.notFound(routeNotFound);
  app.onError(onError);
  return app;
}

/**
 * CORS headers for allowed origins on every answer but OPTIONS. hono/cors would answer every
 * OPTIONS before routing; preflights are answered by the route fallbacks instead (the responder
 * returned here), for known paths only, and cors is told that path's real methods.
 */
function withCors(app: Hono<AppEnv>, origins: string[]): OptionsResponder {
  const corsOptions = {
    origin: origins,
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-Id"],
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  };
  const corsHeaders = cors(corsOptions);
  app.use(async function corsOnAnswers(c, next) {
    if (c.req.method === "OPTIONS") return next();
    return corsHeaders(c, next);
  });
  return async (c, allow) => {
    const answer = cors({ ...corsOptions, allowMethods: allow.split(", ") });
    const res = (await answer(c, async () => {})) as Response;
    res.headers.set("Allow", allow);
    return res;
  };
}

/**
 * Builds the app from finished collaborators. After the shell (above), in this order and why:
 *  7. CORS headers      for allowed origins, on every answer (preflights: see the route fallbacks)
 *  8. timeout           the request deadline on /v1/*, the routes that wait on the database and the
 *                       caller's limiter: 504 TIMEOUT, and its database calls are cancelled. The
 *                       others wait on no dependency (/readyz has its own 2 s budget; the docs read
 *                       only this worker's static assets), so they arm no timer.
 *  9. notImplemented    501 for unknown methods before anything else looks at the request
 * 10. rateLimit (ip)    per client IP, before any token is looked at (probes exempt)
 * 11. routeFallbacks    404 ROUTE_NOT_FOUND / 405 + Allow / OPTIONS 204 (+ CORS preflight)
 * 12. on /v1/*          the request scope carried to the layers below the handlers; no-store
 * Route-level middleware carries the rest (auth 401 → per-caller limit 429 → role 403 → body
 * 413 → 415 → validation 400), so a wrong path or method is answered as such without a token.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { config, logger, readiness, metrics, breaker } = deps;
  const corsEnabled = config.corsOrigins.length > 0;
  const app = withShell(new Hono<AppEnv>({ strict: true }), {
    logger,
    metrics,
    corsEnabled,
    analytics: config.analytics,
  });

  const preflight = corsEnabled ? withCors(app, config.corsOrigins) : undefined;
  app.use(
    "/v1/*",
    timeout(config.requestTimeoutMs, (c) => {
      c.get("scope").cancel();
      return new HTTPException(504, { message: `request deadline of ${config.requestTimeoutMs} ms passed` });
    }),
  );
  app.use(notImplemented());
  app.use(
    rateLimit({
      policy: "ip",
      ...config.rateLimits.ip,
      // Cloudflare sets CF-Connecting-IP to the connecting client's address on every request, over
      // anything a client sent (https://developers.cloudflare.com/fundamentals/reference/http-headers/);
      // X-Forwarded-For is the client's to write. Locally, wrangler dev sets it only when absent.
      keyOf: (c) => (PROBES.has(c.req.path) ? undefined : clientKey(c.req.header("CF-Connecting-IP"))),
    }),
  );
  app.use(routeFallbacks(app, preflight));
  app.use("/v1/*", carryRequestScope());
  app.use("/v1/*", function noStore(c, next) {
    // Set before the answer exists, so it is part of the answer (errors too) rather than a copy of it.
    c.header("Cache-Control", "no-store");
    return next();
  });

  app.route("/", healthRoutes(readiness));
  app.route("/", docsRoutes());
  app.route("/", metricsRoutes({ metrics, token: config.metricsToken, breaker }));
  app.route("/", apiRoutes(deps));
  return app;
}

/**
 * The API under /v1: orders, the events feed, webhook endpoints; every route signed in, then limited per
 * caller. Chained, so that every route's request and answer types reach the typed client (src/client.ts).
 */
function apiRoutes(
  deps: Pick<
    AppDeps,
    | "config"
    | "orders"
    | "events"
    | "webhookEndpoints"
    | "redeliver"
    | "testWebhook"
    | "recoverWebhook"
    | "cursors"
    | "clock"
    | "signingKeys"
  >,
) {
  const { config, cursors } = deps;
  const signedIn = {
    authenticate: auth({
      secrets: config.jwt.modes.hs256 ? jwtSecrets(config.jwt) : [],
      jwks: deps.signingKeys,
      roles: config.jwt.roles,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      audienceClaim: config.jwt.audienceClaim,
      maxTtlSeconds: config.jwt.maxTtlSeconds,
      smoke: config.jwt.smoke,
      now: deps.clock,
    }),
    limitCaller: rateLimit({ policy: "user", ...config.rateLimits.user, keyOf: (c) => callerKey(c.get("caller")) }),
  };
  const admin = { ...signedIn, requireAdmin: requireRole("admin"), bodyLimitBytes: config.bodyLimitBytes };
  return new Hono<AppEnv>()
    .route("/", orderRoutes({ service: deps.orders, cursors, ...admin, opaqueSubjects: config.jwt.modes.jwks }))
    .route("/", eventRoutes({ service: deps.events, redeliver: deps.redeliver, cursors, ...admin }))
    .route(
      "/",
      webhookRoutes({
        service: deps.webhookEndpoints,
        testSend: deps.testWebhook,
        recover: deps.recoverWebhook,
        cursors,
        ...admin,
      }),
    );
}

/** The `/v1` routes' types: what `hc` (src/client.ts) reads. */
export type ApiRoutes = ReturnType<typeof apiRoutes>;

/**
 * The app of an isolate whose configuration is invalid (docs/configuration.md): the isolate lives
 * (`/healthz` 200), readiness names the variables (never their values), and every other route is
 * 500 INTERNAL_ERROR with one log line naming them.
 */
export function createMisconfiguredApp({
  problems,
  logger,
  metrics,
}: {
  problems: ConfigProblem[];
  logger: Logger;
  metrics: Metrics;
}): Hono<AppEnv> {
  const app = withShell(new Hono<AppEnv>({ strict: true }), { logger, metrics, corsEnabled: false });
  const variables = problems.map((p) => p.variable).join(", ");
  const notReady: ReadinessReport = {
    ready: false,
    checks: { config: `invalid or missing: ${variables}` },
    retryAfterMs: 60_000,
  };
  app.route("/", healthRoutes({ check: async () => notReady }));
  app.all("*", () => {
    throw new AppError("INTERNAL_ERROR", { detail: `misconfigured: ${describeProblems(problems)}` });
  });
  return app;
}
