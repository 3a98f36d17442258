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
