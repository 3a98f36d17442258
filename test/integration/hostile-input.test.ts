import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AppBindings } from "../../src/config/config";
import { createIsolate } from "../../src/isolate";
import { captureLogger } from "../support/capture-logger";
import { serverStats } from "../support/database";
import { liveApp } from "../support/live-app";
import { bearer, token } from "../support/tokens";

const BASE = "http://order-service.test";
const database = new URL(env.DATABASE_URL).pathname.slice(1);

interface ErrorBody {
  error: { code: string; message: string; fields?: { path: string; message: string }[] };
}

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  return SELF.fetch(`${BASE}${path}`, {
    method: "POST",
    headers: { ...bearer(await token()), "Content-Type": "application/json", ...headers },
    body,
  });
}

describe("hostile bodies get a clear 4xx in the envelope", () => {
  it.each([
    ["an 8000-deep array as items", `{"currency":"USD","items":${"[".repeat(8000)}${"]".repeat(8000)}}`],
    [
      "an 8000-deep object under an unknown key",
      `{"currency":"USD","items":[],"x":${'{"a":'.repeat(8000)}1${"}".repeat(8000)}}`,
    ],
    [
      "an 8000-deep array inside an item",
      `{"currency":"USD","items":[{"sku":${"[".repeat(8000)}${"]".repeat(8000)}}]}`,
    ],
  ])("%s is 400, not a stack overflow", async (_label, body) => {
    const res = await post("/v1/orders", body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.code).toBe("VALIDATION_ERROR");
  });

  it.each([
    ['"1"', "must be an integer"],
    ["1.5", "must be an integer"],
    ["true", "must be an integer"],
    ["null", "must be an integer"],
  ])("names quantity %s as the wrong type it is", async (quantity, message) => {
    const res = await post(
      "/v1/orders",
      `{"currency":"USD","items":[{"sku":"A","quantity":${quantity},"unit_price":1}]}`,
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.fields).toEqual([{ path: "items.0.quantity", message }]);
  });

  it("says a missing field is required", async () => {
    const res = await post("/v1/orders", `{"currency":"USD","items":[{"sku":"A","unit_price":1}]}`);
    expect(((await res.json()) as ErrorBody).error.fields).toEqual([
      { path: "items.0.quantity", message: "is required" },
    ]);
  });

  it("caps the fields of 5000 unknown keys at 20, with the count, in a small answer", async () => {
    const extra = Array.from({ length: 5000 }, (_, i) => `"k${i}":1`).join(",");
    const res = await post(
      "/v1/orders",
      `{"currency":"USD","items":[{"sku":"A","quantity":1,"unit_price":1}],${extra}}`,
    );
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(new TextEncoder().encode(text).byteLength).toBeLessThan(16 * 1024);
    const { error } = JSON.parse(text) as ErrorBody;
    expect(error.fields).toHaveLength(20);
    expect(error.fields?.[0]).toEqual({ path: "k0", message: "is not a known field" });
    expect(error.message).toBe("the request is invalid: 5000 problems, the first 20 listed");
  });

  it("clips a huge unknown key name in the answer", async () => {
    const key = "k".repeat(30_000);
    const res = await post("/v1/orders", `{"currency":"USD","items":[],"${key}":1}`);
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text.length).toBeLessThan(2_000);
  });

  it.each([
    ["application/json; charset=utf-16", 415],
    ["application/json; charset=iso-8859-1", 415],
    ['application/json; charset="UTF-16LE"', 415],
    ["application/json; charset=UTF-8", 201],
    ['application/json; charset="utf-8"', 201],
    ["application/json", 201],
  ])("Content-Type %s is %i", async (type, status) => {
    const res = await post("/v1/orders", `{"currency":"USD","items":[{"sku":"A","quantity":1,"unit_price":1}]}`, {
      "Content-Type": type,
    });
    expect(res.status).toBe(status);
    if (status === 415) expect(((await res.json()) as ErrorBody).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });
});

