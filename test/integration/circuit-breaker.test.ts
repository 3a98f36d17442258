import { afterEach, describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../src/repositories/circuit-breaker";
import { clearFaults, injectFaults, serverStats } from "../support/database";
import { liveApp } from "../support/live-app";
import { bearer, token } from "../support/tokens";

afterEach(() => clearFaults());

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
