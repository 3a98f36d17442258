import { describe, expect, it } from "vitest";
import type { RateLimitDecision } from "../../src/limiters/limiter";
import { testApp } from "../support/test-app";

/** The app with a limiter that always gives this decision (both layers; the IP layer answers first). */
const answerOf = async (decision: RateLimitDecision) => {
  const { app } = testApp({ limiter: { check: async () => decision } });
  return app.request("/v1/orders", { headers: { "CF-Connecting-IP": "192.0.2.1" } });
};

describe("rate limit headers", () => {
  it("rounds the limiter's milliseconds up to whole seconds, so a client never retries too soon", async () => {
    const res = await answerOf({ allowed: false, remaining: 0, resetMs: 9_500, retryAfterMs: 1_500 });
    expect(res.status).toBe(429);
    expect(res.headers.get("RateLimit")).toBe('"ip";r=0;t=10');
    expect(res.headers.get("Retry-After")).toBe("2");
  });

  it("never says Retry-After: 0 while refusing", async () => {
    const res = await answerOf({ allowed: false, remaining: 0, resetMs: 59_999.5, retryAfterMs: 0.5 });
    expect(res.headers.get("Retry-After")).toBe("1");
    expect(res.headers.get("RateLimit")).toBe('"ip";r=0;t=60');
  });

  it("states what is left on an allowed request, with no Retry-After", async () => {
    const res = await answerOf({ allowed: true, remaining: 7, resetMs: 2_001, retryAfterMs: 0 });
    expect(res.status).toBe(401);
    expect(res.headers.get("RateLimit")).toBe('"ip";r=7;t=3');
    expect(res.headers.get("Retry-After")).toBeNull();
  });
});
