import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { HOURLY } from "../../src/cron-schedule";
import { createMetrics } from "../../src/observability/metrics";
import { liveApp } from "../support/live-app";
import { recordingQueue } from "../support/recording-queue";
import { testApp } from "../support/test-app";
import { bearer, token } from "../support/tokens";

describe("metrics", () => {
  it("serves Prometheus text behind METRICS_TOKEN, labelled by route pattern", async () => {
    const { request } = await liveApp({ METRICS_TOKEN: "secret-metrics-token" });
    const t = await token();
    const id = crypto.randomUUID();
    await request(`/v1/orders/${id}`, { headers: bearer(t) });
    await request("/no/such/path");
    // RFC 6750: a missing or wrong token is 401 with a challenge; a malformed header is 400.
    const missing = await request("/metrics");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("WWW-Authenticate")).toBe('Bearer realm="metrics"');
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
    const wrong = await request("/metrics", { headers: { Authorization: "Bearer wrong" } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
    expect((await request("/metrics", { headers: { Authorization: "Basic d3Jvbmc=" } })).status).toBe(400);
    const res = await request("/metrics", { headers: { Authorization: "Bearer secret-metrics-token" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/v1/orders/:id",status="404"} 1');
    expect(text).toContain('route="unmatched",status="404"');
    expect(text).not.toContain(id);
    expect(text).toMatch(/^http_requests_in_flight 1$/m);
    expect(text).toMatch(/db_query_duration_seconds_count\{outcome="ok"\} \d+/);
    expect(text).toContain('circuit_breaker_state{state="closed"} 1');
  });

  it("counts the events pipeline: hand-overs by who made them, and the sweep's oldest pending event", async () => {
    let now = Date.now();
    const queue = recordingQueue();
    const { request, isolate } = await liveApp(
      { METRICS_TOKEN: "secret-metrics-token" },
      { eventQueue: queue.queue, clock: () => now },
    );
    const create = async () =>
      request("/v1/orders", {
        method: "POST",
        headers: { ...bearer(await token()), "Content-Type": "application/json" },
        body: JSON.stringify({ currency: "USD", items: [{ sku: "M", quantity: 1, unit_price: 1 }] }),
      });
    await create();
    queue.state.refusing = true;
    await create();
    queue.state.refusing = false;
    now += 90_000;
    await isolate.runCron(HOURLY);
    const text = await (
      await request("/metrics", { headers: { Authorization: "Bearer secret-metrics-token" } })
    ).text();
    expect(text).toContain('events_handed_over_total{by="request"} 1');
    // Both events wait for their fan-out (nothing consumed the queue here): the oldest is 90 s old.
    expect(text).toContain('events_handed_over_total{by="sweep"} 2');
    expect(text).toMatch(/^events_oldest_pending_seconds 90$/m);
    expect(text).toMatch(/^# TYPE webhook_deliveries_total counter$/m);
    expect(text).toMatch(/^# TYPE webhook_endpoints_disabled_total counter$/m);
  });

  it("is disabled when METRICS_TOKEN is unset", async () => {
    const { app } = testApp();
    expect((await app.request("/metrics", { headers: { Authorization: "Bearer x" } })).status).toBe(404);
  });

  it("writes one Analytics Engine data point per request through waitUntil", async () => {
    const points: unknown[] = [];
    const analytics = { writeDataPoint: (p: unknown) => points.push(p) };
    const { app } = testApp({ metrics: createMetrics(), env: { ANALYTICS: analytics } });
    const ctx = createExecutionContext();
    const res = await app.request("/healthz", {}, env, ctx);
    expect(res.status).toBe(200);
    await waitOnExecutionContext(ctx);
    expect(points).toEqual([
      { indexes: ["/healthz"], blobs: ["GET", "/healthz", "200"], doubles: [expect.any(Number), 0, 0] },
    ]);
  });
});
