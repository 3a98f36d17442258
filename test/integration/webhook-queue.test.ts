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

  it("keep a hung receiver in the slow lane: a healthy endpoint's next event does not wait out its 15 s", async () => {
    const admin = await token({ role: "admin" });
    const register = async (url: string) => {
      const res = await SELF.fetch("https://orders.test/v1/webhook-endpoints", {
        method: "POST",
        headers: json(admin),
        body: JSON.stringify({ url, events: ["order.created"] }),
      });
      return ((await res.json()) as { data: { id: string } }).data.id;
    };
    const [healthy, hung] = [receiver("healthy"), receiver("hung")];
    await hung.hangs();
    const ids = [await register(healthy.url), await register(hung.url)];
    const create = async () => {
      const res = await SELF.fetch("https://orders.test/v1/orders", {
        method: "POST",
        headers: json(await token()),
        body: JSON.stringify({ currency: "EUR", items: [{ sku: "LANE", quantity: 1, unit_price: 10 }] }),
      });
      return ((await res.json()) as { data: { id: string } }).data.id;
    };
    const received = async (hook: ReturnType<typeof receiver>, count: number) =>
      vi.waitFor(
        async () => {
          const got = await hook.received();
          if (got.length < count) throw new Error(`${got.length} of ${count} received`);
          return got;
        },
        { timeout: 60_000, interval: 100 },
      );
    const attempts = async () => {
      const res = await SELF.fetch(`https://orders.test/v1/webhook-endpoints/${ids[1]}/deliveries`, {
        headers: bearer(admin),
      });
      return ((await res.json()) as { data: { attempt: number; outcome: string; error: string | null }[] }).data;
    };
    try {
      await create();
      // The hung receiver holds its first POST open; a second order is created meanwhile.
      await received(hung, 1);
      const second = await create();
      const got = await received(healthy, 2);
      expect(got.map((d) => (JSON.parse(d.body) as { data: { order_id: string } }).data.order_id)).toContain(second);
      // Reached before the hung receiver's first attempt ended: the fast lane cut it and recorded nothing,
      // and the endpoint shows since when it is in the slow lane.
      expect(await attempts()).toEqual([]);
      const shown = await SELF.fetch(`https://orders.test/v1/webhook-endpoints/${ids[1]}`, { headers: bearer(admin) });
      const { slow_since } = ((await shown.json()) as { data: { slow_since: string | null } }).data;
      expect(Date.parse(slow_since ?? "")).toBeGreaterThan(0);
      // The slow lane sends the same webhook-id again and waits the full 15 s, recorded as attempt 1.
      const [first] = await vi.waitFor(
        async () => {
          const made = await attempts();
          if (made.length === 0) throw new Error("no attempt recorded yet");
          return made;
        },
        { timeout: 60_000, interval: 250 },
      );
      expect(first).toMatchObject({ attempt: 1, outcome: "retrying", error: "no answer within 15 s" });
      const sent = (await hung.received()).map((d) => d.headers["webhook-id"]);
      expect(sent[0]).toBeDefined();
      expect(sent.filter((id) => id === sent[0]).length).toBeGreaterThanOrEqual(2);
    } finally {
      await healthy.answers(200);
      await hung.answers(200);
      for (const id of ids) {
        await SELF.fetch(`https://orders.test/v1/webhook-endpoints/${id}`, {
          method: "DELETE",
          headers: bearer(admin),
        });
      }
    }
  }, 120_000);
});
