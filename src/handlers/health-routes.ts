import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { retryAfterHeader } from "../middleware/error-response";
import { documentRoute, ROUTE_ERRORS } from "../openapi/route-doc";
import type { Readiness } from "../services/readiness";

/**
 * Liveness answers from the isolate alone, so a database outage never looks like a dead process.
 * Readiness asks the database for `SELECT 1` within 2 s (shared and cached, see createReadiness)
 * and reports an open circuit breaker with the same Retry-After as the API.
 */
export function healthRoutes(readiness: Readiness): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get(
      "/healthz",
      documentRoute({
        operationId: "healthz",
        tag: "operations",
        summary: "Liveness: the isolate answers",
        description:
          "Touches no dependency, so a database outage never looks like a dead process. Also 200 when the " +
          "configuration is invalid: the isolate lives, and /readyz says what is wrong.",
        limited: false,
        responses: { 200: { description: "alive", schema: "Health" } },
        errors: [...ROUTE_ERRORS.always],
      }),
      (c) => c.json({ status: "ok" as const }),
    )
    .get(
      "/readyz",
      documentRoute({
        operationId: "readyz",
        tag: "operations",
        summary: "Readiness: the database answers SELECT 1 within 2 s",
        description:
          "Goes around the circuit breaker (it reports it, never feeds it); concurrent probes share one query " +
          "and an answer is reused for a second. 503 names the reason in `checks`: `database` is `timeout`, " +
          "`unavailable` or `circuit open`; `config` names invalid or missing variables, never their values.",
        limited: false,
        responses: {
          200: { description: "ready", schema: "Readiness" },
          503: { description: "not ready; `checks` says why", schema: "Readiness", headers: ["Retry-After"] },
        },
        errors: [...ROUTE_ERRORS.always],
      }),
      async (c) => {
        const report = await readiness.check();
        if (report.ready) return c.json({ status: "ready" as const, checks: report.checks });
        c.get("logger").warn("readiness check failed", {
          checks: report.checks,
          code: report.error?.code,
          detail: report.error?.detail,
        });
        return c.json({ status: "unavailable" as const, checks: report.checks }, 503, {
          "Retry-After": retryAfterHeader(report.retryAfterMs),
        });
      },
    );
}
