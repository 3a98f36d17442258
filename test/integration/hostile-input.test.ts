import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AppBindings } from "../../src/config/config";
import { createIsolate } from "../../src/isolate";
import { captureLogger } from "../support/capture-logger";
import { serverStats } from "../support/database";
import { BASE, call, errorOf } from "../support/http";
import { liveApp } from "../support/live-app";
import { bearer, token } from "../support/tokens";

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
    // A database of its own: the run's shared one also serves the queue consumer, in the background.
    const { request, database } = await liveApp();
    const admin = await token({ role: "admin" });
    const before = (await serverStats()).byDatabase[database]?.roundTrips ?? 0;
    const res = await request(`/v1/orders/${crypto.randomUUID()}`, {
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

    // Once the previous key is dropped, tokens signed with it are refused; cursors were never sealed with it.
    const done = { ...rotated, JWT_SECRET_PREVIOUS: "" } as AppBindings;
    const finished = createIsolate(done, { logger: captureLogger().logger }).app;
    expect((await finished.request("/v1/orders", { headers: bearer(oldToken) }, done)).status).toBe(401);
    const cursor = `/v1/orders?limit=2&cursor=${firstPage.page.next_cursor}`;
    expect((await finished.request(cursor, { headers: bearer(newToken) }, done)).status).toBe(200);
  });
});

describe("rotating WEBHOOK_ENCRYPTION_KEY, which seals page cursors", () => {
  it("keeps half-walked listings working while WEBHOOK_ENCRYPTION_KEY_PREVIOUS holds the old key", async () => {
    const oldKey = "the-old-sealing-key-that-is-32-bytes-long";
    const before = await liveApp({ WEBHOOK_ENCRYPTION_KEY: oldKey });
    const customer = crypto.randomUUID();
    const customerToken = await token({ sub: customer });
    for (let i = 0; i < 3; i++) {
      await before.request("/v1/orders", {
        method: "POST",
        headers: { ...bearer(customerToken), "Content-Type": "application/json" },
        body: JSON.stringify({ currency: "USD", items: [{ sku: `K${i}`, quantity: 1, unit_price: 1 }] }),
      });
    }
    const firstPage = (await (
      await before.request("/v1/orders?limit=2", { headers: bearer(customerToken) })
    ).json()) as { page: { next_cursor: string } };
    const cursor = `/v1/orders?limit=2&cursor=${firstPage.page.next_cursor}`;
    const under = async (keys: Partial<AppBindings>) => {
      const bindings = { ...before.bindings, ...keys } as AppBindings;
      const { app } = createIsolate(bindings, { logger: captureLogger().logger });
      return (await app.request(cursor, { headers: bearer(customerToken) }, bindings)).status;
    };
    const newKey = "the-new-sealing-key-that-is-32-bytes-long";
    expect(await under({ WEBHOOK_ENCRYPTION_KEY: newKey, WEBHOOK_ENCRYPTION_KEY_PREVIOUS: oldKey })).toBe(200);
    expect(await under({ WEBHOOK_ENCRYPTION_KEY: newKey, WEBHOOK_ENCRYPTION_KEY_PREVIOUS: "" })).toBe(400);
  });
});

describe("customer_id is the admins': 403 comes before 400 (API.md, order of checks)", () => {
  const other = "5d2f1c3b-0000-4000-8000-00000000c1d0";

  it.each([
    ["an otherwise invalid body", { currency: "XXX", items: [], customer_id: other }],
    [
      "a customer_id that is not a UUID",
      { currency: "USD", items: [{ sku: "A", quantity: 1, unit_price: 1 }], customer_id: 1 },
    ],
    [
      "an otherwise valid body",
      { currency: "USD", items: [{ sku: "A", quantity: 1, unit_price: 1 }], customer_id: other },
    ],
  ])("a customer creating with %s is 403", async (_label, body) => {
    const res = await call("POST", "/v1/orders", await token(), body);
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("FORBIDDEN");
  });

  it.each([
    `customer_id=${other}&limit=0`,
    "customer_id=not-a-uuid",
    `customer_id=${other}&surprise=1`,
    `customer_id=${other}`,
  ])("a customer listing with %s is 403", async (query) => {
    const res = await call("GET", `/v1/orders?${query}`, await token());
    expect(res.status).toBe(403);
  });

  it("an admin with an invalid body is 400, naming the field", async () => {
    const res = await call("POST", "/v1/orders", await token({ role: "admin" }), {
      currency: "XXX",
      items: [{ sku: "A", quantity: 1, unit_price: 1 }],
      customer_id: other,
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).fields?.map((f) => f.path)).toEqual(["currency"]);
  });
});

