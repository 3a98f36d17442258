import { describe, expect, it } from "vitest";
import { send } from "../support/http";

const get = send;

describe("API docs", () => {
  it("serves the OpenAPI document as JSON", async () => {
    const res = await get("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/v1/orders/{id}");
  });

  it("serves the reference page and its script from this worker only", async () => {
    const page = await get("/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('src="/docs/scalar.js"');
    expect(html).toContain('url: "/openapi.json"');
    expect(html).not.toMatch(/src="https?:/);
    const script = await get("/docs/scalar.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("Content-Type")).toMatch(/^text\/javascript/);
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it("keeps the routing rules for these paths too", async () => {
    expect((await get("/openapi.json", { method: "POST" })).status).toBe(405);
    expect((await get("/docs/other.js")).status).toBe(404);
    expect((await get("/docs/")).status).toBe(404);
  });
});
