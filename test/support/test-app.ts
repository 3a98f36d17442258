import type { Hono } from "hono";
import type { AppEnv } from "../../src/app-env";
import type { AppBindings } from "../../src/config/config";
import { createIsolate, type IsolateOverrides } from "../../src/isolate";
import type { Limiter } from "../../src/limiters/limiter";
import type { OrderService } from "../../src/services/order-service";
import { captureLogger } from "./capture-logger";

export const TEST_SECRET = "unit-test-secret-that-is-at-least-32-bytes";

const unused = (name: string) => async () => {
  throw new Error(`OrderService.${name} was not expected to be called`);
};

/** A Rate Limiting binding that lets every request through, as if far below any limit. */
export const unlimited: Limiter = { limit: async () => ({ success: true }) };

export interface TestAppOptions extends Omit<IsolateOverrides, "orders" | "logger"> {
  orders?: Partial<OrderService>;
  /** Variables and bindings over the test ones (ANALYTICS, say). */
  env?: Record<string, unknown>;
  /** Both Rate Limiting bindings (IP_RATE_LIMITER, USER_RATE_LIMITER). */
  limiter?: Limiter;
}

/**
 * The production isolate root with a capturing logger and its dependencies replaced: an
 * always-ready database, a limiter that never limits, and a service whose methods fail unless
 * mocked. The database URL is never dialled: nothing here reaches the repository.
 */
export function testApp({
  orders = {},
  env = {},
  limiter = unlimited,
  readinessProbe = { check: async () => ({ ok: true as const }) },
  ...overrides
}: TestAppOptions = {}): { app: Hono<AppEnv>; lines: Record<string, unknown>[]; raw: string[] } {
  const { logger, lines, raw } = captureLogger();
  const service: OrderService = {
    create: unused("create"),
    get: unused("get"),
    list: unused("list"),
    cancel: unused("cancel"),
    setStatus: unused("setStatus"),
    ...orders,
  };
  const bindings = {
    JWT_SECRET: TEST_SECRET,
    WEBHOOK_ENCRYPTION_KEY: "unit-test-webhook-encryption-key-0123456789",
    DATABASE_URL: "postgres://unit:test@db.invalid/unit",
    IP_RATE_LIMITER: limiter,
    USER_RATE_LIMITER: limiter,
    ...env,
  } as unknown as AppBindings;
  const { app } = createIsolate(bindings, { ...overrides, logger, readinessProbe, orders: service });
  return { app, lines, raw };
}
