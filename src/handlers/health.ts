import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import type { Readiness } from "../services/readiness";

/**
 * Liveness answers from the isolate alone, so a database outage never looks like a dead process.
 * Readiness asks the database for `SELECT 1` within 2 s (shared and cached, see createReadiness)
 * and reports an open circuit breaker with the same Retry-After as the API.
 */
export function healthRoutes(readiness: Readiness): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get("/healthz", (c) => c.json({ status: "ok" as const }))
    .get("/readyz", async (c) => {
      const report = await readiness.check();
      if (report.ready) return c.json({ status: "ready" as const, checks: report.checks });
      c.get("logger").warn("readiness check failed", {
        checks: report.checks,
        code: report.error?.code,
        detail: report.error?.detail,
      });
      return c.json({ status: "unavailable" as const, checks: report.checks }, 503, {
        "Retry-After": String(Math.max(1, report.retryAfterSeconds)),
      });
    });
}
