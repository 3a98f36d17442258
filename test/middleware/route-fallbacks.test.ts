import { Hono } from "hono";
import { beforeEach, describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/app-env";
import { AppError } from "../../src/domain/app-error";
import { testApp } from "../support/test-app";

const allowOf = (res: Response) =>
  new Set(
    (res.headers.get("Allow") ?? "")
      .split(",")
      .map((m) => m.trim())
      .filter(Boolean),
  );

describe("route fallbacks built from the real route table", () => {
  let app: Hono<AppEnv>;

  beforeEach(() => {
    ({ app } = testApp());
    // Routes added after createApp: the fallbacks must cover them with no edit.
    app.get("/items/:id", (c) => {
      if (c.req.param("id") === "missing") throw new AppError("NOT_FOUND", { message: "item not found" });
      return c.json({ id: c.req.param("id") });
    });
    app.delete("/items/:id", (c) => c.body(null, 204));
    app.post("/items", (c) => c.json({}, 201));
    const sub = new Hono<AppEnv>().put("/things/:id", (c) => c.json({ ok: true }));
    app.route("/v9", sub);
  });

  it("answers 405 with every method of a parametrised path", async () => {
    const res = await app.request("/items/42", { method: "PATCH" });
    expect(res.status).toBe(405);
    expect(allowOf(res)).toEqual(new Set(["GET", "HEAD", "DELETE", "OPTIONS"]));
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe("METHOD_NOT_ALLOWED");
  });

  it("covers sub-app routes", async () => {
    const res = await app.request("/v9/things/1", { method: "GET" });
    expect(res.status).toBe(405);
    expect(allowOf(res)).toEqual(new Set(["PUT", "OPTIONS"]));
  });

  it("answers HEAD like GET without a body", async () => {
    const res = await app.request("/items/7", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  it("refuses HEAD on a POST-only path with 405", async () => {
    const res = await app.request("/items", { method: "HEAD" });
    expect(res.status).toBe(405);
    expect(allowOf(res)).toEqual(new Set(["POST", "OPTIONS"]));
  });

  it("answers OPTIONS on a known path with 204 and Allow", async () => {
    const res = await app.request("/items/1", { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(res.headers.get("Content-Type")).toBeNull();
    expect(allowOf(res)).toEqual(new Set(["GET", "HEAD", "DELETE", "OPTIONS"]));
  });

  it("answers OPTIONS on an unknown path with ROUTE_NOT_FOUND", async () => {
    const res = await app.request("/nowhere", { method: "OPTIONS" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("ROUTE_NOT_FOUND");
  });

  it("never rewrites a handler's own NOT_FOUND into a 405 or a routing 404", async () => {
    const res = await app.request("/items/missing");
    expect(res.status).toBe(404);
    expect(res.headers.get("Allow")).toBeNull();
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: "NOT_FOUND", message: "item not found" });
  });

  it.each(["/items/", "/items/1/", "//items", "/items//1", "/Items"])("does not serve %s", async (path) => {
    const res = await app.request(path, { method: "POST" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("ROUTE_NOT_FOUND");
  });

  it.each(["TRACE", "PROPFIND", "PURGE", "MKCOL", "COPY"])(
    "answers %s with 501 on known and unknown paths",
    async (method) => {
      for (const path of ["/items/1", "/nowhere"]) {
        const res = await app.request(path, { method });
        expect(res.status).toBe(501);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_IMPLEMENTED");
      }
    },
  );
});
