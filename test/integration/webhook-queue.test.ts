import { SELF } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import { bearer, token } from "../support/tokens";
import { receiver } from "../support/webhooks";

const json = (t: string) => ({ ...bearer(t), "Content-Type": "application/json" });

describe("order events on Miniflare's queue", () => {
  it("reach a receiver end to end: the request's waitUntil, the queue, the worker's consumer, a signed POST", async () => {
    const admin = await token({ role: "admin" });
    const hook = receiver("end-to-end");
    const registered = await SELF.fetch("https://orders.test/v1/webhook-endpoints", {
      method: "POST",
      headers: json(admin),
      body: JSON.stringify({ url: hook.url, events: ["order.created"] }),
    });
    const endpoint = ((await registered.json()) as { data: { id: string; secret: string } }).data;
    try {
      const created = await SELF.fetch("https://orders.test/v1/orders", {
        method: "POST",
        headers: { ...json(await token()), "X-Request-Id": "e2e-webhook" },
        body: JSON.stringify({ currency: "EUR", items: [{ sku: "E2E", quantity: 1, unit_price: 10 }] }),
      });
      expect(created.status).toBe(201);
      const orderId = ((await created.json()) as { data: { id: string } }).data.id;
      // Two queue batches away (the fan-out, then the delivery), each within max_batch_timeout.
      const delivery = await vi.waitFor(
        async () => {
          const [got] = await hook.received();
          if (!got) throw new Error("not delivered yet");
          return got;
        },
        { timeout: 60_000, interval: 100 },
      );
      const payload = new Webhook(endpoint.secret).verify(delivery.body, delivery.headers) as {
        type: string;
        request_id: string;
        data: { order_id: string };
      };
      expect(payload).toMatchObject({ type: "order.created", request_id: "e2e-webhook", data: { order_id: orderId } });
    } finally {
      await SELF.fetch(`https://orders.test/v1/webhook-endpoints/${endpoint.id}`, {
        method: "DELETE",
        headers: bearer(admin),
      });
    }
  }, 90_000);
});
