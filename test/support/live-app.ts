import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import type { AppBindings } from "../../src/config/config";
import type { CircuitBreaker } from "../../src/repositories/circuit-breaker";
import { createDatabase } from "../../src/repositories/database";
import { wireApp } from "../../src/wire";
import { captureLogger } from "./capture-logger";

/**
 * The production wiring (real driver, SQL server, Durable Object limiter) with settings changed
 * for one test, its own fresh database, and the log captured.
 */
export async function liveApp(overrides: Record<string, string> = {}, { breaker }: { breaker?: CircuitBreaker } = {}) {
  const database = `ot_live_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  // Created and migrated now, with a generous deadline, so tight test deadlines time the queries only.
  const url = `postgres://test:test@localhost/${database}`;
  await createDatabase({ url, httpEndpoint: env.DATABASE_HTTP_ENDPOINT, timeoutMs: 30_000 }).execute(sql`SELECT 1`);
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
