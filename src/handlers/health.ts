import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import type { ReadinessProbe } from "../services/readiness-probe";

const READINESS_BUDGET_MS = 2_000;

/**
 * Liveness answers from the isolate alone, so a database outage never looks like a dead process.
 * Readiness asks the database for `SELECT 1` within 2 s and never hangs past that.
 */
export function healthRoutes(database: ReadinessProbe): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get("/healthz", (c) => c.json({ status: "ok" as const }))
    .get("/readyz", async (c) => {
      const result = await database.check(READINESS_BUDGET_MS);
      if (result.ok) return c.json({ status: "ready" as const, checks: { database: "ok" } });
      c.get("logger").warn("readiness check failed", {
        check: "database",
        reason: result.reason,
        cause: result.error?.cause,
      });
      return c.json({ status: "unavailable" as const, checks: { database: result.reason } }, 503, {
        "Retry-After": "5",
      });
    });
}
