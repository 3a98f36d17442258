import type { Hono } from "hono";
import { createApp } from "./app";
import type { AppEnv } from "./app-env";
import { type AppBindings, loadConfig } from "./config/config";
import { AppError } from "./domain/app-error";
import { createJsonLogger, type Logger } from "./domain/logger";
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

export interface WireOverrides {
  logger?: Logger;
  breaker?: CircuitBreaker;
}

/** The one wiring point: env → config → database → repository → service → app. */
export function wireApp(
  env: AppBindings,
  { logger, breaker = new CircuitBreaker() }: WireOverrides = {},
): Hono<AppEnv> {
  const config = loadConfig(env);
  const metrics = createMetrics();
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
  return createApp({
    config,
    logger: logger ?? createJsonLogger({ level: config.logLevel }),
    database,
    orders: createOrderService({ repository }),
    limiter: durableObjectLimiter(env.RATE_LIMITER),
    metrics,
    breakerState: () => breaker.state,
  });
}
