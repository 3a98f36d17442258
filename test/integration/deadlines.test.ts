import { afterEach, describe, expect, it } from "vitest";
import { clearFaults, injectFaults } from "../support/database";
import { liveApp } from "../support/live-app";
import { bearer, token } from "../support/tokens";

afterEach(() => clearFaults());

describe("deadlines", () => {
  it("answers 504 TIMEOUT at the request deadline when the database hangs", async () => {
    const { request, database } = await liveApp({ REQUEST_TIMEOUT_MS: "500", DB_TIMEOUT_MS: "5000" });
    const t = await token();
    expect((await request("/v1/orders", { headers: bearer(t) })).status).toBe(200);
    await injectFaults({ latencyMs: 3_000, database });
    const res = await request("/v1/orders", { headers: bearer(t) });
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("TIMEOUT");
  });

  it("answers 503 at the database deadline, within the request's budget", async () => {
    const { request, database } = await liveApp({ REQUEST_TIMEOUT_MS: "5000", DB_TIMEOUT_MS: "300" });
    const t = await token();
    expect((await request("/v1/orders", { headers: bearer(t) })).status).toBe(200);
    await injectFaults({ latencyMs: 3_000, database });
    const res = await request("/v1/orders", { headers: bearer(t) });
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBeTruthy();
  });
});
