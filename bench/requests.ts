import type autocannon from "autocannon";

/** The benchmark's order: 10 items, as a client sends it. */
export const TEN_ITEMS = JSON.stringify({
  currency: "USD",
  items: Array.from({ length: 10 }, (_, i) => ({ sku: `BENCH-${i}`, quantity: i + 1, unit_price: 199 * (i + 1) })),
});

/** `POST /v1/orders` with TEN_ITEMS and a fresh Idempotency-Key on every request. */
export const createOrder = (authorization: string): autocannon.Request => ({
  method: "POST",
  path: "/v1/orders",
  headers: { authorization, "content-type": "application/json" },
  body: TEN_ITEMS,
  setupRequest: (req: autocannon.Request) => ({
    ...req,
    headers: { ...req.headers, "idempotency-key": crypto.randomUUID() },
  }),
});

/** The stack floor's same create (bench/floor): TEN_ITEMS to its `POST /orders`. */
export const floorCreate = (): autocannon.Request => ({
  method: "POST",
  path: "/orders",
  headers: { "content-type": "application/json" },
  body: TEN_ITEMS,
});

/**
 * The benchmark's data: `count` orders of TEN_ITEMS for the token's customer (60 by default, so a
 * list of 50 with items is a full page). Returns the last order's id, for the single-order reads.
 */
export async function seedOrders(baseUrl: string, authorization: string, count = 60): Promise<string> {
  let orderId = "";
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${baseUrl}/v1/orders`, {
      method: "POST",
      headers: { Authorization: authorization, "Content-Type": "application/json" },
      body: TEN_ITEMS,
    });
    if (res.status !== 201) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
    orderId = ((await res.json()) as { data: { id: string } }).data.id;
  }
  return orderId;
}

/** Registers a webhook endpoint that takes every event type (admin token): the "1 webhook endpoint" create. */
export async function subscribeEndpoint(baseUrl: string, authorization: string): Promise<void> {
  const res = await fetch(`${baseUrl}/v1/webhook-endpoints`, {
    method: "POST",
    headers: { Authorization: authorization, "Content-Type": "application/json" },
    body: JSON.stringify({ url: "https://hooks.example.com/bench", events: ["order.created", "order.status_changed"] }),
  });
  if (res.status !== 201) throw new Error(`registering a webhook endpoint failed: ${res.status} ${await res.text()}`);
}
