import type { Hono } from "hono";
import { createApp } from "../../src/app";
import type { AppEnv } from "../../src/app-env";
import { type AppBindings, loadConfig } from "../../src/config/config";
import type { OrderService } from "../../src/services/order-service";
import { captureLogger } from "./capture-logger";

export const TEST_SECRET = "unit-test-secret-that-is-at-least-32-bytes";

const unused = (name: string) => async () => {
  throw new Error(`OrderService.${name} was not expected to be called`);
};

/** The production app with a capturing logger, an always-ready database and a mockable service. */
export function testApp({
  orders = {},
  env = {},
}: {
  orders?: Partial<OrderService>;
  env?: Record<string, string>;
} = {}): {
  app: Hono<AppEnv>;
  lines: Record<string, unknown>[];
  raw: string[];
} {
  const { logger, lines, raw } = captureLogger();
  const config = loadConfig({ JWT_SECRET: TEST_SECRET, ...env } as unknown as AppBindings);
  const database = { check: async () => ({ ok: true as const }) };
  const service: OrderService = {
    create: unused("create"),
    get: unused("get"),
    list: unused("list"),
    cancel: unused("cancel"),
    setStatus: unused("setStatus"),
    ...orders,
  };
  return { app: createApp({ config, logger, database, orders: service }), lines, raw };
}
