import { sign } from "hono/jwt";
import { describe, expect, it, vi } from "vitest";
import { AppError } from "../../src/domain/app-error";
import type { Order } from "../../src/domain/order";
import type { OrderService } from "../../src/services/order-service";
import { renderedPage } from "../support/orders";
import { TEST_SECRET, testApp } from "../support/test-app";

const customer = "3f0c7e9a-1b2c-4d5e-8f90-123456789abc";
const orderId = "5d2f1c3b-0000-4000-8000-000000000001";
const order: Order = {
  id: orderId,
  customerId: customer,
  customerIssuer: "",
  status: "pending",
  currency: "USD",
  items: [{ sku: "SKU-1", quantity: 2, unitPrice: 1999, lineTotal: 3998 }],
  itemCount: 1,
  total: 3998,
  version: 3,
  createdAt: new Date("2026-11-25T12:00:00.000Z"),
  updatedAt: new Date("2026-11-25T12:05:00.000Z"),
};
const validBody = { currency: "USD", items: [{ sku: "SKU-1", quantity: 2, unit_price: 1999 }] };

const tokenFor = (role = "customer") =>
  sign({ sub: customer, role, exp: Math.floor(Date.now() / 1000) + 600 }, TEST_SECRET, "HS256");

async function request(
  orders: Partial<OrderService>,
  method: string,
  path: string,
  {
    body,
    headers = {},
    role = "customer",
    env,
  }: { body?: BodyInit; headers?: Record<string, string>; role?: string; env?: Record<string, string> } = {},
) {
  const { app } = testApp({ orders, env });
  return app.request(path, {
    method,
    body,
    headers: { Authorization: `Bearer ${await tokenFor(role)}`, ...headers },
  });
}
const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { "Content-Type": "application/json" } });
const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; fields?: { path: string; message: string }[] } }).error;

