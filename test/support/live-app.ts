import { env } from "cloudflare:workers";
import type { AppBindings } from "../../src/config/config";
import type { CircuitBreaker } from "../../src/repositories/circuit-breaker";
import { wireApp } from "../../src/wire";
import { captureLogger } from "./capture-logger";
import { freshDatabase } from "./database";

/**
 * The production wiring (real driver, SQL server, Durable Object limiter) with settings changed
 * for one test, its own fresh database, and the log captured.
 */
export async function liveApp(overrides: Record<string, string> = {}, { breaker }: { breaker?: CircuitBreaker } = {}) {
  const { name: database, url } = await freshDatabase("live");
  const bindings = {
    ...env,
    DATABASE_URL: url,
    LOG_LEVEL: "debug",
    ...overrides,
  } as AppBindings;
  const { logger, lines, raw } = captureLogger();
  const app = wireApp(bindings, { logger, breaker });
  const request = (path: string, init: RequestInit = {}) => app.request(path, init, bindings);
  return { app, request, database, bindings, lines, raw };
}
