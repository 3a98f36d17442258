import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AppBindings } from "../../src/config/config";
import { createIsolate } from "../../src/isolate";
import { captureLogger } from "../support/capture-logger";
import { bearer, token } from "../support/tokens";

/** The production root on a broken environment, as a deploy with a missing secret would have it. */
function misconfigured(vars: Record<string, string | undefined>) {
  const { logger, lines } = captureLogger();
  const bindings = { ...env, ...vars } as AppBindings;
  const { app, config } = createIsolate(bindings, { logger });
  return { app, config, lines, request: (path: string, init?: RequestInit) => app.request(path, init, bindings) };
}

describe("a misconfigured isolate", () => {
  it.each([
    ["a missing JWT_SECRET", { JWT_SECRET: undefined }, "JWT_SECRET"],
    ["a short JWT_SECRET", { JWT_SECRET: "short-secret-value" }, "JWT_SECRET"],
    ["a missing DATABASE_URL", { DATABASE_URL: "" }, "DATABASE_URL"],
    ["a malformed DB_TIMEOUT_MS", { DB_TIMEOUT_MS: "soon-ish" }, "DB_TIMEOUT_MS"],
  ])("with %s: lives, is not ready, and refuses everything else with one log line", async (_label, vars, name) => {
    const { request, lines, config } = misconfigured(vars);
    expect(config).toBeUndefined();

    const health = await request("/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });

    const ready = await request("/readyz");
    expect(ready.status).toBe(503);
    const readyBody = await ready.text();
    expect(JSON.parse(readyBody)).toEqual({ status: "unavailable", checks: { config: `invalid or missing: ${name}` } });
    for (const value of Object.values(vars)) if (value) expect(readyBody).not.toContain(value);

    lines.length = 0;
    const res = await request("/v1/orders", { headers: { ...bearer(await token()), "X-Request-Id": "misconf-1" } });
    expect(res.status).toBe(500);
    expect(res.headers.get("X-Request-Id")).toBe("misconf-1");
    const bodyText = await res.text();
    expect(JSON.parse(bodyText)).toEqual({
      error: { code: "INTERNAL_ERROR", message: "an unexpected error occurred", request_id: "misconf-1" },
    });
    expect(bodyText).not.toContain(name);
    const errors = lines.filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ request_id: "misconf-1", code: "INTERNAL_ERROR" });
    expect(String(errors[0]?.detail)).toContain(name);
    for (const value of Object.values(vars)) if (value) expect(JSON.stringify(lines)).not.toContain(value);
  });

  it("answers unknown paths the same way: nothing is served half-configured", async () => {
    const { request } = misconfigured({ JWT_SECRET: undefined });
    expect((await request("/nope")).status).toBe(500);
    expect((await request("/metrics")).status).toBe(500);
  });
});
