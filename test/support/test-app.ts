import type { Hono } from "hono";
import { createApp } from "../../src/app";
import type { AppEnv } from "../../src/app-env";
import { type AppBindings, loadConfig } from "../../src/config/config";
import type { RateLimiterClient } from "../../src/middleware/rate-limit";
import { createMetrics, type Metrics } from "../../src/observability/metrics";
import type { BreakerState } from "../../src/repositories/circuit-breaker";
import type { OrderService } from "../../src/services/order-service";
import type { ReadinessProbe } from "../../src/services/readiness-probe";
import { captureLogger } from "./capture-logger";

export const TEST_SECRET = "unit-test-secret-that-is-at-least-32-bytes";

const unused = (name: string) => async () => {
  throw new Error(`OrderService.${name} was not expected to be called`);
};

/** Lets every request through, as if far below any limit. */
export const unlimited: RateLimiterClient = {
  check: async (_key, rule) => ({ allowed: true, remaining: rule.limit - 1, resetSeconds: 1, retryAfterSeconds: 0 }),
};

export interface TestAppOptions {
  orders?: Partial<OrderService>;
  env?: Record<string, string>;
  limiter?: RateLimiterClient;
  database?: ReadinessProbe;
  metrics?: Metrics;
  breakerState?: () => BreakerState;
}

/**
 * The production app with a capturing logger and its dependencies replaced: an always-ready
 * database, a limiter that never limits, and a service whose methods fail unless mocked.
 */
export function testApp({
  orders = {},
  env = {},
  limiter = unlimited,
  database = { check: async () => ({ ok: true as const }) },
  metrics = createMetrics(),
  breakerState = () => "closed",
}: TestAppOptions = {}): { app: Hono<AppEnv>; lines: Record<string, unknown>[]; raw: string[] } {
  const { logger, lines, raw } = captureLogger();
  const config = loadConfig({ JWT_SECRET: TEST_SECRET, ...env } as unknown as AppBindings);
  const service: OrderService = {
    create: unused("create"),
    get: unused("get"),
    list: unused("list"),
    cancel: unused("cancel"),
    setStatus: unused("setStatus"),
    ...orders,
  };
  return {
    app: createApp({ config, logger, database, orders: service, limiter, metrics, breakerState }),
    lines,
    raw,
  };
}
