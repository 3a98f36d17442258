import { describe, expect, it } from "vitest";
import type { Limiter } from "../../src/limiters/limiter";
import { testApp } from "../support/test-app";

/** The app with both Rate Limiting bindings answering this (the IP layer answers first). */
function appWhoseLimiter(answer: boolean | (() => never)) {
  const keys: string[] = [];
  const limiter: Limiter = {
    limit: async ({ key }) => {
      keys.push(key);
      if (typeof answer === "function") answer();
      return { success: answer === true };
    },
  };
  const { app, lines } = testApp({ limiter, env: { RATE_LIMIT_IP: "20/10s", RATE_LIMIT_USER: "5/60s" } });
  const get = (headers: Record<string, string> = {}) => app.request("/v1/orders", { headers });
  return { get, keys, lines };
}

describe("rate limit headers on the binding's answers", () => {
  it("states the policy on an allowed request, with no remaining count the binding cannot give", async () => {
    const res = await appWhoseLimiter(true).get({ "CF-Connecting-IP": "192.0.2.1" });
    expect(res.status).toBe(401);
    expect(res.headers.get("RateLimit-Policy")).toBe('"ip";q=20;w=10');
    expect(res.headers.get("RateLimit")).toBeNull();
    expect(res.headers.get("Retry-After")).toBeNull();
  });

  it("refuses with 429, none left for at most one period, and Retry-After of that period", async () => {
    const res = await appWhoseLimiter(false).get({ "CF-Connecting-IP": "192.0.2.1" });
    expect(res.status).toBe(429);
    expect(res.headers.get("RateLimit-Policy")).toBe('"ip";q=20;w=10');
    expect(res.headers.get("RateLimit")).toBe('"ip";r=0;t=10');
    expect(res.headers.get("Retry-After")).toBe("10");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMIT_EXCEEDED");
  });

  it("counts an IPv6 client by its /64 and an IPv4 client by its address, under the binding's key", async () => {
    const { get, keys } = appWhoseLimiter(true);
    await get({ "CF-Connecting-IP": "2001:db8:abcd:12::1" });
    await get({ "CF-Connecting-IP": "2001:DB8:ABCD:0012:ffff:ffff:ffff:ffff" });
    await get({ "CF-Connecting-IP": "198.51.100.7" });
    await get();
    expect(keys).toEqual(["2001:db8:abcd:12::/64", "2001:db8:abcd:12::/64", "198.51.100.7", "unknown"]);
  });

  it("fails open, and says so in the log, when the binding throws", async () => {
    const { get, lines } = appWhoseLimiter(() => {
      throw new Error("binding unavailable");
    });
    expect((await get({ "CF-Connecting-IP": "192.0.2.1" })).status).toBe(401);
    expect(lines.some((l) => l.msg === "rate limiter unavailable, failing open" && l.policy === "ip")).toBe(true);
  });
});
