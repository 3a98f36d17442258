import { describe, expect, it } from "vitest";
import { liveApp } from "../support/live-app";
import { testApp } from "../support/test-app";
import { bearer, token } from "../support/tokens";

describe("headers", () => {
  it("sends Server-Timing with app and database time", async () => {
    const { request } = await liveApp();
    const res = await request("/v1/orders", { headers: bearer(await token()) });
    expect(res.headers.get("Server-Timing")).toMatch(/^db;dur=[\d.]+;desc="1 call",total;dur=[\d.]+;desc="app"$/);
  });

  it("leaves the db metric out of Server-Timing when the database was not called", async () => {
    const { request } = await liveApp();
    const res = await request("/v1/orders");
    expect(res.status).toBe(401);
    expect(res.headers.get("Server-Timing")).toMatch(/^total;dur=[\d.]+;desc="app"$/);
  });

  it("sends Server-Timing only where the database is waited on: on /healthz it could only say 0", async () => {
    const { request } = await liveApp();
    for (const path of ["/healthz", "/metrics", "/nope"]) {
      expect((await request(path)).headers.get("Server-Timing"), path).toBeNull();
    }
    expect((await request("/readyz")).headers.get("Server-Timing")).toMatch(/total;dur=/);
  });

  it("answers CORS preflights for allowed origins on known paths only", async () => {
    const { app } = testApp({ env: { CORS_ORIGINS: "https://shop.example" } });
    const preflight = (path: string, origin: string) =>
      app.request(path, {
        method: "OPTIONS",
        headers: {
          Origin: origin,
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "content-type",
        },
      });
    const ok = await preflight("/v1/orders", "https://shop.example");
    expect(ok.status).toBe(204);
    expect(ok.headers.get("Access-Control-Allow-Origin")).toBe("https://shop.example");
    expect(new Set(ok.headers.get("Access-Control-Allow-Methods")?.split(/,\s*/))).toEqual(
      new Set(["GET", "HEAD", "POST", "OPTIONS"]),
    );
    expect(ok.headers.get("Access-Control-Allow-Headers")).toContain("Idempotency-Key");
    expect(new Set(ok.headers.get("Allow")?.split(", "))).toEqual(new Set(["GET", "HEAD", "POST", "OPTIONS"]));

    const stranger = await preflight("/v1/orders", "https://evil.example");
    expect(stranger.status).toBe(204);
    expect(stranger.headers.get("Access-Control-Allow-Origin")).toBeNull();

    expect((await preflight("/nowhere", "https://shop.example")).status).toBe(404);

    const simple = await app.request("/healthz", { headers: { Origin: "https://shop.example" } });
    expect(simple.headers.get("Access-Control-Allow-Origin")).toBe("https://shop.example");
    expect(simple.headers.get("Access-Control-Expose-Headers")).toContain("X-Request-Id");
  });

  it("sends no CORS headers when no origins are configured", async () => {
    const { app } = testApp();
    const res = await app.request("/healthz", { headers: { Origin: "https://shop.example" } });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});