describe("POST /v1/orders", () => {
  it("creates: 201 with the order, Location and ETag", async () => {
    const create = vi.fn<OrderService["create"]>(async () => ({ replayed: false, order }));
    const res = await request({ create }, "POST", "/v1/orders", json(validBody));
    expect(res.status).toBe(201);
    expect(res.headers.get("Location")).toBe(`/v1/orders/${orderId}`);
    expect(res.headers.get("ETag")).toBe('"v3"');
    expect(await res.json()).toEqual({
      data: {
        id: orderId,
        customer_id: customer,
        status: "pending",
        currency: "USD",
        items: [{ sku: "SKU-1", quantity: 2, unit_price: 1999, line_total: 3998 }],
        item_count: 1,
        total: 3998,
        created_at: "2026-11-25T12:00:00.000Z",
        updated_at: "2026-11-25T12:05:00.000Z",
      },
    });
    expect(create.mock.calls[0]?.[1]).toEqual({
      currency: "USD",
      items: [{ sku: "SKU-1", quantity: 2, unitPrice: 1999 }],
      customerId: undefined,
    });
  });

  it("renders a replay exactly as the first answer, plus Idempotent-Replayed", async () => {
    const snapshot = { ...order, version: 1, updatedAt: order.createdAt };
    const send = async (replayed: boolean) => {
      const create = vi.fn<OrderService["create"]>(async () => ({ replayed, order: snapshot }));
      const res = await request({ create }, "POST", "/v1/orders", {
        body: JSON.stringify(validBody),
        headers: { "Content-Type": "application/json", "Idempotency-Key": "abc-123" },
      });
      expect(create.mock.calls[0]?.[2]).toBe("abc-123");
      return res;
    };
    const first = await send(false);
    const replay = await send(true);
    expect(replay.status).toBe(201);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    for (const name of ["Location", "ETag", "Content-Type"]) {
      expect(replay.headers.get(name)).toBe(first.headers.get(name));
    }
    expect(replay.headers.get("ETag")).toBe('"v1"');
    expect(await replay.text()).toBe(await first.text());
  });

  it.each([
    ["", "empty"],
    ["x".repeat(256), "too long"],
    ["has space", "a space"],
    ["ключ", "non-ASCII"],
  ])("refuses an Idempotency-Key %j (%s) without calling the service", async (key) => {
    const create = vi.fn<OrderService["create"]>();
    const res = await request({ create }, "POST", "/v1/orders", {
      body: JSON.stringify(validBody),
      headers: { "Content-Type": "application/json", "Idempotency-Key": key },
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).fields?.[0]?.path).toBe("header.Idempotency-Key");
    expect(create).not.toHaveBeenCalled();
  });

  it.each([
    [undefined, 415],
    ["text/plain", 415],
    ["application/x-www-form-urlencoded", 415],
    ["application/jsonp", 415],
    ["application/json; charset=utf-8", 201],
    ["Application/JSON", 201],
  ])("Content-Type %s → %i", async (type, status) => {
    const create = vi.fn<OrderService["create"]>(async () => ({ replayed: false, order }));
    const res = await request({ create }, "POST", "/v1/orders", {
      body: JSON.stringify(validBody),
      headers: type ? { "Content-Type": type } : {},
    });
    expect(res.status).toBe(status);
    if (status === 415) expect((await errorOf(res)).code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers malformed JSON with VALIDATION_ERROR", async () => {
    const res = await request({}, "POST", "/v1/orders", {
      body: '{"currency": "USD",',
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("VALIDATION_ERROR");
  });

  it("answers a body over the limit with 413, with or without Content-Length", async () => {
    const big = JSON.stringify({ ...validBody, pad: "x".repeat(2000) });
    const env = { BODY_LIMIT_BYTES: "1024" };
    const sized = await request({}, "POST", "/v1/orders", {
      body: big,
      headers: { "Content-Type": "application/json" },
      env,
    });
    expect(sized.status).toBe(413);
    expect((await errorOf(sized)).code).toBe("PAYLOAD_TOO_LARGE");
    const stream = new Blob([big]).stream();
    const chunked = await request({}, "POST", "/v1/orders", {
      body: stream,
      headers: { "Content-Type": "application/json" },
      env,
    });
    expect(chunked.status).toBe(413);
  });

  it("reports every invalid field with its path", async () => {
    const res = await request(
      {},
      "POST",
      "/v1/orders",
      json({
        currency: "JPY",
        items: [
          { sku: "bad sku!", quantity: 0, unit_price: 1.5 },
          { sku: "A", quantity: 1001, unit_price: -1, extra: 1 },
        ],
        note: "hi",
      }),
    );
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(new Set(error.fields?.map((f) => f.path))).toEqual(
      new Set([
        "currency",
        "items.0.sku",
        "items.0.quantity",
        "items.0.unit_price",
        "items.1.quantity",
        "items.1.unit_price",
        "items.1.extra",
        "note",
      ]),
    );
    for (const f of error.fields ?? []) expect(f.message).not.toBe("Invalid input");
  });

  it.each(["__proto__", "constructor", "prototype"])("refuses a smuggled %s key", async (key) => {
    const create = vi.fn<OrderService["create"]>();
    const res = await request({ create }, "POST", "/v1/orders", {
      body: `{"currency":"USD","items":[{"sku":"A","quantity":1,"unit_price":1}],"${key}":{"admin":true}}`,
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).fields).toEqual([{ path: key, message: "is not a known field" }]);
    expect(create).not.toHaveBeenCalled();
  });
});

describe("GET /v1/orders", () => {
  it("passes paging options through and returns an opaque cursor that round-trips", async () => {
    const list = vi.fn<OrderService["list"]>(async () => ({
      ...renderedPage([order]),
      next: { createdAt: order.createdAt, id: orderId },
    }));
    const first = await request({ list }, "GET", "/v1/orders?limit=1&status=pending&include=items");
    expect(first.status).toBe(200);
    const body = (await first.json()) as { data: unknown[]; page: { limit: number; next_cursor: string } };
    expect(body.page.limit).toBe(1);
    expect(list.mock.calls[0]?.[1]).toEqual({
      limit: 1,
      after: undefined,
      status: "pending",
      includeItems: true,
      customerId: undefined,
    });
    await request({ list }, "GET", `/v1/orders?status=pending&cursor=${encodeURIComponent(body.page.next_cursor)}`);
    expect(list.mock.calls[1]?.[1].after).toEqual({ createdAt: order.createdAt, id: orderId });
  });

  it.each([
    "limit=0",
    "limit=101",
    "limit=ten",
    "limit=1.5",
    "status=lost",
    "include=everything",
    "cursor=abc",
    "cursor=eyJ4IjoxfQ.AAAA",
    "unknown=1",
  ])("refuses ?%s with VALIDATION_ERROR", async (query) => {
    const list = vi.fn<OrderService["list"]>();
    const res = await request({ list }, "GET", `/v1/orders?${query}`);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.fields?.[0]?.path).toMatch(/^query\./);
    expect(list).not.toHaveBeenCalled();
  });

  it("refuses customer_id=not-a-uuid from an admin with VALIDATION_ERROR, and from a customer with 403", async () => {
    const list = vi.fn<OrderService["list"]>();
    const asAdmin = await request({ list }, "GET", "/v1/orders?customer_id=not-a-uuid", { role: "admin" });
    expect(asAdmin.status).toBe(400);
    expect((await errorOf(asAdmin)).fields?.[0]?.path).toBe("query.customer_id");
    const asCustomer = await request({ list }, "GET", "/v1/orders?customer_id=not-a-uuid&limit=0");
    expect(asCustomer.status).toBe(403);
    expect(list).not.toHaveBeenCalled();
  });

  it.each([
    ["limit=5&limit=50", [{ path: "query.limit", message: "must be given once" }]],
    ["status=pending&status=paid", [{ path: "query.status", message: "must be given once" }]],
    ["include=items&include=items", [{ path: "query.include", message: "must be given once" }]],
    // Only the repeated parameter is named so; the others keep their own messages.
    [
      "limit=0&status=paid&status=shipped",
      [
        { path: "query.status", message: "must be given once" },
        { path: "query.limit", message: "must be at least 1" },
      ],
    ],
    // An unknown parameter is unknown however often it is sent.
    ["foo=1&foo=2", [{ path: "query.foo", message: "is not a known field" }]],
  ])("names a query parameter sent twice: ?%s", async (query, fields) => {
    const list = vi.fn<OrderService["list"]>();
    const res = await request({ list }, "GET", `/v1/orders?${query}`);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.fields).toEqual(fields);
    expect(list).not.toHaveBeenCalled();
  });

  it("refuses a cursor sealed with another key, and takes one across a change of JWT_SECRET", async () => {
    const list = vi.fn<OrderService["list"]>(async () => ({
      ...renderedPage([order]),
      next: { createdAt: order.createdAt, id: orderId },
    }));
    const cursorFrom = async (env: Record<string, string>, secret = TEST_SECRET) => {
      const token = await sign({ sub: customer, exp: Math.floor(Date.now() / 1000) + 60 }, secret, "HS256");
      const res = await request({ list }, "GET", "/v1/orders?limit=1", {
        env,
        headers: { Authorization: `Bearer ${token}` },
      });
      return ((await res.json()) as { page: { next_cursor: string } }).page.next_cursor;
    };
    const otherKey = await cursorFrom({ WEBHOOK_ENCRYPTION_KEY: "a-completely-different-sealing-key-of-32-bytes" });
    expect((await request({ list }, "GET", `/v1/orders?cursor=${encodeURIComponent(otherKey)}`)).status).toBe(400);

    const otherSecret = "a-completely-different-secret-of-32-bytes";
    const underOtherSecret = await cursorFrom({ JWT_SECRET: otherSecret }, otherSecret);
    expect((await request({ list }, "GET", `/v1/orders?cursor=${encodeURIComponent(underOtherSecret)}`)).status).toBe(
      200,
    );
    expect(list).toHaveBeenCalledTimes(3);
  });
});

describe("single-order routes", () => {
  it("validates the id as a UUID", async () => {
    const res = await request({}, "GET", "/v1/orders/42");
    expect(res.status).toBe(400);
    expect((await errorOf(res)).fields).toEqual([{ path: "path.id", message: "must be a valid uuid" }]);
  });

  it.each([
    [new AppError("NOT_FOUND", { message: "order not found" }), 404, {}],
    [new AppError("CONFLICT"), 409, {}],
    [new AppError("IDEMPOTENCY_KEY_REUSED"), 422, {}],
    [new AppError("SERVICE_UNAVAILABLE", { retryAfterMs: 5_000 }), 503, { "retry-after": "5" }],
    [new AppError("TIMEOUT"), 504, {}],
    [new AppError("EXTERNAL_SERVICE_ERROR"), 502, {}],
    [new Error("socket hang up at 10.0.0.3"), 500, {}],
  ])("maps a service failure %s to %i", async (thrown, status, headers) => {
    const res = await request({ get: async () => Promise.reject(thrown) }, "GET", `/v1/orders/${orderId}`);
    expect(res.status).toBe(status);
    for (const [k, v] of Object.entries(headers)) expect(res.headers.get(k)).toBe(v);
    const text = await res.text();
    expect(text).not.toContain("10.0.0.3");
  });

  it("cancels with or without an empty body, but not with a non-JSON one", async () => {
    const cancel = vi.fn<OrderService["cancel"]>(async () => ({ ...order, status: "cancelled", version: 4 }));
    const ok = await request({ cancel }, "POST", `/v1/orders/${orderId}/cancel`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("ETag")).toBe('"v4"');
    const text = await request({ cancel }, "POST", `/v1/orders/${orderId}/cancel`, {
      body: "please",
      headers: { "Content-Type": "text/plain" },
    });
    expect(text.status).toBe(415);
  });
});

describe("PATCH /v1/orders/:id", () => {
  const setStatus = () => vi.fn<OrderService["setStatus"]>(async () => ({ ...order, status: "paid", version: 4 }));

  it("is for admins: a customer gets 403 before any body rule", async () => {
    const fn = setStatus();
    const res = await request({ setStatus: fn }, "PATCH", `/v1/orders/${orderId}`, {
      body: "x",
      headers: { "Content-Type": "text/plain" },
    });
    expect(res.status).toBe(403);
    expect(fn).not.toHaveBeenCalled();
  });

  it("passes If-Match through as the expected version", async () => {
    const fn = setStatus();
    const res = await request({ setStatus: fn }, "PATCH", `/v1/orders/${orderId}`, {
      role: "admin",
      body: JSON.stringify({ status: "paid" }),
      headers: { "Content-Type": "application/json", "If-Match": '"v3"' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("ETag")).toBe('"v4"');
    expect(fn.mock.calls[0]?.slice(1, 4)).toEqual([orderId, "paid", 3]);
    // The request's id goes with the write, to be recorded on its event.
    expect(fn.mock.calls[0]?.[4]).toMatchObject({
      requestId: res.headers.get("X-Request-Id"),
      trace: { traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/) },
    });
  });

  it.each(['W/"v3"', '"3"', "v3", '"v3", "v4"'])("answers If-Match %s with 412", async (ifMatch) => {
    const fn = setStatus();
    const res = await request({ setStatus: fn }, "PATCH", `/v1/orders/${orderId}`, {
      role: "admin",
      body: JSON.stringify({ status: "paid" }),
      headers: { "Content-Type": "application/json", "If-Match": ifMatch },
    });
    expect(res.status).toBe(412);
    expect((await errorOf(res)).code).toBe("PRECONDITION_FAILED");
    expect(fn).not.toHaveBeenCalled();
  });

  it("accepts only paid and shipped", async () => {
    for (const status of ["cancelled", "pending", "lost"]) {
      const res = await request({}, "PATCH", `/v1/orders/${orderId}`, { role: "admin", ...json({ status }) });
      expect(res.status).toBe(400);
    }
  });
});

describe("check order: 405 → 401 → 403 → 413 → 415 → 400", () => {
  it("answers a wrong method as 405 even without a token", async () => {
    const { app } = testApp();
    const res = await app.request("/v1/orders", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(new Set(res.headers.get("Allow")?.split(", "))).toEqual(new Set(["GET", "HEAD", "POST", "OPTIONS"]));
    const byId = await app.request(`/v1/orders/${orderId}`, { method: "PUT" });
    expect(new Set(byId.headers.get("Allow")?.split(", "))).toEqual(new Set(["GET", "HEAD", "PATCH", "OPTIONS"]));
  });

  it("answers 401 before looking at the body", async () => {
    const { app } = testApp();
    const res = await app.request("/v1/orders", {
      method: "POST",
      body: "x",
      headers: { "Content-Type": "text/plain" },
    });
    expect(res.status).toBe(401);
  });

  it("answers 413 before 415, and 415 before 400", async () => {
    const env = { BODY_LIMIT_BYTES: "16" };
    const tooBigAndWrongType = await request({}, "POST", "/v1/orders", {
      body: "x".repeat(64),
      headers: { "Content-Type": "text/plain" },
      env,
    });
    expect(tooBigAndWrongType.status).toBe(413);
    const wrongTypeAndInvalid = await request({}, "POST", "/v1/orders", {
      body: "{",
      headers: { "Content-Type": "text/plain" },
    });
    expect(wrongTypeAndInvalid.status).toBe(415);
  });
});
