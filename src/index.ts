import type { Hono } from "hono";
import { createApp } from "./app";
import type { AppEnv } from "./app-env";
import { type AppBindings, ConfigError, loadConfig } from "./config/config";
import { AppError } from "./domain/app-error";
import { createJsonLogger } from "./domain/logger";
import { durableObjectLimiter } from "./middleware/rate-limit";
import { createMetrics } from "./observability/metrics";
import { CircuitBreaker } from "./repositories/circuit-breaker";
import { createDatabase } from "./repositories/database";
import { createOrderRepository } from "./repositories/order-repository";
import { createDatabaseProbe } from "./repositories/readiness";
import type { OrderRepository } from "./services/order-repository";
import { createOrderService } from "./services/order-service";
import type { ReadinessProbe } from "./services/readiness-probe";

/**
 * Without DATABASE_URL the service still answers liveness; readiness says it is not configured and
 * every order route answers 500 with a log line naming the variable.
 */
const unconfigured: ReadinessProbe = { check: async () => ({ ok: false, reason: "not configured" }) };
const missingDatabase = async (): Promise<never> => {
  throw new AppError("INTERNAL_ERROR", { detail: "DATABASE_URL is not set" });
};
const noRepository: OrderRepository = {
  create: missingDatabase,
  findIdempotencyRecord: missingDatabase,
  findById: missingDatabase,
  list: missingDatabase,
  transition: missingDatabase,
};

/** One app per isolate and environment: wiring happens once, not per request. */
const apps = new WeakMap<AppBindings, Hono<AppEnv>>();

function appFor(env: AppBindings): Hono<AppEnv> {
  let app = apps.get(env);
  if (!app) {
    const config = loadConfig(env);
    const logger = createJsonLogger({ level: config.logLevel });
    const metrics = createMetrics();
    const breaker = new CircuitBreaker();
    let database = unconfigured;
    let repository = noRepository;
    if (config.databaseUrl) {
      const db = createDatabase({
        url: config.databaseUrl,
        httpEndpoint: config.databaseHttpEndpoint,
        timeoutMs: config.dbTimeoutMs,
        breaker,
        metrics,
      });
      database = createDatabaseProbe(config.databaseUrl);
      repository = createOrderRepository(db);
    }
    app = createApp({
      config,
      logger,
      database,
      orders: createOrderService({ repository }),
      limiter: durableObjectLimiter(env.RATE_LIMITER),
      metrics,
      breakerState: () => breaker.state,
    });
    apps.set(env, app);
  }
  return app;
}

/** A misconfigured deployment still answers in the envelope, and says why in the log. */
function configFailure(err: unknown): Response {
  const requestId = crypto.randomUUID();
  createJsonLogger().error("configuration error", { request_id: requestId, detail: String(err) });
  const body = { error: { code: "INTERNAL_ERROR", message: "an unexpected error occurred", request_id: requestId } };
  return Response.json(body, { status: 500, headers: { "X-Request-Id": requestId } });
}

export { RateLimiter } from "./rate-limit/rate-limiter-object";

export default {
  fetch(request, env, ctx) {
    let app: Hono<AppEnv>;
    try {
      app = appFor(env);
    } catch (err) {
      if (err instanceof ConfigError) return configFailure(err);
      throw err;
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<AppBindings>;
