import { describe, expect, it } from "vitest";
import { gcra } from "../../src/limiters/gcra";

function run(times: number[], rule = { limit: 5, periodSeconds: 10 }) {
  let tat = 0;
  return times.map((t) => {
    const r = gcra(tat, t, rule);
    tat = r.tat;
    return r.decision;
  });
}

describe("gcra", () => {
  it("allows a burst of the whole quota, then refuses", () => {
    const decisions = run([0, 0, 0, 0, 0, 0]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
    expect(decisions[5]?.retryAfterMs).toBe(2_000);
    expect(decisions[4]?.resetMs).toBe(10_000);
  });

  it("lets one more through each period/limit after the burst", () => {
    const decisions = run([0, 0, 0, 0, 0, 1_999, 2_000, 2_001]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, true, false]);
  });

  it("is fully recovered after a quiet period", () => {
    const decisions = run([0, 0, 0, 0, 0, 10_000]);
    expect(decisions[5]).toMatchObject({ allowed: true, remaining: 4 });
  });

  it("never counts refused requests against the caller", () => {
    const decisions = run([0, 0, 0, 0, 0, 100, 200, 300, 2_000]);
    expect(decisions.at(-1)?.allowed).toBe(true);
  });
});

describe("gcra at any point in time", () => {
  const base = 1_764_072_000_000;
  it("says when the quota is whole again and when the next request may come", () => {
    const decisions = run([base, base, base, base, base, base + 500]);
    expect(decisions[0]).toEqual({ allowed: true, remaining: 4, resetMs: 2_000, retryAfterMs: 0 });
    expect(decisions[4]).toEqual({ allowed: true, remaining: 0, resetMs: 10_000, retryAfterMs: 0 });
    expect(decisions[5]).toEqual({ allowed: false, remaining: 0, resetMs: 9_500, retryAfterMs: 1_500 });
  });
});