describe("Content-Encoding (RFC 9110 §15.5.16)", () => {
  const order = JSON.stringify({ currency: "USD", items: [{ sku: "GZ", quantity: 1, unit_price: 1 }] });
  const gzip = async (text: string) =>
    new Uint8Array(
      await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
    );

  it.each(["gzip", "br", "deflate", "zstd", "gzip, identity"])(
    "%s is 415 with Accept-Encoding: identity",
    async (coding) => {
      const t = await token();
      const res = await call("POST", "/v1/orders", t, order, { "Content-Encoding": coding });
      expect(res.status).toBe(415);
      expect(res.headers.get("Accept-Encoding")).toBe("identity");
      expect((await errorOf(res)).message).toBe("Content-Encoding is not supported: send the body uncompressed");
      const listed = (await (await call("GET", "/v1/orders", t)).json()) as { data: unknown[] };
      expect(listed.data).toEqual([]);
    },
  );

  it("a real gzip body is 415, not malformed JSON", async () => {
    const res = await SELF.fetch(`${BASE}/v1/orders`, {
      method: "POST",
      headers: { ...bearer(await token()), "Content-Type": "application/json", "Content-Encoding": "gzip" },
      body: await gzip(order),
    });
    expect(res.status).toBe(415);
  });

  it("identity is the body as it is", async () => {
    const res = await call("POST", "/v1/orders", await token(), order, { "Content-Encoding": "identity" });
    expect(res.status).toBe(201);
  });

  it("a compressed cancel body is 415 too; a bodiless cancel ignores the header", async () => {
    const t = await token();
    const created = (await (await call("POST", "/v1/orders", t, order)).json()) as {
      data: { id: string };
    };
    const path = `/v1/orders/${created.data.id}/cancel`;
    const withBody = await call("POST", path, t, "{}", { "Content-Encoding": "gzip" });
    expect(withBody.status).toBe(415);
    const bodiless = await call("POST", path, t, undefined, { "Content-Encoding": "gzip" });
    expect(bodiless.status).toBe(200);
  });
});

describe("cursors are bound to who asked and which filter", () => {
  async function twoPagesOf(t: string, query = "") {
    for (let i = 0; i < 3; i++) {
      const body = { currency: "USD", items: [{ sku: `CUR-${i}`, quantity: 1, unit_price: 1 }] };
      expect((await call("POST", "/v1/orders", t, body)).status).toBe(201);
    }
    const page = (await (await call("GET", `/v1/orders?limit=2${query}`, t)).json()) as {
      page: { next_cursor: string };
    };
    return page.page.next_cursor;
  }

  it("refuses another customer's cursor, and a cursor under another filter", async () => {
    const alice = await token();
    const cursor = await twoPagesOf(alice);
    expect((await call("GET", `/v1/orders?limit=2&cursor=${cursor}`, alice)).status).toBe(200);

    const bob = await twoPagesOf(await token()).then(() => token());
    const foreign = await call("GET", `/v1/orders?limit=2&cursor=${cursor}`, bob);
    expect(foreign.status).toBe(400);
    expect((await errorOf(foreign)).fields).toEqual([
      { path: "query.cursor", message: "is not a cursor this API issued for this listing" },
    ]);
    const filtered = await call("GET", `/v1/orders?limit=2&status=pending&cursor=${cursor}`, alice);
    expect(filtered.status).toBe(400);
    // The page size and items are not the listing: they may change between pages.
    expect((await call("GET", `/v1/orders?limit=5&include=items&cursor=${cursor}`, alice)).status).toBe(200);
  });

  it("binds an admin's cursor to the customer it lists", async () => {
    const customer = crypto.randomUUID();
    await twoPagesOf(await token({ sub: customer }));
    const admin = await token({ role: "admin" });
    const page = (await (await call("GET", `/v1/orders?limit=1&customer_id=${customer}`, admin)).json()) as {
      page: { next_cursor: string };
    };
    const cursor = page.page.next_cursor;
    expect((await call("GET", `/v1/orders?limit=1&customer_id=${customer}&cursor=${cursor}`, admin)).status).toBe(200);
    expect((await call("GET", `/v1/orders?limit=1&cursor=${cursor}`, admin)).status).toBe(400);
  });

  it.each([
    ["padded", (c: string) => `${c}==`],
    ["standard base64", (c: string) => `${c.slice(0, 5)}+/${c.slice(7)}`],
    ["space-prefixed", (c: string) => `%20${c}`],
    ["the old readable form", () => `${btoa('[1795608000123,"5d2f1c3b-0000-4000-8000-000000000001"]')}.x`],
  ])("refuses a %s cursor", async (_label, variant) => {
    const t = await token();
    const cursor = await twoPagesOf(t);
    const res = await call("GET", `/v1/orders?limit=2&cursor=${variant(cursor)}`, t);
    expect(res.status).toBe(400);
  });
});

describe("a query parameter sent twice", () => {
  it.each([
    ["/v1/orders?limit=1&limit=2", "customer"],
    ["/v1/events?limit=1&limit=2", "admin"],
    ["/v1/webhook-endpoints?limit=1&limit=2", "admin"],
  ])("is named on %s, not called the wrong type", async (path, role) => {
    const res = await call("GET", path, await token({ role }));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).fields).toEqual([{ path: "query.limit", message: "must be given once" }]);
  });
});

describe("client-chosen field names never reach the log", () => {
  it("logs an unknown key as (unknown field), at debug level too, while the client sees its name", async () => {
    const { request, lines, raw } = await liveApp({ LOG_LEVEL: "debug" });
    const res = await request("/v1/orders", {
      method: "POST",
      headers: { ...bearer(await token()), "Content-Type": "application/json" },
      body: JSON.stringify({
        currency: "USD",
        items: [{ sku: "A", quantity: "1", unit_price: 1, SECRETITEMKEY: 1 }],
        SECRETKEYNAME: 1,
      }),
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).fields?.map((f) => f.path).sort()).toEqual([
      "SECRETKEYNAME",
      "items.0.SECRETITEMKEY",
      "items.0.quantity",
    ]);
    expect(raw.join("\n")).not.toMatch(/SECRET/);
    const logged = lines.find((l) => l.code === "VALIDATION_ERROR") as { fields: { path: string }[] } | undefined;
    expect(logged?.fields.map((f) => f.path).sort()).toEqual([
      "(unknown field)",
      "items.0.(unknown field)",
      "items.0.quantity",
    ]);
  });
});
