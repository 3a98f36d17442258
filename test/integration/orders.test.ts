import { describe, expect, it } from "vitest";
import { call, type ErrorBody, send } from "../support/http";
import { bearer, token } from "../support/tokens";

interface OrderBody {
  id: string;
  customer_id: string;
  status: string;
  currency: string;
  items?: { sku: string; quantity: number; unit_price: number; line_total: number }[];
  item_count: number;
  total: number;
  created_at: string;
  updated_at: string;
}

const twoItems = {
  currency: "USD",
  items: [
    { sku: "SKU-1", quantity: 2, unit_price: 1999 },
    { sku: "SKU-2", quantity: 1, unit_price: 500 },
  ],
};

describe("an order's life: create → get → list → cancel", () => {
  it("works end to end with the real driver and database", async () => {
    const customer = crypto.randomUUID();
    const t = await token({ sub: customer });

    const created = await call("POST", "/v1/orders", t, twoItems);
    expect(created.status).toBe(201);
    const { data: order } = (await created.json()) as { data: OrderBody };
    expect(order).toMatchObject({
      customer_id: customer,
      status: "pending",
      currency: "USD",
      items: [
        { sku: "SKU-1", quantity: 2, unit_price: 1999, line_total: 3998 },
        { sku: "SKU-2", quantity: 1, unit_price: 500, line_total: 500 },
      ],
      item_count: 2,
      total: 4498,
    });
    expect(order.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(created.headers.get("Location")).toBe(`/v1/orders/${order.id}`);
    expect(created.headers.get("ETag")).toBe('"v1"');
    expect(created.headers.get("Cache-Control")).toBe("no-store");

    const got = await call("GET", `/v1/orders/${order.id}`, t);
    expect(got.status).toBe(200);
    expect(got.headers.get("ETag")).toBe('"v1"');
    expect(((await got.json()) as { data: OrderBody }).data).toEqual(order);

    const listed = await call("GET", "/v1/orders", t);
    const list = (await listed.json()) as { data: OrderBody[]; page: { limit: number; next_cursor: string | null } };
    expect(list.page).toEqual({ limit: 20, next_cursor: null });
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).not.toHaveProperty("items");
    expect(list.data[0]?.id).toBe(order.id);

    const cancelled = await call("POST", `/v1/orders/${order.id}/cancel`, t);
    expect(cancelled.status).toBe(200);
    expect(cancelled.headers.get("ETag")).toBe('"v2"');
    expect(((await cancelled.json()) as { data: OrderBody }).data.status).toBe("cancelled");

    const again = await call("POST", `/v1/orders/${order.id}/cancel`, t);
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).error.code).toBe("CONFLICT");
  });
});

async function createOrder(t: string, body: unknown = twoItems, headers: Record<string, string> = {}) {
  const res = await call("POST", "/v1/orders", t, body, headers);
  return { res, body: (await res.json()) as { data: OrderBody } & ErrorBody };
}

describe("pagination", () => {
  it("walks 250 orders in pages of 7 while new ones arrive: every old order once, no duplicates", async () => {
    const customer = crypto.randomUUID();
    const t = await token({ sub: customer });
    const existing = new Set<string>();
    for (let batch = 0; batch < 25; batch++) {
      const made = await Promise.all(
        Array.from({ length: 10 }, () =>
          createOrder(t, { currency: "GBP", items: [{ sku: "P", quantity: 1, unit_price: 1 }] }),
        ),
      );
      for (const { body } of made) existing.add(body.data.id);
    }
    expect(existing.size).toBe(250);

    const seen: string[] = [];
    const added = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/v1/orders?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const res = await call("GET", query, t);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { data: OrderBody[]; page: { next_cursor: string | null; limit: number } };
      expect(page.data.length).toBeLessThanOrEqual(7);
      seen.push(...page.data.map((o) => o.id));
      cursor = page.page.next_cursor;
      pages++;
      if (pages % 5 === 0) added.add((await createOrder(t)).body.data.id);
    } while (cursor);

    expect(new Set(seen).size).toBe(seen.length);
    for (const id of existing) expect(seen).toContain(id);
    for (const id of seen) expect(existing.has(id) || added.has(id)).toBe(true);
    expect(pages).toBeGreaterThanOrEqual(36);
  });

  it("filters by status and includes items on request", async () => {
    const t = await token();
    const a = (await createOrder(t)).body.data;
    await createOrder(t);
    await call("POST", `/v1/orders/${a.id}/cancel`, t);
    const res = await call("GET", "/v1/orders?status=cancelled&include=items", t);
    const page = (await res.json()) as { data: OrderBody[] };
    expect(page.data.map((o) => o.id)).toEqual([a.id]);
    expect(page.data[0]?.items).toHaveLength(2);
  });
});

