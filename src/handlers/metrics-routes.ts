import { Hono, type MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import type { AppEnv } from "../app-env";
import { AppError } from "../domain/app-error";
import type { Metrics } from "../observability/metrics";
import { documentRoute, ROUTE_ERRORS } from "../openapi/route-doc";
import { BREAKER_STATES, type BreakerView } from "../services/readiness";

export interface MetricsRoutesDeps {
  metrics: Metrics;
  /** Bearer token required to read metrics; the route is disabled when unset. */
  token: string | undefined;
  breaker: BreakerView;
}

/**
 * `GET /metrics`: Prometheus text exposition of this isolate's metrics, behind METRICS_TOKEN.
 * hono/bearer-auth compares the token in constant time and answers as RFC 6750 says: 401 with a
 * `WWW-Authenticate` challenge for a missing or wrong token, 400 for a malformed header.
 */
export function metricsRoutes({ metrics, token, breaker }: MetricsRoutesDeps): Hono<AppEnv> {
  const requireToken: MiddlewareHandler<AppEnv> = token
    ? (bearerAuth({ token, realm: "metrics" }) as MiddlewareHandler<AppEnv>)
    : async function metricsDisabled() {
        throw new AppError("NOT_FOUND", { message: "metrics are disabled", detail: "METRICS_TOKEN is unset" });
      };
  return new Hono<AppEnv>().get(
    "/metrics",
    requireToken,
    documentRoute({
      operationId: "metrics",
      tag: "operations",
      summary: "Prometheus metrics of this isolate",
      description:
        "Request latency by route pattern, requests in flight, database call latency by outcome and the " +
        "circuit breaker's state, for this isolate only (Workers share no memory; bind Analytics Engine for " +
        "fleet-wide numbers). Needs `Authorization: Bearer <METRICS_TOKEN>`; 404 while METRICS_TOKEN is unset.",
      security: "metrics",
      limited: true,
      responses: { 200: { description: "Prometheus text exposition", mediaType: "text/plain" } },
      errors: [...ROUTE_ERRORS.limited, "UNAUTHORIZED", "VALIDATION_ERROR", "NOT_FOUND"],
    }),
    (c) => {
      const state = breaker.state;
      const body = metrics.render({
        circuit_breaker_state: BREAKER_STATES.map((s) => ({
          help: "Database circuit breaker state of this isolate (1 for the current state).",
          value: s === state ? 1 : 0,
          labels: { state: s },
        })),
      });
      return c.body(body, 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
    },
  );
}
