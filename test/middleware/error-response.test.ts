import { HTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/app-error";
import { fromThrown } from "../../src/middleware/error-response";
import { testApp } from "../support/test-app";

interface Envelope {
  error: { code: string; message: string; request_id: string; fields?: unknown };
}

describe("error handler", () => {
  it.each([
    ["a string", "db password is hunter2"],
    ["an object", { sql: "SELECT * FROM orders", secret: "hunter2" }],
    ["undefined", undefined],
    ["null", null],
    ["a number", 7],
  ])("turns %s thrown by a handler into a bare 500 envelope", async (_label, value) => {
    const { app, lines } = testApp();
    app.get("/throws", () => {
      throw value;
    });
    const res = await app.request("/throws", { headers: { "X-Request-Id": "req-1" } });
    expect(res.status).toBe(500);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(res.headers.get("X-Request-Id")).toBe("req-1");
    const text = await res.text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("SELECT");
    expect(JSON.parse(text)).toEqual({
      error: { code: "INTERNAL_ERROR", message: "an unexpected error occurred", request_id: "req-1" },
    });
    const logged = lines.find((l) => l.code === "INTERNAL_ERROR");
    expect(logged).toMatchObject({ level: "error", request_id: "req-1", status: 500 });
    expect(String(logged?.detail)).toMatch(/^non-Error thrown/);
  });

  it("sends details, and a key the client chose only to the client, never to the log", async () => {
    const { app, lines } = testApp({ env: { LOG_LEVEL: "debug" } });
    app.get("/conflict", () => {
      throw new AppError("CONFLICT", { details: { current_status: "shipped" } });
    });
    app.get("/invalid", () => {
      throw new AppError("VALIDATION_ERROR", {
        fields: [
          { path: "items.0.quantity", message: "must be an integer" },
          { path: "items.0.my.secret", message: "is not a known field", knownPrefix: "items.0" },
          { path: "top.secret", message: "is not a known field", knownPrefix: "" },
        ],
      });
    });
    expect(((await (await app.request("/conflict")).json()) as { error: unknown }).error).toMatchObject({
      code: "CONFLICT",
      details: { current_status: "shipped" },
    });
    const invalid = (await (await app.request("/invalid")).json()) as Envelope;
    expect(invalid.error.fields).toEqual([
      { path: "items.0.quantity", message: "must be an integer" },
      { path: "items.0.my.secret", message: "is not a known field" },
      { path: "top.secret", message: "is not a known field" },
    ]);
    expect(lines.find((l) => l.code === "VALIDATION_ERROR")?.fields).toEqual([
      { path: "items.0.quantity", message: "must be an integer" },
      { path: "items.0.(unknown field)", message: "is not a known field" },
      { path: "(unknown field)", message: "is not a known field" },
    ]);
    expect(JSON.stringify(lines)).not.toContain("secret");
  });

  it("hides an Error's message and stack from the client but logs them", async () => {
    const { app, raw } = testApp();
    app.get("/throws", () => {
      throw new Error('relation "orders" does not exist');
    });
    const res = await app.request("/throws");
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).not.toContain("relation");
    expect(text).not.toMatch(/at .*\.ts/);
    expect(raw.join("\n")).toContain('relation \\"orders\\" does not exist');
  });

  it("answers an AppError with its code, safe message and headers", async () => {
    const { app } = testApp();
    app.get("/busy", () => {
      throw new AppError("SERVICE_UNAVAILABLE", { detail: "breaker open", retryAfterMs: 2_200 });
    });
    const res = await app.request("/busy");
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("3");
    const body = (await res.json()) as Envelope;
    expect(body.error.code).toBe("SERVICE_UNAVAILABLE");
    expect(JSON.stringify(body)).not.toContain("breaker");
  });

  it("includes fields only for validation errors", async () => {
    const { app } = testApp();
    const fields = [{ path: "items.0.quantity", message: "must be at least 1" }];
    app.get("/invalid", () => {
      throw new AppError("VALIDATION_ERROR", { fields });
    });
    app.get("/conflict", () => {
      throw new AppError("CONFLICT", { fields });
    });
    expect(((await (await app.request("/invalid")).json()) as Envelope).error.fields).toEqual(fields);
    expect(((await (await app.request("/conflict")).json()) as Envelope).error).not.toHaveProperty("fields");
  });
});

describe("fromThrown", () => {
  it.each([
    [400, "VALIDATION_ERROR"],
    [401, "UNAUTHORIZED"],
    [413, "PAYLOAD_TOO_LARGE"],
    [504, "TIMEOUT"],
    [418, "INTERNAL_ERROR"],
  ] as const)("maps Hono's HTTPException %i to %s", (status, code) => {
    expect(fromThrown(new HTTPException(status, { message: "x" })).code).toBe(code);
  });

  it("keeps Hono's message only for a 400", () => {
    expect(fromThrown(new HTTPException(400, { message: "Malformed JSON in request body" })).message).toBe(
      "Malformed JSON in request body",
    );
    expect(fromThrown(new HTTPException(401, { message: "token signature mismatched" })).message).toBe(
      "authentication required",
    );
  });
});
