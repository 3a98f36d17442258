import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/observability/metrics";
import { CircuitBreaker } from "../../src/repositories/circuit-breaker";
import { clearFaults, injectFaults, serverStats } from "../support/database";
import { liveApp } from "../support/live-app";
import { testApp } from "../support/test-app";
import { bearer, token } from "../support/tokens";

afterEach(() => clearFaults());

const json = { "Content-Type": "application/json" };

describe("rate limits (Durable Object)", () => {
  // How the quota refills over time is GCRA's, tested with an injected clock (test/rate-limit); here a
  // window of an hour keeps a slow machine from refilling anything between the requests.
  it("answers a burst beyond the IP limit with 429 and headers, and other clients are not affected", async () => {
    const { request } = await liveApp({ RATE_LIMIT_IP: "5/3600s" });
    const ip = { "CF-Connecting-IP": `198.51.100.${Math.floor(Math.random() * 250)}` };
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await request("/v1/orders", { headers: ip }));
    expect(answers.slice(0, 5).map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    expect(answers[0]?.headers.get("RateLimit-Policy")).toBe('"ip";q=5;w=3600');
    expect(answers[0]?.headers.get("RateLimit")).toMatch(/^"ip";r=4;t=\d+$/);
    const refused = answers[5];
    if (!refused) throw new Error("sixth answer missing");
    expect(refused.status).toBe(429);
    // The next request is allowed one interval (3600 s / 5) after the first, less the time taken.
    const retryAfter = Number(refused.headers.get("Retry-After"));
    expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 720).toBe(true);
    expect(refused.headers.get("RateLimit")).toMatch(/^"ip";r=0;t=\d+$/);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMIT_EXCEEDED");

    // Another client is not affected.
    expect((await request("/v1/orders", { headers: { "CF-Connecting-IP": "203.0.113.9" } })).status).toBe(401);
  });

  it("stops a flood of forged tokens at the IP limit, before any signature check", async () => {
    const { request, lines } = await liveApp({ RATE_LIMIT_IP: "3/60s" });
    const ip = { "CF-Connecting-IP": "192.0.2.77" };
    const forged = await token({ secret: "forged-forged-forged-forged-forged-forged" });
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await request("/v1/orders", { headers: { ...ip, ...bearer(forged) } })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const rejectedTokens = lines.filter((l) => String(l.detail ?? "").startsWith("token rejected"));
    expect(rejectedTokens).toHaveLength(3);
  });

  it("limits each caller after auth, across IPs", async () => {
    const { request } = await liveApp({ RATE_LIMIT_USER: "2/60s" });
    const t = await token();
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await request("/v1/orders", { headers: { ...bearer(t), "CF-Connecting-IP": `10.9.0.${i}` } });
      statuses.push(res.status);
      if (i === 0) expect(res.headers.get("RateLimit-Policy")).toContain('"user";q=2;w=60');
    }
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("refills the IP quota with time, and counts only calls to the Durable Object", async () => {
    const clock = { now: Date.now() };
    const { request } = await liveApp({ RATE_LIMIT_IP: "2/60s", METRICS_TOKEN: "m" }, { clock: () => clock.now });
    const ip = { "CF-Connecting-IP": "192.0.2.33" };
    const t = await token();
    const remoteCalls = async () => {
      const text = await (await request("/metrics", { headers: { Authorization: "Bearer m" } })).text();
      return Number(/rate_limiter_remote_calls_total\{policy="user"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    // An allowed orders request: the IP layer in the isolate, then exactly one Durable Object call.
    expect((await request("/v1/orders", { headers: { ...ip, ...bearer(t) } })).status).toBe(200);
    expect(await remoteCalls()).toBe(1);
    expect((await request("/v1/orders", { headers: { ...ip, ...bearer(t) } })).status).toBe(200);
    // Refused by the IP layer: no remote call at all.
    const refused = await request("/v1/orders", { headers: { ...ip, ...bearer(t) } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("30");
    expect(await remoteCalls()).toBe(2);
    clock.now += 30_000;
    expect((await request("/v1/orders", { headers: { ...ip, ...bearer(t) } })).status).toBe(200);
    expect(await remoteCalls()).toBe(3);
  });

  it("refuses a caller over its limit in the isolate until the Durable Object would admit it again", async () => {
    const clock = { now: Date.now() };
    const { request } = await liveApp({ RATE_LIMIT_USER: "2/3600s", METRICS_TOKEN: "m" }, { clock: () => clock.now });
    const caller = bearer(await token());
    const remoteCalls = async () => {
      const text = await (await request("/metrics", { headers: { Authorization: "Bearer m" } })).text();
      return Number(/rate_limiter_remote_calls_total\{policy="user"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await request("/v1/orders", { headers: caller })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(await remoteCalls()).toBe(3);
    // Retrying while refused: the same answer, from the isolate, with no remote call.
    clock.now += 60_000;
    const again = await request("/v1/orders", { headers: caller });
    expect(again.status).toBe(429);
    expect(again.headers.get("RateLimit")).toMatch(/"user";r=0;t=\d+$/);
    // 1800 s from the refusal, 60 s of which have passed (less the test's own time).
    const retryAfter = Number(again.headers.get("Retry-After"));
    expect(retryAfter > 1_000 && retryAfter <= 1_740).toBe(true);
    expect(await remoteCalls()).toBe(3);
    // Past the refusal (in this isolate's clock) the Durable Object is asked again: it keeps its
    // own clock, which has not moved, so it refuses, and that refusal is remembered in turn.
    clock.now += 1_800_000;
    expect((await request("/v1/orders", { headers: caller })).status).toBe(429);
    expect(await remoteCalls()).toBe(4);
    expect((await request("/v1/orders", { headers: caller })).status).toBe(429);
    expect(await remoteCalls()).toBe(4);
  });

  it("exempts the probes", async () => {
    const { request } = await liveApp({ RATE_LIMIT_IP: "1/60s" });
    const ip = { "CF-Connecting-IP": "192.0.2.200" };
    for (let i = 0; i < 3; i++) {
      const res = await request("/healthz", { headers: ip });
      expect(res.status).toBe(200);
      expect(res.headers.get("RateLimit")).toBeNull();
    }
  });

  it("fails open, and logs, when the limiter itself fails", async () => {
    const { app, lines } = testApp({
      limiter: { check: async () => Promise.reject(new Error("Durable Object reset")) },
    });
    const res = await app.request("/v1/orders", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(lines.some((l) => l.msg === "rate limiter unavailable, failing open" && l.level === "warn")).toBe(true);
  });
});

describe("deadlines", () => {
  it("answers 504 TIMEOUT at the request deadline when the database hangs", async () => {
    const { request, database } = await liveApp({ REQUEST_TIMEOUT_MS: "500", DB_TIMEOUT_MS: "5000" });
    const t = await token();
    expect((await request("/v1/orders", { headers: bearer(t) })).status).toBe(200);
    await injectFaults({ latencyMs: 3_000, database });
    const res = await request("/v1/orders", { headers: bearer(t) });
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("TIMEOUT");
  });

  it("answers 503 at the database deadline, within the request's budget", async () => {
    const { request, database } = await liveApp({ REQUEST_TIMEOUT_MS: "5000", DB_TIMEOUT_MS: "300" });
    const t = await token();
    expect((await request("/v1/orders", { headers: bearer(t) })).status).toBe(200);
    await injectFaults({ latencyMs: 3_000, database });
    const res = await request("/v1/orders", { headers: bearer(t) });
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBeTruthy();
  });
});

describe("circuit breaker", () => {
  it("trips after repeated failures, fails fast without touching the database, and recovers", async () => {
    let now = Date.now();
    const breaker = new CircuitBreaker({ now: () => now });
    const { request, database } = await liveApp({ METRICS_TOKEN: "m" }, { breaker });
    const t = await token();
    expect((await request("/v1/orders", { headers: bearer(t) })).status).toBe(200);

    await injectFaults({ status: 503, database });
    for (let i = 0; i < 20; i++) expect((await request("/v1/orders", { headers: bearer(t) })).status).toBe(503);
    expect(breaker.state).toBe("open");

    const before = (await serverStats()).byDatabase[database]?.roundTrips ?? 0;
    await clearFaults();
    const fast = await request("/v1/orders", { headers: bearer(t) });
    expect(fast.status).toBe(503);
    expect(Number(fast.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await serverStats()).byDatabase[database]?.roundTrips ?? 0).toBe(before);

    const ready = await request("/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "unavailable", checks: { database: "circuit open" } });
    const metrics = await (await request("/metrics", { headers: { Authorization: "Bearer m" } })).text();
    expect(metrics).toContain('circuit_breaker_state{state="open"} 1');

    now += 30_001;
    expect((await request("/v1/orders", { headers: bearer(t) })).status).toBe(200);
    expect(breaker.state).toBe("closed");
    expect((await request("/readyz")).status).toBe(200);
  });
});

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

  it("is disabled when METRICS_TOKEN is unset", async () => {
    const { app } = testApp();
    expect((await app.request("/metrics", { headers: { Authorization: "Bearer x" } })).status).toBe(404);
  });

  it("writes one Analytics Engine data point per request through waitUntil", async () => {
    const points: unknown[] = [];
    const waited: Promise<unknown>[] = [];
    const { app } = testApp({ metrics: createMetrics() });
    const bindings = { ...env, ANALYTICS: { writeDataPoint: (p: unknown) => points.push(p) } };
    const ctx = { waitUntil: (p: Promise<unknown>) => waited.push(p), passThroughOnException: () => {}, props: {} };
    const res = await app.request("/healthz", {}, bindings, ctx as unknown as ExecutionContext);
    expect(res.status).toBe(200);
    await Promise.all(waited);
    expect(points).toEqual([
      { indexes: ["/healthz"], blobs: ["GET", "/healthz", "200"], doubles: [expect.any(Number), 0, 0] },
    ]);
  });
});

describe("headers", () => {
  it("sends Server-Timing with app and database time", async () => {
    const { request } = await liveApp();
    const res = await request("/v1/orders", { headers: bearer(await token()) });
    expect(res.headers.get("Server-Timing")).toMatch(/^db;dur=[\d.]+;desc="1 call",total;dur=[\d.]+;desc="app"$/);
  });

  it("leaves the db metric out of Server-Timing when the database was not called", async () => {
    const { request } = await liveApp();
    const res = await request("/v1/orders");
    expect(res.status).toBe(401);
    expect(res.headers.get("Server-Timing")).toMatch(/^total;dur=[\d.]+;desc="app"$/);
  });

  it("sends Server-Timing only where the database is waited on: on /healthz it could only say 0", async () => {
    const { request } = await liveApp();
    for (const path of ["/healthz", "/metrics", "/nope"]) {
      expect((await request(path)).headers.get("Server-Timing"), path).toBeNull();
    }
    expect((await request("/readyz")).headers.get("Server-Timing")).toMatch(/total;dur=/);
  });

  it("answers CORS preflights for allowed origins on known paths only", async () => {
    const { app } = testApp({ env: { CORS_ORIGINS: "https://shop.example" } });
    const preflight = (path: string, origin: string) =>
      app.request(path, {
        method: "OPTIONS",
        headers: {
          Origin: origin,
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "content-type",
        },
      });
    const ok = await preflight("/v1/orders", "https://shop.example");
    expect(ok.status).toBe(204);
    expect(ok.headers.get("Access-Control-Allow-Origin")).toBe("https://shop.example");
    expect(new Set(ok.headers.get("Access-Control-Allow-Methods")?.split(/,\s*/))).toEqual(
      new Set(["GET", "HEAD", "POST", "OPTIONS"]),
    );
    expect(ok.headers.get("Access-Control-Allow-Headers")).toContain("Idempotency-Key");
    expect(new Set(ok.headers.get("Allow")?.split(", "))).toEqual(new Set(["GET", "HEAD", "POST", "OPTIONS"]));

    const stranger = await preflight("/v1/orders", "https://evil.example");
    expect(stranger.status).toBe(204);
    expect(stranger.headers.get("Access-Control-Allow-Origin")).toBeNull();

    expect((await preflight("/nowhere", "https://shop.example")).status).toBe(404);

    const simple = await app.request("/healthz", { headers: { Origin: "https://shop.example" } });
    expect(simple.headers.get("Access-Control-Allow-Origin")).toBe("https://shop.example");
    expect(simple.headers.get("Access-Control-Expose-Headers")).toContain("X-Request-Id");
  });

  it("sends no CORS headers when no origins are configured", async () => {
    const { app } = testApp();
    const res = await app.request("/healthz", { headers: { Origin: "https://shop.example" } });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});

describe("the logging contract", () => {
  it("gives every line the request id and never logs tokens, Authorization or bodies", async () => {
    const { request, raw, lines, database } = await liveApp();
    const t = await token();
    const secretSku = "SECRET-SKU-42";
    await request("/v1/orders", {
      method: "POST",
      headers: { ...bearer(t), ...json, "X-Request-Id": "req-a" },
      body: JSON.stringify({ currency: "USD", items: [{ sku: secretSku, quantity: 1, unit_price: 1 }] }),
    });
    await request("/v1/orders", {
      method: "POST",
      headers: { ...bearer(t), ...json, "X-Request-Id": "req-b" },
      body: "{bad",
    });
    await injectFaults({ status: 500, database });
    await request("/v1/orders", { headers: { ...bearer(t), "X-Request-Id": "req-c" } });
    await request("/v1/orders", { headers: { Authorization: "Bearer not.a.token", "X-Request-Id": "req-d" } });

    expect(lines.length).toBeGreaterThan(4);
    for (const line of lines) expect(["req-a", "req-b", "req-c", "req-d"]).toContain(line.request_id);
    const all = raw.join("\n");
    expect(all).not.toContain(t);
    expect(all).not.toContain("not.a.token");
    expect(all).not.toContain(secretSku);
    expect(all).not.toMatch(/authorization/i);
    expect(lines.some((l) => l.request_id === "req-c" && l.level === "error" && l.code === "SERVICE_UNAVAILABLE")).toBe(
      true,
    );
  });
});
