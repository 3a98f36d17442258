import { describe, expect, it } from "vitest";
import { send } from "../support/http";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Envelope {
  error: { code: string; message: string; request_id: string };
}

const allowOf = (res: Response) => new Set((res.headers.get("Allow") ?? "").split(",").map((m) => m.trim()));

async function expectEnvelope(res: Response, status: number, code: string): Promise<Envelope> {
  expect(res.status).toBe(status);
  expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  const body = (await res.json()) as Envelope;
  expect(body.error.code).toBe(code);
  expect(body.error.request_id).toBe(res.headers.get("X-Request-Id"));
  expect(JSON.stringify(body)).not.toMatch(/\bat \S+:\d+/);
  return body;
}

describe("GET /healthz", () => {
  it("answers 200 ok as JSON with a request id and security headers", async () => {
    const res = await send("/healthz");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("X-Request-Id")).toMatch(UUID);
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("X-Powered-By")).toBeNull();
  });

  it("marks every /v1 answer no-store, errors included, and leaves the probes cacheable by default", async () => {
    for (const path of ["/v1/orders", "/v1/nope"]) {
      const res = await send(path);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get("Cache-Control")).toBe("no-store");
    }
    expect((await send("/healthz")).headers.get("Cache-Control")).toBeNull();
  });

  it("sends the security headers an API needs, and not those for HTML documents", async () => {
    const res = await send("/healthz");
    expect(res.headers.get("X-Frame-Options")).toBe("DENY");
    expect(res.headers.get("Strict-Transport-Security")).toMatch(/^max-age=\d+/);
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(res.headers.get("Cross-Origin-Resource-Policy")).toBe("same-origin");
    for (const name of ["X-XSS-Protection", "X-Download-Options", "X-DNS-Prefetch-Control", "Origin-Agent-Cluster"]) {
      expect(res.headers.get(name)).toBeNull();
    }
  });

  it("answers HEAD like GET, without a body", async () => {
    const res = await send("/healthz", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Request-Id")).toMatch(UUID);
    expect(await res.text()).toBe("");
  });

  it("answers JSON whatever Accept says", async () => {
    const res = await send("/healthz", { headers: { Accept: "text/html" } });
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  });
});

describe("routing fallbacks", () => {
  it("answers an unknown path with 404 ROUTE_NOT_FOUND", async () => {
    const body = await expectEnvelope(await send("/nope"), 404, "ROUTE_NOT_FOUND");
    expect(body.error.message).toBe("no route matches this path");
  });

  it.each(["DELETE", "POST", "PUT", "PATCH"])("answers %s /healthz with 405 and Allow", async (method) => {
    const res = await send("/healthz", { method });
    await expectEnvelope(res, 405, "METHOD_NOT_ALLOWED");
    expect(allowOf(res)).toEqual(new Set(["GET", "HEAD", "OPTIONS"]));
  });

  it("answers OPTIONS on a known path with 204 and Allow, on an unknown one with 404", async () => {
    const known = await send("/healthz", { method: "OPTIONS" });
    expect(known.status).toBe(204);
    expect(allowOf(known)).toEqual(new Set(["GET", "HEAD", "OPTIONS"]));
    expect(await known.text()).toBe("");
    await expectEnvelope(await send("/nope", { method: "OPTIONS" }), 404, "ROUTE_NOT_FOUND");
  });

  it.each(["/healthz/", "//healthz", "/HEALTHZ", "/healthz/x", "/healthz%2F"])("does not serve %s", async (path) => {
    const res = await send(path, { redirect: "manual" });
    await expectEnvelope(res, 404, "ROUTE_NOT_FOUND");
    expect(res.headers.get("Location")).toBeNull();
  });

  it.each([
    ["GET", "/v1/orders/"],
    ["POST", "/v1/orders/"],
    ["GET", "//v1/orders"],
    ["GET", "/v1//orders"],
    ["GET", "/v1/orders/x/y"],
  ])("answers %s %s with ROUTE_NOT_FOUND even without a token", async (method, path) => {
    const res = await send(path, { method, redirect: "manual" });
    await expectEnvelope(res, 404, "ROUTE_NOT_FOUND");
  });

  it("answers a wrong method on an orders path with 405 even without a token", async () => {
    const res = await send("/v1/orders", { method: "DELETE" });
    await expectEnvelope(res, 405, "METHOD_NOT_ALLOWED");
    expect(allowOf(res)).toEqual(new Set(["GET", "HEAD", "POST", "OPTIONS"]));
  });

  it.each(["TRACE", "PROPFIND", "PURGE", "MKCOL"])(
    "answers %s with 501 NOT_IMPLEMENTED on any path",
    async (method) => {
      await expectEnvelope(await send("/healthz", { method }), 501, "NOT_IMPLEMENTED");
      await expectEnvelope(await send("/nope", { method }), 501, "NOT_IMPLEMENTED");
    },
  );
});

describe("X-Request-Id", () => {
  it.each(["abc", "A-b_c=1", "x".repeat(255), "550e8400-e29b-41d4-a716-446655440000"])(
    "keeps a valid inbound id %#",
    async (id) => {
      const res = await send("/healthz", { headers: { "X-Request-Id": id } });
      expect(res.headers.get("X-Request-Id")).toBe(id);
    },
  );

  it.each([
    ["too long", "x".repeat(256)],
    ["spaces", "a b"],
    ["a newline-ish injection", "abc%0d%0aSet-Cookie:x"],
    ["a slash", "a/b"],
    ["a dot", "a.b"],
    ["non-ASCII", "ünïcode"],
    ["empty", ""],
  ])("replaces an id with %s by a new UUID", async (_label, id) => {
    const res = await send("/nope", { headers: { "X-Request-Id": id } });
    const fresh = res.headers.get("X-Request-Id");
    expect(fresh).toMatch(UUID);
    expect(((await res.json()) as Envelope).error.request_id).toBe(fresh);
  });

  it("is on every error response too", async () => {
    for (const [method, path] of [
      ["GET", "/nope"],
      ["DELETE", "/healthz"],
      ["TRACE", "/healthz"],
    ] as const) {
      const res = await send(path, { method, headers: { "X-Request-Id": "trace-me" } });
      expect(res.headers.get("X-Request-Id")).toBe("trace-me");
    }
  });
});

describe("the path routing sees (API.md: routing is exact after URL normalization)", () => {
  it.each([
    ["/%68ealthz", "a percent-encoded unreserved letter (RFC 3986 §6.2.2.2)"],
    ["/./healthz", "a dot segment (RFC 3986 §5.2.4, the URL standard)"],
    ["/v1/%2e%2e/healthz", "an encoded dot-dot segment, which the URL standard removes too"],
  ])("%s is /healthz: %s", async (path) => {
    const res = await send(path);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it.each(["/healthz%2F", "/%2Fhealthz", "/v1%2Forders", "/HEALTHZ", "/healthz/", "//healthz"])(
    "%s stays another path: 404",
    async (path) => {
      await expectEnvelope(await send(path), 404, "ROUTE_NOT_FOUND");
    },
  );

  it("gives middleware the path the router matched: an encoded orders path still asks for a token", async () => {
    const res = await send("/v1/%6Frders");
    await expectEnvelope(res, 401, "UNAUTHORIZED");
  });
});