describe("two customers and an admin", () => {
  it("never lets a customer read, list, cancel or replay another's orders", async () => {
    const [alice, bob] = [crypto.randomUUID(), crypto.randomUUID()];
    const [ta, tb] = [await token({ sub: alice }), await token({ sub: bob })];
    const aliceOrder = (await createOrder(ta, twoItems, { "Idempotency-Key": "same-key" })).body.data;

    const read = await call("GET", `/v1/orders/${aliceOrder.id}`, tb);
    expect(read.status).toBe(404);
    expect(((await read.json()) as ErrorBody).error.code).toBe("NOT_FOUND");

    const list = (await (await call("GET", "/v1/orders", tb)).json()) as { data: OrderBody[] };
    expect(list.data).toEqual([]);

    expect((await call("POST", `/v1/orders/${aliceOrder.id}/cancel`, tb)).status).toBe(404);
    expect((await call("GET", `/v1/orders/${aliceOrder.id}`, ta)).status).toBe(200);

    const listAsBob = await call("GET", `/v1/orders?customer_id=${alice}`, tb);
    expect(listAsBob.status).toBe(403);

    // Bob's request with Alice's key is Bob's own: a new order, not a replay of hers.
    const bobs = await createOrder(tb, twoItems, { "Idempotency-Key": "same-key" });
    expect(bobs.res.status).toBe(201);
    expect(bobs.res.headers.get("Idempotent-Replayed")).toBeNull();
    expect(bobs.body.data.id).not.toBe(aliceOrder.id);
  });

  it("lets an admin see, list, create for and move anyone's orders", async () => {
    const alice = crypto.randomUUID();
    const ta = await token({ sub: alice });
    const admin = await token({ role: "admin" });
    const order = (await createOrder(ta)).body.data;

    expect((await call("GET", `/v1/orders/${order.id}`, admin)).status).toBe(200);
    const listed = (await (await call("GET", `/v1/orders?customer_id=${alice}`, admin)).json()) as {
      data: OrderBody[];
    };
    expect(listed.data.map((o) => o.id)).toEqual([order.id]);

    const forAlice = await createOrder(admin, { ...twoItems, customer_id: alice });
    expect(forAlice.res.status).toBe(201);
    expect(forAlice.body.data.customer_id).toBe(alice);

    const paid = await call("PATCH", `/v1/orders/${order.id}`, admin, { status: "paid" }, { "If-Match": '"v1"' });
    expect(paid.status).toBe(200);
    expect(paid.headers.get("ETag")).toBe('"v2"');
    const stale = await call("PATCH", `/v1/orders/${order.id}`, admin, { status: "shipped" }, { "If-Match": '"v1"' });
    expect(stale.status).toBe(412);
    const shipped = await call("PATCH", `/v1/orders/${order.id}`, admin, { status: "shipped" }, { "If-Match": '"v2"' });
    expect(((await shipped.json()) as { data: OrderBody }).data.status).toBe("shipped");
    const cancel = await call("POST", `/v1/orders/${order.id}/cancel`, ta);
    expect(cancel.status).toBe(409);

    const asCustomer = await call("PATCH", `/v1/orders/${order.id}`, ta, { status: "paid" });
    expect(asCustomer.status).toBe(403);
    const forbiddenCreate = await createOrder(ta, { ...twoItems, customer_id: crypto.randomUUID() });
    expect(forbiddenCreate.res.status).toBe(403);
  });
});

