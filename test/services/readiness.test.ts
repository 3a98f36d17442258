import { describe, expect, it } from "vitest";
import { createReadiness } from "../../src/services/readiness";
import type { ProbeResult } from "../../src/services/readiness-probe";

function setup(result: ProbeResult = { ok: true }) {
  const clock = { now: 1_000_000 };
  const breaker = { state: "closed" as "closed" | "open" | "half-open", retryAfterMs: () => 12_300 };
  const probe = {
    calls: 0,
    result,
    pending: undefined as ((r: ProbeResult) => void) | undefined,
    deferred: false,
    async check(budgetMs: number) {
      expect(budgetMs).toBe(2_000);
      probe.calls++;
      if (probe.deferred) return new Promise<ProbeResult>((resolve) => (probe.pending = resolve));
      return probe.result;
    },
  };
  const readiness = createReadiness({ probe, breaker, now: () => clock.now });
  return { readiness, probe, breaker, clock };
}

describe("readiness", () => {
  it("reports the probe's answer with the database check", async () => {
    const { readiness } = setup();
    expect(await readiness.check()).toEqual({ ready: true, checks: { database: "ok" } });
    const down = setup({ ok: false, reason: "timeout" });
    expect(await down.readiness.check()).toMatchObject({
      ready: false,
      checks: { database: "timeout" },
      retryAfterMs: 5_000,
    });
  });

  it("reuses an answer for under a second, then asks again", async () => {
    const { readiness, probe, clock } = setup();
    await readiness.check();
    clock.now += 999;
    await readiness.check();
    expect(probe.calls).toBe(1);
    clock.now += 1;
    probe.result = { ok: false, reason: "unavailable" };
    expect((await readiness.check()).ready).toBe(false);
    expect(probe.calls).toBe(2);
  });

  it("shares one probe among concurrent checks", async () => {
    const { readiness, probe } = setup();
    probe.deferred = true;
    const checks = Array.from({ length: 5 }, () => readiness.check());
    probe.pending?.({ ok: true });
    expect((await Promise.all(checks)).every((r) => r.ready)).toBe(true);
    expect(probe.calls).toBe(1);
  });

  it("answers from the breaker while it is open, without probing", async () => {
    const { readiness, probe, breaker } = setup();
    breaker.state = "open";
    expect(await readiness.check()).toEqual({
      ready: false,
      checks: { database: "circuit open" },
      retryAfterMs: 12_300,
    });
    expect(probe.calls).toBe(0);
  });

  it("probes once the breaker is half-open, and reports what the database says", async () => {
    const { readiness, probe, breaker, clock } = setup();
    breaker.state = "half-open";
    expect(await readiness.check()).toEqual({ ready: true, checks: { database: "ok" } });
    probe.result = { ok: false, reason: "unavailable" };
    clock.now += 1_000;
    expect(await readiness.check()).toMatchObject({ ready: false, checks: { database: "unavailable" } });
    expect(probe.calls).toBe(2);
  });

  it("reports the identity provider's keys beside the database, without them deciding readiness", async () => {
    let health = "stale";
    const breaker = { state: "closed" as "closed" | "open" | "half-open", retryAfterMs: () => 7_000 };
    const readiness = createReadiness({
      probe: { check: async () => ({ ok: true as const }) },
      breaker,
      now: () => 0,
      keys: { health: () => health },
    });
    expect(await readiness.check()).toEqual({ ready: true, checks: { database: "ok", keys: "stale" } });
    health = "unavailable";
    breaker.state = "open";
    expect(await readiness.check()).toEqual({
      ready: false,
      checks: { database: "circuit open", keys: "unavailable" },
      retryAfterMs: 7_000,
    });
  });
});

describe("readiness with a setting that must not serve traffic", () => {
  it("is not ready, naming the setting beside the database's answer, and asks again a minute later", async () => {
    const readiness = createReadiness({
      probe: { check: async () => ({ ok: true }) },
      breaker: { state: "closed", retryAfterMs: () => 0 },
      now: () => 0,
      unsafeSettings: { webhooks: "WEBHOOK_ALLOW_LOCAL_RECEIVERS is on in a deployed environment: turn it off" },
    });
    expect(await readiness.check()).toEqual({
      ready: false,
      checks: {
        database: "ok",
        webhooks: "WEBHOOK_ALLOW_LOCAL_RECEIVERS is on in a deployed environment: turn it off",
      },
      retryAfterMs: 60_000,
    });
  });

  it("is ready with no such setting", async () => {
    const readiness = createReadiness({
      probe: { check: async () => ({ ok: true }) },
      breaker: { state: "closed", retryAfterMs: () => 0 },
      now: () => 0,
      unsafeSettings: {},
    });
    expect(await readiness.check()).toEqual({ ready: true, checks: { database: "ok" } });
  });
});
