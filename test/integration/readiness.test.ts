import { afterEach, describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../src/repositories/circuit-breaker";
import { clearFaults, injectFaults, serverStats } from "../support/database";
import { liveApp } from "../support/live-app";
import { bearer, token } from "../support/tokens";

afterEach(() => clearFaults());

/** The production isolate on a fresh database, with its clock in the test's hands. */
async function readinessApp(vars: Record<string, string> = {}, breakerOptions = {}) {
  const clock = { now: Date.now() };
  const breaker = new CircuitBreaker({ now: () => clock.now, ...breakerOptions });
  const live = await liveApp(vars, { clock: () => clock.now, breaker });
  const roundTrips = async () => (await serverStats()).byDatabase[live.database]?.roundTrips ?? 0;
  return { ...live, clock, breaker, roundTrips, readyz: () => live.request("/readyz") };
}

describe("GET /readyz", () => {
  it("is ready when the database answers SELECT 1", async () => {
    const { readyz } = await readinessApp();
    const res = await readyz();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready", checks: { database: "ok" } });
  });

  it("is unavailable, with the reason, when the database connection drops", async () => {
    const { readyz, database } = await readinessApp();
    await injectFaults({ drop: true, database });
    const res = await readyz();
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("5");
    expect(await res.json()).toEqual({ status: "unavailable", checks: { database: "unavailable" } });
  });

  it("answers 503 timeout when the database does not answer within the probe's deadline, and recovers", async () => {
    // The probe's own 2 s budget, not a short DB_TIMEOUT_MS: the recovery below must not time out
    // however busy the machine is.
    const { readyz, database, clock } = await readinessApp();
    await injectFaults({ latencyMs: 3_000, database, times: 1 });
    const res = await readyz();
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "unavailable", checks: { database: "timeout" } });
    clock.now += 1_001;
    expect((await readyz()).status).toBe(200);
  });

  it("reuses an answer for a second: a flood of probes costs one query", async () => {
    const { readyz, roundTrips, clock, database } = await readinessApp();
    const before = await roundTrips();
    expect((await readyz()).status).toBe(200);
    await injectFaults({ status: 503, database });
    for (let i = 0; i < 10; i++) {
      clock.now += 90;
      expect((await readyz()).status).toBe(200);
    }
    expect((await roundTrips()) - before).toBe(1);
    clock.now += 100;
    expect((await readyz()).status).toBe(503);
  });

  it("lets concurrent probes share one database call", async () => {
    const { readyz, roundTrips, database } = await readinessApp();
    await injectFaults({ latencyMs: 300, database, times: 1 });
    const before = await roundTrips();
    const answers = await Promise.all(Array.from({ length: 20 }, () => readyz()));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect((await roundTrips()) - before).toBe(1);
  });

  it("does not let the client that started the shared probe cancel it for the others", async () => {
    const { request, roundTrips, database } = await readinessApp();
    await injectFaults({ latencyMs: 300, database, times: 1 });
    const before = await roundTrips();
    const first = new AbortController();
    const starter = Promise.resolve(request("/readyz", { signal: first.signal })).catch(() => undefined);
    const others = [request("/readyz"), request("/readyz")];
    first.abort();
    expect((await Promise.all(others)).map((r) => r.status)).toEqual([200, 200]);
    expect((await roundTrips()) - before).toBe(1);
    await starter;
  });

  it("never feeds the breaker: 40 failing probes leave it closed and the API serving", async () => {
    // Failing fast (503 from the endpoint), under the default deadlines: the API request at the end
    // must not time out however busy the machine is.
    const { readyz, request, breaker, clock, database } = await readinessApp();
    await injectFaults({ status: 503, database });
    for (let i = 0; i < 40; i++) {
      clock.now += 1_001;
      expect((await readyz()).status).toBe(503);
    }
    expect(breaker.state).toBe("closed");
    await clearFaults();
    expect((await request("/v1/orders", { headers: bearer(await token()) })).status).toBe(200);
  });

  it("reports an open breaker without a query, with the API's own Retry-After", async () => {
    const { readyz, request, breaker, clock, database, roundTrips } = await readinessApp({}, { minimumCalls: 2 });
    const t = await token();
    await injectFaults({ status: 503, database, times: 2 });
    for (let i = 0; i < 2; i++) expect((await request("/v1/orders", { headers: bearer(t) })).status).toBe(503);
    expect(breaker.state).toBe("open");
    clock.now += 10_000;
    const before = await roundTrips();
    const [ready, api] = [await readyz(), await request("/v1/orders", { headers: bearer(t) })];
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "unavailable", checks: { database: "circuit open" } });
    expect(api.status).toBe(503);
    expect(ready.headers.get("Retry-After")).toBe("20");
    expect(api.headers.get("Retry-After")).toBe("20");
    expect((await roundTrips()) - before).toBe(0);
  });

  it("reports the recovered database once the breaker is half-open, with no API traffic, without feeding it", async () => {
    const { readyz, request, breaker, clock, database } = await readinessApp({}, { minimumCalls: 2 });
    const t = await token();
    await injectFaults({ status: 503, database });
    for (let i = 0; i < 2; i++) expect((await request("/v1/orders", { headers: bearer(t) })).status).toBe(503);
    expect(breaker.state).toBe("open");
    // Still down when the open period ends: readiness asks and tells the truth.
    clock.now += 30_000;
    expect(breaker.state).toBe("half-open");
    const down = await readyz();
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: "unavailable", checks: { database: "unavailable" } });
    // The database comes back; only /readyz is polled.
    await clearFaults();
    for (let i = 0; i < 5; i++) {
      clock.now += 5_000;
      const res = await readyz();
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ready", checks: { database: "ok" } });
    }
    expect(breaker.state).toBe("half-open");
    expect((await request("/v1/orders", { headers: bearer(t) })).status).toBe(200);
    expect(breaker.state).toBe("closed");
  });

  it("is exempt from routing surprises: HEAD works, POST is 405", async () => {
    const { request } = await readinessApp();
    expect((await request("/readyz", { method: "HEAD" })).status).toBe(200);
    expect((await request("/readyz", { method: "POST" })).status).toBe(405);
  });
});
