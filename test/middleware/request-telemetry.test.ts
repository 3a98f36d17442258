import { describe, expect, it } from "vitest";
import { testApp } from "../support/test-app";

describe("request logger", () => {
  it("writes one line per request with the route pattern, never the raw path, headers or body", async () => {
    const { app, lines, raw } = testApp();
    app.post("/things/:id", async (c) => c.json({ got: (await c.req.json()) as unknown }));
    const res = await app.request("/things/8f1c?q=private", {
      method: "POST",
      headers: { Authorization: "Bearer secret-token", "X-Request-Id": "abc-123", "Content-Type": "application/json" },
      body: JSON.stringify({ email: "someone@example.com" }),
    });
    expect(res.status).toBe(200);
    const requestLines = lines.filter((l) => l.msg === "request");
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      level: "info",
      request_id: "abc-123",
      method: "POST",
      route: "/things/:id",
      status: 200,
    });
    expect(typeof requestLines[0]?.duration_ms).toBe("number");
    const all = raw.join("\n");
    for (const secret of ["secret-token", "someone@example.com", "8f1c", "private"]) expect(all).not.toContain(secret);
  });

  it("labels fallbacks as unmatched", async () => {
    const { app, lines } = testApp();
    await app.request("/no/such/path");
    await app.request("/healthz", { method: "POST" });
    expect(lines.filter((l) => l.msg === "request").map((l) => [l.route, l.status])).toEqual([
      ["unmatched", 404],
      ["unmatched", 405],
    ]);
  });

  it("gives every line of a request its request id", async () => {
    const { app, lines } = testApp();
    app.get("/boom", () => {
      throw new Error("boom");
    });
    await app.request("/boom", { headers: { "X-Request-Id": "rid-9" } });
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line.request_id).toBe("rid-9");
  });
});