describe("idempotency", () => {
  it("replays the same request, refuses a different body, and creates one order", async () => {
    const customer = crypto.randomUUID();
    const t = await token({ sub: customer });
    const key = `key-${crypto.randomUUID()}`;
    const first = await createOrder(t, twoItems, { "Idempotency-Key": key });
    expect(first.res.status).toBe(201);

    // Same content, different key order and whitespace: still the same request.
    const reordered = {
      items: twoItems.items.map((i) => ({ unit_price: i.unit_price, sku: i.sku, quantity: i.quantity })),
      currency: "USD",
    };
    const replay = await createOrder(t, reordered, { "Idempotency-Key": key });
    expect(replay.res.status).toBe(201);
    expect(replay.res.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replay.res.headers.get("Location")).toBe(`/v1/orders/${first.body.data.id}`);
    expect(replay.body).toEqual(first.body);

    const changed = await createOrder(t, { ...twoItems, currency: "EUR" }, { "Idempotency-Key": key });
    expect(changed.res.status).toBe(422);
    expect(changed.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");

    const list = (await (await call("GET", "/v1/orders", t)).json()) as { data: OrderBody[] };
    expect(list.data).toHaveLength(1);
  });

  it("replays the first answer byte for byte, with its Location and ETag", async () => {
    const t = await token();
    const key = crypto.randomUUID();
    const post = () =>
      send("/v1/orders", {
        method: "POST",
        headers: { ...bearer(t), "Content-Type": "application/json", "Idempotency-Key": key },
        body: JSON.stringify(twoItems),
      });
    const first = await post();
    const firstText = await first.text();
    const replay = await post();
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await replay.text()).toBe(firstText);
    for (const name of ["Location", "ETag", "Content-Type"]) {
      expect(replay.headers.get(name), name).toBe(first.headers.get(name));
    }
  });

  it("replays the original body even after the order changed", async () => {
    const t = await token();
    const key = crypto.randomUUID();
    const first = await createOrder(t, twoItems, { "Idempotency-Key": key });
    await call("POST", `/v1/orders/${first.body.data.id}/cancel`, t);
    const replay = await createOrder(t, twoItems, { "Idempotency-Key": key });
    expect(replay.body.data.status).toBe("pending");
  });

  it("never creates a second order when the same request races itself", async () => {
    const t = await token();
    const key = crypto.randomUUID();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => createOrder(t, twoItems, { "Idempotency-Key": key })),
    );
    // The duplicates wait for the first to commit, then replay it: no 409 to retry.
    expect(results.map((r) => r.res.status)).toEqual(Array(8).fill(201));
    expect(results.filter((r) => r.res.headers.get("Idempotent-Replayed") === null)).toHaveLength(1);
    const ids = new Set(results.map((r) => r.body.data.id));
    expect(ids.size).toBe(1);
    const list = (await (await call("GET", "/v1/orders", t)).json()) as { data: OrderBody[] };
    expect(list.data).toHaveLength(1);
  });

  it("does not burn a key on a request refused by validation", async () => {
    const t = await token();
    const key = crypto.randomUUID();
    const bad = await createOrder(t, { currency: "USD", items: [] }, { "Idempotency-Key": key });
    expect(bad.res.status).toBe(400);
    const good = await createOrder(t, twoItems, { "Idempotency-Key": key });
    expect(good.res.status).toBe(201);
    expect(good.res.headers.get("Idempotent-Replayed")).toBeNull();
  });
});

describe("validation at the boundaries", () => {
  const item = (over: Record<string, unknown>) => ({
    currency: "USD",
    items: [{ sku: "SKU-1", quantity: 1, unit_price: 100, ...over }],
  });
  const cases: [string, unknown, number][] = [
    ["quantity 0", item({ quantity: 0 }), 400],
    ["quantity 1", item({ quantity: 1 }), 201],
    ["quantity 1000", item({ quantity: 1000 }), 201],
    ["quantity 1001", item({ quantity: 1001 }), 400],
    [
      "100 items",
      {
        currency: "USD",
        items: Array.from({ length: 100 }, (_, i) => ({ sku: `S-${i}`, quantity: 1, unit_price: 1 })),
      },
      201,
    ],
    [
      "101 items",
      {
        currency: "USD",
        items: Array.from({ length: 101 }, (_, i) => ({ sku: `S-${i}`, quantity: 1, unit_price: 1 })),
      },
      400,
    ],
    ["no items", { currency: "USD", items: [] }, 400],
    ["64-char sku", item({ sku: "S".repeat(64) }), 201],
    ["65-char sku", item({ sku: "S".repeat(65) }), 400],
    ["empty sku", item({ sku: "" }), 400],
    ["sku with a null byte", item({ sku: "SKU\u00001" }), 400],
    ["sku with a slash", item({ sku: "a/b" }), 400],
    ["unknown field", { ...item({}), coupon: "FREE" }, 400],
    ["unknown item field", item({ discount: 5 }), 400],
    ["quantity as a string", item({ quantity: "2" }), 400],
    ["quantity null", item({ quantity: null }), 400],
    ["items as an object", { currency: "USD", items: { sku: "A" } }, 400],
    ["body an array", [item({})], 400],
    ["body null", null, 400],
    ["negative price", item({ unit_price: -1 }), 400],
    ["zero price", item({ unit_price: 0 }), 201],
    ["fractional price", item({ unit_price: 19.99 }), 400],
    ["max price", item({ unit_price: 100_000_000 }), 201],
    ["price over max", item({ unit_price: 100_000_001 }), 400],
    ["huge price", item({ unit_price: 1e300 }), 400],
    ["unsafe integer quantity", item({ quantity: 2 ** 53 }), 400],
    ["lower-case currency", { ...item({}), currency: "usd" }, 400],
    ["customer_id from a customer", { ...item({}), customer_id: "8b0b4a84-8a5c-4c8e-9d53-5f3f3c1a2b11" }, 403],
  ];
  it.each(cases)("%s → %i", async (_label, body, status) => {
    const { res, body: answer } = await createOrder(await token(), body);
    expect(res.status).toBe(status);
    if (status === 400) {
      expect(answer.error.code).toBe("VALIDATION_ERROR");
      expect(answer.error.fields?.length).toBeGreaterThan(0);
    }
  });

  it("refuses an over-large body with 413 and stores nothing", async () => {
    const customer = crypto.randomUUID();
    const t = await token({ sub: customer });
    const huge = { ...twoItems, pad: "x".repeat(1024 * 1024) };
    const { res, body } = await createOrder(t, huge);
    expect(res.status).toBe(413);
    expect(body.error.code).toBe("PAYLOAD_TOO_LARGE");
    const list = (await (await call("GET", "/v1/orders", t)).json()) as { data: OrderBody[] };
    expect(list.data).toEqual([]);
  });
});

