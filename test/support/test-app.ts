import type { Hono } from "hono";
import { createApp } from "../../src/app";
import type { AppEnv } from "../../src/app-env";
import { loadConfig } from "../../src/config/config";
import { captureLogger } from "./capture-logger";

/** The production app with a capturing logger and default config, for tests that add routes. */
export function testApp(): { app: Hono<AppEnv>; lines: Record<string, unknown>[]; raw: string[] } {
  const { logger, lines, raw } = captureLogger();
  const config = loadConfig({} as Parameters<typeof loadConfig>[0]);
  const database = { check: async () => ({ ok: true as const }) };
  return { app: createApp({ config, logger, database }), lines, raw };
}