describe("cancel's body", () => {
  async function pendingOrder(t: string) {
    const res = await SELF.fetch(`${BASE}/v1/orders`, {
      method: "POST",
      headers: { ...bearer(t), "Content-Type": "application/json" },
      body: JSON.stringify({ currency: "USD", items: [{ sku: "C", quantity: 1, unit_price: 1 }] }),
    });
    return ((await res.json()) as { data: { id: string } }).data.id;
  }

  it.each([
    ["malformed JSON", "{oops", 400],
    ["an unknown field", '{"reason":"changed my mind"}', 400],
    ["an array", "[]", 400],
    ["an empty object", "{}", 200],
  ])("with %s is %i", async (_label, body, status) => {
    const t = await token();
    const id = await pendingOrder(t);
    const res = await SELF.fetch(`${BASE}/v1/orders/${id}/cancel`, {
      method: "POST",
      headers: { ...bearer(t), "Content-Type": "application/json" },
      body,
    });
    expect(res.status).toBe(status);
    if (status === 400) expect(((await res.json()) as ErrorBody).error.code).toBe("VALIDATION_ERROR");
  });

  it("stays optional: curl's bodiless POST cancels", async () => {
    const t = await token();
    const id = await pendingOrder(t);
    const res = await SELF.fetch(`${BASE}/v1/orders/${id}/cancel`, { method: "POST", headers: bearer(t) });
    expect(res.status).toBe(200);
  });
});

describe("If-Match beyond any storable version", () => {
  it("is 412 without asking the database", async () => {
    const admin = await token({ role: "admin" });
    const before = (await serverStats()).byDatabase[database]?.roundTrips ?? 0;
    const res = await SELF.fetch(`${BASE}/v1/orders/${crypto.randomUUID()}`, {
      method: "PATCH",
      headers: { ...bearer(admin), "Content-Type": "application/json", "If-Match": '"v9999999999"' },
      body: '{"status":"paid"}',
    });
    expect(res.status).toBe(412);
    expect(((await res.json()) as ErrorBody).error.code).toBe("PRECONDITION_FAILED");
    expect(((await serverStats()).byDatabase[database]?.roundTrips ?? 0) - before).toBe(0);
  });
});

describe("rotating JWT_SECRET", () => {
  it("keeps old tokens and half-walked listings working while JWT_SECRET_PREVIOUS holds the old key", async () => {
    const oldSecret = "the-old-secret-that-is-at-least-32-bytes";
    const newSecret = "the-new-secret-that-is-at-least-32-bytes";
    const before = await liveApp({ JWT_SECRET: oldSecret });
    const customer = crypto.randomUUID();
    const oldToken = await token({ sub: customer, secret: oldSecret });
    for (let i = 0; i < 3; i++) {
      await before.request("/v1/orders", {
        method: "POST",
        headers: { ...bearer(oldToken), "Content-Type": "application/json" },
        body: JSON.stringify({ currency: "USD", items: [{ sku: `R${i}`, quantity: 1, unit_price: 1 }] }),
      });
    }
    const firstPage = (await (await before.request("/v1/orders?limit=2", { headers: bearer(oldToken) })).json()) as {
      page: { next_cursor: string };
    };

    const rotated = { ...before.bindings, JWT_SECRET: newSecret, JWT_SECRET_PREVIOUS: oldSecret } as AppBindings;
    const { app } = createIsolate(rotated, { logger: captureLogger().logger });
    const rotatedGet = (path: string, t: string) => app.request(path, { headers: bearer(t) }, rotated);
    const newToken = await token({ sub: customer, secret: newSecret });
    expect((await rotatedGet("/v1/orders?limit=2", newToken)).status).toBe(200);
    const next = await rotatedGet(`/v1/orders?limit=2&cursor=${firstPage.page.next_cursor}`, oldToken);
    expect(next.status).toBe(200);
    expect(((await next.json()) as { data: unknown[] }).data).toHaveLength(1);

    // Once the previous key is dropped, what was signed with it is refused.
    const done = { ...rotated, JWT_SECRET_PREVIOUS: "" } as AppBindings;
    const finished = createIsolate(done, { logger: captureLogger().logger }).app;
    expect((await finished.request("/v1/orders", { headers: bearer(oldToken) }, done)).status).toBe(401);
    const stale = await finished.request(
      `/v1/orders?limit=2&cursor=${firstPage.page.next_cursor}`,
      { headers: bearer(newToken) },
      done,
    );
    expect(stale.status).toBe(400);
  });
});
