import { describe, expect, it } from "vitest";
import { CircuitBreaker, CircuitOpenError } from "../../src/repositories/circuit-breaker";

function breaker() {
  // A real epoch, not 0: a timestamp of 0 is falsy and would hide mistakes in the window's arithmetic.
  let now = Date.parse("2026-11-25T12:00:00.000Z");
  const b = new CircuitBreaker({ now: () => now });
  return { b, advance: (ms: number) => (now += ms) };
}

const calls = (b: CircuitBreaker, ok: boolean, n: number) => {
  for (let i = 0; i < n; i++) {
    b.acquire();
    if (ok) b.success();
    else b.failure();
  }
};

describe("CircuitBreaker", () => {
  it("stays closed below 20 calls, even if all failed", () => {
    const { b } = breaker();
    calls(b, false, 19);
    expect(b.state).toBe("closed");
  });

  it("trips when 60% of at least 20 calls in the window failed", () => {
    const { b } = breaker();
    calls(b, true, 8);
    calls(b, false, 11);
    expect(b.state).toBe("closed");
    calls(b, false, 1);
    expect(b.state).toBe("open");
    expect(() => b.acquire()).toThrow(CircuitOpenError);
  });

  it("does not trip below 60%", () => {
    const { b } = breaker();
    calls(b, true, 9);
    calls(b, false, 11);
    expect(b.state).toBe("closed");
  });

  it("forgets outcomes older than 60 s", () => {
    const { b, advance } = breaker();
    calls(b, false, 15);
    advance(61_000);
    calls(b, false, 10);
    expect(b.state).toBe("closed");
  });

  it("fails fast while open, then lets exactly one probe through after 30 s", () => {
    const { b, advance } = breaker();
    calls(b, false, 20);
    advance(10_000);
    const err = (() => {
      try {
        b.acquire();
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect((err as CircuitOpenError).retryAfterMs).toBe(20_000);
    advance(20_000);
    expect(b.state).toBe("half-open");
    b.acquire();
    expect(() => b.acquire()).toThrow(CircuitOpenError);
    b.success();
    expect(b.state).toBe("closed");
    b.acquire();
  });

  it("opens again when the probe fails", () => {
    const { b, advance } = breaker();
    calls(b, false, 20);
    advance(30_000);
    b.acquire();
    b.failure();
    expect(b.state).toBe("open");
    advance(29_000);
    expect(() => b.acquire()).toThrow(CircuitOpenError);
  });

  it("counts a cancelled call neither way", () => {
    const { b } = breaker();
    for (let i = 0; i < 100; i++) {
      b.acquire();
      b.release();
    }
    calls(b, false, 19);
    expect(b.state).toBe("closed");
  });

  it("frees the probe slot and stays open when the half-open probe is cancelled", () => {
    const { b, advance } = breaker();
    calls(b, false, 20);
    advance(30_000);
    b.acquire();
    expect(() => b.acquire()).toThrow(CircuitOpenError);
    b.release();
    expect(b.state).toBe("half-open");
    expect(b.retryAfterMs()).toBe(1_000);
    // The next caller is the probe, and only it.
    b.acquire();
    expect(() => b.acquire()).toThrow(CircuitOpenError);
    b.failure();
    expect(b.state).toBe("open");
    expect(b.retryAfterMs()).toBe(30_000);
  });

  it("tells readiness how long until a probe may go through, and nothing while closed", () => {
    const { b, advance } = breaker();
    expect(b.retryAfterMs()).toBe(0);
    calls(b, false, 20);
    advance(12_500);
    expect(b.retryAfterMs()).toBe(17_500);
  });

  it("forgets outcomes older than its window", () => {
    const { b, advance } = breaker();
    calls(b, false, 19);
    advance(60_001);
    calls(b, false, 1);
    expect(b.state).toBe("closed");
    calls(b, false, 18);
    expect(b.state).toBe("closed");
    calls(b, false, 1);
    expect(b.state).toBe("open");
  });

  it("keeps an outcome exactly at the edge of the window", () => {
    const { b, advance } = breaker();
    calls(b, false, 19);
    advance(60_000);
    calls(b, false, 1);
    expect(b.state).toBe("open");
  });

  it("judges by the last hundred calls once there are more", () => {
    const { b } = breaker();
    calls(b, true, 100);
    calls(b, false, 59);
    expect(b.state).toBe("closed");
    // 60 of the last 100 failed: over the ratio, though not of all 160 calls.
    calls(b, false, 1);
    expect(b.state).toBe("open");
  });

  it("counts each remembered call once when its ring is full", () => {
    const { b } = breaker();
    calls(b, false, 1);
    calls(b, true, 41);
    calls(b, false, 58);
    // The ring holds exactly these 100 calls, the oldest a failure: 59 failed, under the ratio.
    expect(b.state).toBe("closed");
  });

  it("starts afresh after recovering: earlier failures no longer count", () => {
    const { b, advance } = breaker();
    calls(b, false, 20);
    advance(30_000);
    b.acquire();
    b.success();
    expect(b.state).toBe("closed");
    calls(b, false, 19);
    expect(b.state).toBe("closed");
  });

  it("is not held open longer by calls that were already in flight when it tripped", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 21; i++) b.acquire();
    for (let i = 0; i < 20; i++) b.failure();
    expect(b.state).toBe("open");
    advance(10_000);
    b.failure();
    expect(b.retryAfterMs()).toBe(20_000);
  });

  it("ignores a release while closed", () => {
    const { b } = breaker();
    b.acquire();
    b.release();
    expect(b.state).toBe("closed");
    expect(() => b.acquire()).not.toThrow();
  });

  it("names its refusal", () => {
    const { b } = breaker();
    calls(b, false, 20);
    const err = (() => {
      try {
        b.acquire();
      } catch (e) {
        return e;
      }
    })();
    expect(err).toMatchObject({ name: "CircuitOpenError", message: "circuit breaker is open" });
  });
});
