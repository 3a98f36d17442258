import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { setMetric } from "hono/timing";
import type { AppEnv } from "../app-env";
import type { Metrics } from "../observability/metrics";

/** The route pattern that answered (`/v1/orders/:id`), or `unmatched` for fallbacks: never the raw path. */
export function routePattern(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i];
    if (route && route.method !== "ALL") return route.path;
  }
  return "unmatched";
}

/** Whether a layer set an attribute beyond the request id (without listing the keys per request). */
function learnedMore(attributes: Record<string, unknown>): boolean {
  for (const key in attributes) if (key !== "request_id") return true;
  return false;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * Times the chain below it once and reports that one measurement everywhere: the request log line
 * (method, route pattern, status, duration, database calls and time; never bodies, headers or
 * query strings), the latency histogram by route pattern, requests in flight, the `db` metric of
 * `Server-Timing` when the database was called (hono/timing, outside this, adds `total`), and —
 * when Workers Analytics Engine is bound as ANALYTICS — one data point per request, written through
 * `waitUntil`.
 */
export const requestTelemetry = ({
  metrics,
  analytics,
}: {
  metrics: Metrics;
  /** The ANALYTICS dataset, when bound. */
  analytics?: AnalyticsEngineDataset;
}): MiddlewareHandler<AppEnv> =>
  async function requestTelemetry(c, next) {
    const started = performance.now();
    metrics.requestStarted();
    try {
      await next();
    } finally {
      metrics.requestFinished();
      const ms = performance.now() - started;
      const route = routePattern(c);
      const status = c.res.status;
      const scope = c.get("scope");
      const { db, spanAttributes } = scope;
      // Requests that did work beyond the shell (a database call, a limiter's decision) get their
      // attributes; a probe or a document has nothing for a trace but what the runtime records itself.
      if (db.calls > 0 || learnedMore(spanAttributes)) {
        spanAttributes["http.route"] = route;
        // The resource a route names (`/v1/orders/:id`), by its id: never the raw path or query.
        spanAttributes["resource.id"] = c.req.param("id");
        scope.tracer.annotate(spanAttributes);
      }
      metrics.observeRequest({ method: c.req.method, route, status: String(status) }, ms / 1000);
      // Only /v1/* carries the scope to the database, and Server-Timing is on there (TIMED_ROUTES).
      if (db.calls > 0) setMetric(c, "db", db.ms, db.calls === 1 ? "1 call" : `${db.calls} calls`);
      c.get("logger").info("request", {
        method: c.req.method,
        route,
        status,
        duration_ms: round(ms),
        db_calls: db.calls,
        db_ms: round(db.ms),
      });
      if (analytics) {
        const point = {
          indexes: [route],
          blobs: [c.req.method, route, String(status)],
          doubles: [ms, db.ms, db.calls],
        };
        scope.defer(Promise.resolve().then(() => analytics.writeDataPoint(point)));
      }
    }
  };
