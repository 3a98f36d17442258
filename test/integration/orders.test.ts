import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { bearer, token } from "../support/tokens";

const BASE = "http://order-service.test";

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
interface ErrorBody {
  error: { code: string; message: string; request_id: string; fields?: { path: string; message: string }[] };
}

async function call(method: string, path: string, auth: string, body?: unknown, headers: Record<string, string> = {}) {
  return SELF.fetch(`${BASE}${path}`, {
    method,
    headers: { ...bearer(auth), ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
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
