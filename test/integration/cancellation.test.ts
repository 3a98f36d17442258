import { afterEach, describe, expect, it, vi } from "vitest";
import { CircuitBreaker } from "../../src/repositories/circuit-breaker";
import { clearFaults, injectFaults } from "../support/database";
import { liveApp } from "../support/live-app";
import { bearer, token } from "../support/tokens";

afterEach(() => clearFaults());

const cancelledLine = (lines: Record<string, unknown>[]) => lines.filter((l) => l.msg === "request cancelled");

describe("a database call its request gave up on", () => {
  it("is logged once at debug with the request id, never as an error", async () => {
    const { request, lines, database } = await liveApp({ REQUEST_TIMEOUT_MS: "100", DB_TIMEOUT_MS: "5000" });
    const t = await token();
    await injectFaults({ latencyMs: 2_000, database, times: 1 });
    const res = await request("/v1/orders", { headers: { ...bearer(t), "X-Request-Id": "deadline-1" } });
    expect(res.status).toBe(504);
    await vi.waitFor(() => expect(cancelledLine(lines)).toHaveLength(1), { timeout: 10_000 });
    expect(cancelledLine(lines)[0]).toMatchObject({ level: "debug", request_id: "deadline-1" });
    // The one error is the 504 the client got; the call cut short behind it is no second failure.
    expect(lines.filter((l) => l.level === "error").map((l) => l.code)).toEqual(["TIMEOUT"]);
  });

  it("is logged at debug, not as an error, when the client goes away", async () => {
    const { request, lines, database } = await liveApp({ DB_TIMEOUT_MS: "5000" });
    const t = await token();
    await injectFaults({ latencyMs: 2_000, database, times: 1 });
    const client = new AbortController();
    // The client hangs up while the request is on its way in: the database is never asked.
    const pending = Promise.resolve(
      request("/v1/orders", { headers: { ...bearer(t), "X-Request-Id": "gone-1" }, signal: client.signal }),
    );
    client.abort();
    await pending.catch(() => undefined);
    await vi.waitFor(() => expect(cancelledLine(lines)).toHaveLength(1), { timeout: 10_000 });
    expect(cancelledLine(lines)[0]).toMatchObject({ level: "debug", request_id: "gone-1" });
    expect(lines.filter((l) => l.level === "error")).toEqual([]);
  });

  it("counts neither way: a cancelled half-open probe frees the slot and leaves the breaker open", async () => {
    const clock = { now: Date.now() };
    const breaker = new CircuitBreaker({ now: () => clock.now, minimumCalls: 2 });
    // Two isolates around one breaker: the default deadline where a request must not time out
    // (however busy the machine), a 100 ms one for the probe that is meant to.
    const normal = await liveApp({}, { breaker, clock: () => clock.now });
    const hasty = await liveApp(
      { REQUEST_TIMEOUT_MS: "100", DB_TIMEOUT_MS: "5000" },
      { breaker, clock: () => clock.now },
    );
    const t = await token();
    await injectFaults({ status: 503, database: normal.database, times: 2 });
    for (let i = 0; i < 2; i++) expect((await normal.request("/v1/orders", { headers: bearer(t) })).status).toBe(503);
    expect(breaker.state).toBe("open");

    clock.now += 30_001;
    expect(breaker.state).toBe("half-open");
    // The probe hangs past the request deadline: the request gets 504 and the call is cancelled.
    await injectFaults({ latencyMs: 2_000, database: hasty.database, times: 1 });
    expect((await hasty.request("/v1/orders", { headers: bearer(t) })).status).toBe(504);
    await vi.waitFor(() => expect(breaker.state).toBe("half-open"), { timeout: 10_000 });
    // The slot is free again: the next request is the probe, and its success closes the breaker.
    expect((await normal.request("/v1/orders", { headers: bearer(t) })).status).toBe(200);
    expect(breaker.state).toBe("closed");
  });
});
