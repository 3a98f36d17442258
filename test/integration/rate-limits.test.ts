import { describe, expect, it } from "vitest";
import { liveApp, testLimiters } from "../support/live-app";
import { bearer, token } from "../support/tokens";

/**
 * Miniflare's simulation of the Rate Limiting binding counts in windows aligned to the wall clock
 * (60 s here). A burst that straddles a window's end would see its count restart, so a burst runs
 * again, with fresh keys, if its window ended while it ran: what is asserted is the order and
 * outcome of answers within one window, never a duration.
 */
async function inOneWindow<T>(burst: (attempt: number) => Promise<T>): Promise<T> {
  const windowOf = () => Math.floor(Date.now() / 60_000);
  const before = windowOf();
  const result = await burst(0);
  return windowOf() === before ? result : burst(1);
}

const uniqueIp = () => `198.51.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

describe("rate limits on the Rate Limiting binding", () => {
  it("refuses the (n+1)th request from one IP before auth: no token is looked at, other clients go on", async () => {
    const { request, lines } = await liveApp({ RATE_LIMIT_IP: "3/60s", IP_RATE_LIMITER: testLimiters.LIMIT_3_PER_60S });
    const forged = await token({ secret: "forged-forged-forged-forged-forged-forged" });
    const { answers, ip, rejected } = await inOneWindow(async () => {
      const ip = { "CF-Connecting-IP": uniqueIp() };
      const logged = lines.length;
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await request("/v1/orders", { headers: { ...ip, ...bearer(forged) } }));
      const rejected = lines.slice(logged).filter((l) => String(l.detail ?? "").startsWith("token rejected")).length;
      return { answers, ip, rejected };
    });
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 429, 429]);
    expect(answers[0]?.headers.get("RateLimit-Policy")).toBe('"ip";q=3;w=60');
    expect(answers[3]?.headers.get("RateLimit")).toBe('"ip";r=0;t=60');
    expect(answers[3]?.headers.get("Retry-After")).toBe("60");
    const refused = answers[3];
    if (!refused) throw new Error("fourth answer missing");
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMIT_EXCEEDED");
    // Three signatures checked, for the three requests let through; none for the refused two.
    expect(rejected).toBe(3);
    expect((await request("/v1/orders", { headers: { "CF-Connecting-IP": uniqueIp() } })).status).toBe(401);
    expect((await request("/v1/orders", { headers: ip })).status).toBe(429);
  });

  it("counts one IPv6 client by its /64: 400 addresses of one /64 share one budget", async () => {
    const { request } = await liveApp({ RATE_LIMIT_IP: "3/60s", IP_RATE_LIMITER: testLimiters.LIMIT_3_PER_60S });
    const statuses = await inOneWindow(async () => {
      const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:7`;
      const out: number[] = [];
      for (let i = 0; i < 400; i++) {
        const ip = `${prefix}:${((i * 7919) % 0xffff).toString(16)}::${i.toString(16)}`;
        out.push((await request("/v1/orders", { headers: { "CF-Connecting-IP": ip } })).status);
      }
      return out;
    });
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(new Set(statuses.slice(3))).toEqual(new Set([429]));
  });

  it("limits each caller after auth, across IPs, and one caller's refusals never touch another's budget", async () => {
    const { request } = await liveApp({
      RATE_LIMIT_USER: "2/60s",
      USER_RATE_LIMITER: testLimiters.LIMIT_2_PER_60S,
    });
    const { first, second } = await inOneWindow(async () => {
      const [alice, bob] = [await token(), await token()];
      const call = (t: string) => request("/v1/orders", { headers: { ...bearer(t), "CF-Connecting-IP": uniqueIp() } });
      const first = [];
      for (let i = 0; i < 5; i++) first.push(await call(alice));
      const second = [];
      for (let i = 0; i < 3; i++) second.push(await call(bob));
      return { first, second };
    });
    expect(first.map((r) => r.status)).toEqual([200, 200, 429, 429, 429]);
    expect(first[0]?.headers.get("RateLimit-Policy")).toContain('"user";q=2;w=60');
    expect(first[2]?.headers.get("RateLimit")).toContain('"user";r=0;t=60');
    expect(second.map((r) => r.status)).toEqual([200, 200, 429]);
  });

  it("exempts the probes", async () => {
    const { request } = await liveApp({ RATE_LIMIT_IP: "3/60s", IP_RATE_LIMITER: testLimiters.LIMIT_3_PER_60S });
    const ip = { "CF-Connecting-IP": uniqueIp() };
    for (let i = 0; i < 6; i++) {
      const res = await request("/healthz", { headers: ip });
      expect(res.status).toBe(200);
      expect(res.headers.get("RateLimit-Policy")).toBeNull();
    }
  });

  it("names a limit the binding cannot express at /readyz", async () => {
    const { request } = await liveApp({ RATE_LIMIT_IP: "5/3600s" });
    const res = await request("/readyz");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: "unavailable",
      checks: { config: "invalid or missing: RATE_LIMIT_IP" },
    });
  });
});
