import { describe, expect, it } from "vitest";
import { createLocalLimiter } from "../../src/limiters/local-limiter";

const rule = { limit: 3, periodSeconds: 60 };

describe("the in-isolate limiter", () => {
  it("allows the quota, refuses the next, and refills with time", async () => {
    const clock = { now: Date.parse("2026-11-25T12:00:00.000Z") };
    const limiter = createLocalLimiter({ now: () => clock.now });
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.check("ip:a", rule));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
    expect(decisions[3]?.retryAfterMs).toBe(20_000);
    clock.now += 19_999;
    expect((await limiter.check("ip:a", rule)).allowed).toBe(false);
    clock.now += 1;
    expect((await limiter.check("ip:a", rule)).allowed).toBe(true);
  });

  it("counts each key on its own", async () => {
    const limiter = createLocalLimiter({ now: () => 1_000_000 });
    for (let i = 0; i < 3; i++) await limiter.check("ip:a", rule);
    expect((await limiter.check("ip:a", rule)).allowed).toBe(false);
    expect((await limiter.check("ip:b", rule)).allowed).toBe(true);
  });

  it("holds at most maxKeys, forgetting the least recently seen", async () => {
    const limiter = createLocalLimiter({ now: () => 1_000_000, maxKeys: 2 });
    for (let i = 0; i < 3; i++) await limiter.check("ip:a", rule);
    await limiter.check("ip:b", rule);
    await limiter.check("ip:c", rule);
    expect(limiter.size).toBe(2);
    // b is remembered (its second request), and is now the most recently seen.
    expect((await limiter.check("ip:b", rule)).remaining).toBe(1);
    // a was forgotten when c came: it starts afresh, and pushes out c, now the least recently seen.
    expect((await limiter.check("ip:a", rule)).remaining).toBe(2);
    expect((await limiter.check("ip:c", rule)).remaining).toBe(2);
    expect(limiter.size).toBe(2);
  });
});
