import { describe, expect, it } from "vitest";
import type { RateLimiterClient, RateLimitRule } from "../../src/limiters/limiter";
import { createLocalLimiter } from "../../src/limiters/local-limiter";
import { withRefusalCache } from "../../src/limiters/refusal-cache";

const rule: RateLimitRule = { limit: 3, periodSeconds: 60 };
const start = Date.parse("2026-11-25T12:00:00.000Z");

/**
 * Stands in for the Durable Object: real GCRA on the shared clock, each call counted, and each
 * call taking `latencyMs` of that clock, as a remote call does.
 */
function remoteLimiter(clock: { now: number }) {
  const gcra = createLocalLimiter({ now: () => clock.now });
  const remote = {
    calls: 0,
    latencyMs: 0,
    async check(key: string, r: RateLimitRule) {
      remote.calls++;
      clock.now += remote.latencyMs;
      return gcra.check(key, r);
    },
  } satisfies RateLimiterClient & { calls: number; latencyMs: number };
  return remote;
}

/** A clock at `start`, the remote limiter on it, and the cache in front of that. */
function setUp(maxKeys?: number) {
  const clock = { now: start };
  const remote = remoteLimiter(clock);
  return { clock, remote, cached: withRefusalCache(remote, { now: () => clock.now, maxKeys }) };
}

describe("the refusal cache in front of the remote limiter", () => {
  it("answers exactly what the limiter alone would, at every step, with fewer calls", async () => {
    const { clock, remote, cached } = setUp();
    const reference = createLocalLimiter({ now: () => clock.now });
    // A caller hammering past its limit, then trickling along the refill boundary.
    const steps = [0, 0, 0, 0, 1, 5_000, 19_999, 1, 1, 10_000, 9_999, 1, 0, 20_000, 0, 0];
    for (const step of steps) {
      clock.now += step;
      expect(await cached.check("user:a", rule)).toEqual(await reference.check("user:a", rule));
    }
    expect(remote.calls).toBeLessThan(steps.length);
  });

  it("asks the limiter once per refusal, then not again until it would admit", async () => {
    const { clock, remote, cached } = setUp();
    for (let i = 0; i < 3; i++) expect((await cached.check("user:a", rule)).allowed).toBe(true);
    const refused = await cached.check("user:a", rule);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 20_000 });
    expect(remote.calls).toBe(4);

    clock.now += 5_000;
    expect(await cached.check("user:a", rule)).toEqual({
      allowed: false,
      remaining: 0,
      resetMs: 55_000,
      retryAfterMs: 15_000,
    });
    clock.now += 14_999;
    expect((await cached.check("user:a", rule)).allowed).toBe(false);
    expect(remote.calls).toBe(4);

    clock.now += 1;
    expect((await cached.check("user:a", rule)).allowed).toBe(true);
    expect(remote.calls).toBe(5);
    // A refusal past its time is not kept: only live refusals take memory.
    expect(cached.size).toBe(0);
  });

  it("never refuses past the refusal: its expiry is measured from before the call", async () => {
    const { clock, remote, cached } = setUp();
    for (let i = 0; i < 3; i++) await cached.check("user:a", rule);
    // This call takes 100 ms: the limiter decides at start + 100 that the next admission is at
    // start + 20 000, 19 900 ms later.
    remote.latencyMs = 100;
    expect((await cached.check("user:a", rule)).retryAfterMs).toBe(19_900);
    remote.latencyMs = 0;
    // The cache counts those 19 900 ms from when it asked: it stops answering 100 ms early and asks.
    clock.now = start + 19_899;
    expect((await cached.check("user:a", rule)).allowed).toBe(false);
    expect(remote.calls).toBe(4);
    clock.now = start + 19_900;
    expect((await cached.check("user:a", rule)).allowed).toBe(false);
    expect(remote.calls).toBe(5);
    clock.now = start + 20_000;
    expect((await cached.check("user:a", rule)).allowed).toBe(true);
    expect(remote.calls).toBe(6);
  });

  it("never caches an admission: every allowed request is the limiter's to count", async () => {
    const { remote, cached } = setUp();
    for (let i = 0; i < 3; i++) await cached.check("user:a", rule);
    expect(remote.calls).toBe(3);
    expect(cached.size).toBe(0);
  });

  it("keeps each key's refusal to itself", async () => {
    const { cached } = setUp();
    for (let i = 0; i < 4; i++) await cached.check("user:a", rule);
    expect((await cached.check("user:b", rule)).allowed).toBe(true);
  });

  it("holds at most maxKeys refusals, forgetting the oldest (which then asks the limiter again)", async () => {
    const { remote, cached } = setUp(2);
    for (const key of ["user:a", "user:b", "user:c"]) for (let i = 0; i < 4; i++) await cached.check(key, rule);
    expect(cached.size).toBe(2);
    const calls = remote.calls;
    expect((await cached.check("user:a", rule)).allowed).toBe(false);
    expect(remote.calls).toBe(calls + 1);
    expect((await cached.check("user:c", rule)).allowed).toBe(false);
    expect(remote.calls).toBe(calls + 1);
  });

  it("passes the limiter's failures on and remembers nothing of them", async () => {
    let calls = 0;
    const failing: RateLimiterClient = {
      check: async () => {
        calls++;
        throw new Error("Durable Object reset");
      },
    };
    const cached = withRefusalCache(failing, { now: () => start });
    await expect(cached.check("user:a", rule)).rejects.toThrow("Durable Object reset");
    await expect(cached.check("user:a", rule)).rejects.toThrow("Durable Object reset");
    expect(calls).toBe(2);
  });
});
