import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { AppError } from "../domain/app-error";
import type { Metrics } from "../observability/metrics";
import type { BreakerView } from "../services/readiness";

export interface MetricsRoutesDeps {
  metrics: Metrics;
  /** Bearer token required to read metrics; the route is disabled when unset. */
  token: string | undefined;
  breaker: BreakerView;
}

const BREAKER_STATES: BreakerView["state"][] = ["closed", "open", "half-open"];

/** Constant-time comparison: the token must not leak through response timing. */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  const [x, y] = [new Uint8Array(da), new Uint8Array(db)];
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** `GET /metrics`: Prometheus text exposition of this isolate's metrics, behind METRICS_TOKEN. */
export function metricsRoutes({ metrics, token, breaker }: MetricsRoutesDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/metrics", async (c) => {
    if (!token) throw new AppError("NOT_FOUND", { message: "metrics are disabled", detail: "METRICS_TOKEN is unset" });
    const presented = /^Bearer (.+)$/.exec(c.req.header("Authorization") ?? "")?.[1];
    if (!presented || !(await sameSecret(presented, token))) {
      throw new AppError("FORBIDDEN", { message: "a valid metrics token is required" });
    }
    const state = breaker.state;
    const body = metrics.render({
      circuit_breaker_state: BREAKER_STATES.map((s) => ({
        help: "Database circuit breaker state of this isolate (1 for the current state).",
        value: s === state ? 1 : 0,
        labels: { state: s },
      })),
    });
    return c.body(body, 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
  });
}
