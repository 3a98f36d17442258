import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { clearFaults, injectFaults } from "../support/database";

const database = new URL(env.DATABASE_URL).pathname.slice(1);
const readyz = () => SELF.fetch("http://order-service.test/readyz");

afterEach(() => clearFaults());

describe("GET /readyz", () => {
  it("is ready when the database answers SELECT 1", async () => {
    const res = await readyz();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready", checks: { database: "ok" } });
  });

  it("is unavailable, with the reason, when the database connection drops", async () => {
    await injectFaults({ drop: true, database });
    const res = await readyz();
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("5");
    expect(await res.json()).toEqual({ status: "unavailable", checks: { database: "unavailable" } });
  });

  it("answers 503 within its 2 s budget when the database hangs, and recovers after", async () => {
    await injectFaults({ latencyMs: 4_000, database });
    const started = Date.now();
    const res = await readyz();
    const elapsed = Date.now() - started;
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "unavailable", checks: { database: "timeout" } });
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(3_000);

    await clearFaults();
    expect((await readyz()).status).toBe(200);
  });

  it("is exempt from routing surprises: HEAD works, POST is 405", async () => {
    expect((await SELF.fetch("http://order-service.test/readyz", { method: "HEAD" })).status).toBe(200);
    expect((await SELF.fetch("http://order-service.test/readyz", { method: "POST" })).status).toBe(405);
  });
});