describe("cancel and If-Match (RFC 9110 §13.1.1)", () => {
  it("cancels only at the version asked for: a stale tag is 412 and changes nothing", async () => {
    const customer = await token();
    const admin = await token({ role: "admin" });
    const order = (await createOrder(customer)).body.data;
    expect((await call("PATCH", `/v1/orders/${order.id}`, admin, { status: "paid" })).status).toBe(200);

    const stale = await call("POST", `/v1/orders/${order.id}/cancel`, customer, undefined, { "If-Match": '"v1"' });
    expect(stale.status).toBe(412);
    expect(((await stale.json()) as ErrorBody).error.code).toBe("PRECONDITION_FAILED");
    const unchanged = await call("GET", `/v1/orders/${order.id}`, customer);
    expect(((await unchanged.json()) as { data: OrderBody }).data.status).toBe("paid");
    expect(unchanged.headers.get("ETag")).toBe('"v2"');

    for (const never of ['W/"v2"', '"v2", "v3"', '"v99999999999"']) {
      const res = await call("POST", `/v1/orders/${order.id}/cancel`, customer, undefined, { "If-Match": never });
      expect(res.status).toBe(412);
    }

    const current = await call("POST", `/v1/orders/${order.id}/cancel`, customer, undefined, { "If-Match": '"v2"' });
    expect(current.status).toBe(200);
    expect(current.headers.get("ETag")).toBe('"v3"');
  });

  it("keeps a stranger's order NOT_FOUND whatever If-Match says, and * on a missing order NOT_FOUND", async () => {
    const order = (await createOrder(await token())).body.data;
    const stranger = await token();
    for (const tag of ['"v1"', '"v7"', "*"]) {
      const res = await call("POST", `/v1/orders/${order.id}/cancel`, stranger, undefined, { "If-Match": tag });
      expect(res.status).toBe(404);
    }
    const missing = await call("POST", `/v1/orders/${crypto.randomUUID()}/cancel`, stranger, undefined, {
      "If-Match": "*",
    });
    expect(missing.status).toBe(404);
  });

  it("says where a refused order stands in details, keeping 409 CONFLICT", async () => {
    const customer = await token();
    const admin = await token({ role: "admin" });
    const order = (await createOrder(customer)).body.data;
    expect((await call("POST", `/v1/orders/${order.id}/cancel`, customer)).status).toBe(200);
    const again = await call("POST", `/v1/orders/${order.id}/cancel`, customer);
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).error).toMatchObject({
      code: "CONFLICT",
      details: { current_status: "cancelled" },
    });
    const move = await call("PATCH", `/v1/orders/${order.id}`, admin, { status: "paid" });
    expect(move.status).toBe(409);
    expect(((await move.json()) as ErrorBody).error.details).toEqual({ current_status: "cancelled" });
  });
});
