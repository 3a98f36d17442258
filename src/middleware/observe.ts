import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import type { Metrics } from "../observability/metrics";
import { routePattern } from "./request-logger";

/**
 * Times the whole chain below it: the latency histogram by route pattern (never the raw path),
 * requests in flight, `Server-Timing: app;dur=…, db;dur=…` for the caller's devtools, and, when
 * Workers Analytics Engine is bound as ANALYTICS, one data point per request written through
 * `waitUntil` so it never delays the response.
 */
export const observe = ({ metrics }: { metrics: Metrics }): MiddlewareHandler<AppEnv> =>
  async function observe(c, next) {
    const started = performance.now();
    metrics.requestStarted();
    try {
      await next();
    } finally {
      metrics.requestFinished();
      const ms = performance.now() - started;
      const route = routePattern(c);
      const status = c.res.status;
      metrics.observeRequest({ method: c.req.method, route, status: String(status) }, ms / 1000);
      const { db } = c.get("scope");
      c.header("Server-Timing", `app;dur=${ms.toFixed(1)}, db;dur=${db.ms.toFixed(1)};desc="${db.calls} calls"`);
      const analytics = c.env?.ANALYTICS;
      if (analytics) {
        const point = {
          indexes: [route],
          blobs: [c.req.method, route, String(status)],
          doubles: [ms, db.ms, db.calls],
        };
        c.executionCtx.waitUntil(Promise.resolve().then(() => analytics.writeDataPoint(point)));
      }
    }
  };
