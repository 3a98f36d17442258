import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { formatReport, runSmoke } from "../../scripts/smoke-checks";
import { clearFaults, injectFaults } from "../support/database";
import { liveApp } from "../support/live-app";
import { token } from "../support/tokens";

afterEach(() => clearFaults());

describe("the smoke test", () => {
  it("passes against the worker, and cancels the order it created", async () => {
    const report = await runSmoke({
      baseUrl: "http://order-service.test",
      token: await token(),
      fetch: (input, init) => SELF.fetch(input, init),
    });
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => s.name)).toEqual([
      "GET /healthz is 200",
      "GET /readyz is 200",
      "POST /v1/orders with an Idempotency-Key is 201",
      "the same POST replays it byte for byte",
      "GET /v1/orders/{id} is 200",
      "GET /v1/orders lists it",
      "POST /v1/orders/{id}/cancel cancels it (clean-up)",
    ]);
  });

  it("fails, readably, against a server whose database is down", async () => {
    const { app, bindings, database } = await liveApp();
    await injectFaults({ drop: true, database });
    const report = await runSmoke({
      baseUrl: "http://down.test/",
      token: await token(),
      fetch: async (input, init) => app.request(String(input), init, bindings),
    });
    expect(report.ok).toBe(false);
    expect(report.steps.map((s) => [s.name, s.ok])).toEqual([
      ["GET /healthz is 200", true],
      ["GET /readyz is 200", false],
    ]);
    const text = formatReport(report, "http://down.test/");
    expect(text).toContain("FAIL  GET /readyz is 200: HTTP 503");
    expect(text).toContain('"database":"unavailable"');
    expect(text.split("\n").at(-1)).toBe("smoke test FAILED against http://down.test/");
  });

  it("cleans up after a failure past the create", async () => {
    const { app, bindings, database } = await liveApp();
    const t = await token();
    let creates = 0;
    const report = await runSmoke({
      baseUrl: "http://flaky.test",
      token: t,
      fetch: async (input, init) => {
        const url = String(input);
        if (url.endsWith("/v1/orders") && init?.method === "POST" && ++creates === 2) {
          await injectFaults({ status: 503, database, times: 1 });
        }
        return app.request(url, init, bindings);
      },
    });
    expect(report.ok).toBe(false);
    expect(report.steps.find((s) => !s.ok)?.name).toBe("the same POST replays it byte for byte");
    expect(report.steps.at(-1)).toMatchObject({ name: "POST /v1/orders/{id}/cancel cancels it (clean-up)", ok: true });
  });
});
