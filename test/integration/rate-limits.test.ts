import { describe, expect, it } from "vitest";
import { liveApp } from "../support/live-app";
import { testApp } from "../support/test-app";
import { bearer, token } from "../support/tokens";

describe("rate limits", () => {
  // How the quota refills over time is GCRA's, tested with an injected clock (test/limiters); here a
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
