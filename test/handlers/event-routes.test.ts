import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { fakeEventRepository } from "../services/fake-event-repository";
import { fakeOrderRepository } from "../services/fake-order-repository";
import { fakeWebhookRepository } from "../services/fake-webhook-repository";
import { newOrder } from "../support/order-repository-contract";
import { recordingQueue } from "../support/recording-queue";
import { TEST_SECRET, testApp } from "../support/test-app";
import { attemptOf, storedEndpoint } from "../support/webhook-repository-contract";

const CUSTOMER = "6f1b2c4e-0000-4000-8000-00000000000a";
const OTHER = "6f1b2c4e-0000-4000-8000-00000000000b";

/** The events' routes over the in-memory repositories, through the app as built in production. */
function eventsApp() {
  const orders = fakeOrderRepository();
  const webhooks = fakeWebhookRepository();
  const recorder = recordingQueue();
  const { app } = testApp({
    eventRepository: fakeEventRepository(orders, webhooks.attempts),
    webhookRepository: webhooks.repository,
    eventQueue: recorder.queue,
  });
  async function write(customer: string) {
    const order = newOrder(customer);
    const event = { id: crypto.randomUUID(), requestId: "req-1" };
    await orders.repository.create(order, undefined, event);
    return { order, id: event.id };
  }
  async function as(sub: string, path: string, init: RequestInit = {}, role?: string) {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const token = await sign({ sub, exp, ...(role ? { role } : {}) }, TEST_SECRET, "HS256");
    return app.request(path, { ...init, headers: { Authorization: `Bearer ${token}`, ...init.headers } });
  }
  return { app, write, as, webhooks, recorder };
}

describe("the events' routes", () => {
  it("show a customer the events of their own orders, as the feed renders them, and another's as 404", async () => {
    const { write, as } = eventsApp();
    const mine = await write(CUSTOMER);
    const theirs = await write(OTHER);
    const feed = await as(CUSTOMER, "/v1/events");
    expect(feed.status).toBe(200);
    const body = (await feed.json()) as { data: { id: string; type: string; data: { order: { id: string } } }[] };
    expect(body.data.map((e) => [e.id, e.type, e.data.order.id])).toEqual([[mine.id, "order.created", mine.order.id]]);
    const one = await as(CUSTOMER, `/v1/events/${mine.id}`);
    expect(one.status).toBe(200);
    expect(((await one.json()) as { data: unknown }).data).toEqual(body.data[0]);
    expect((await as(CUSTOMER, `/v1/events/${theirs.id}`)).status).toBe(404);
  });

  it("poll forward from a cursor that keeps its place when nothing is new", async () => {
    const { write, as } = eventsApp();
    const [a, b] = [await write(CUSTOMER), await write(CUSTOMER)];
    const page = async (query: string) => {
      const res = await as(CUSTOMER, `/v1/events?order=asc&limit=1${query}`);
      expect(res.status).toBe(200);
      const { data, page } = (await res.json()) as { data: { id: string }[]; page: { next_cursor: string } };
      return { ids: data.map((e) => e.id), cursor: `&cursor=${encodeURIComponent(page.next_cursor)}` };
    };
    const first = await page("");
    expect(first.ids).toEqual([a.id]);
    const second = await page(first.cursor);
    expect(second.ids).toEqual([b.id]);
    const idle = await page(second.cursor);
    expect(idle.ids).toEqual([]);
    const c = await write(CUSTOMER);
    expect((await page(idle.cursor)).ids).toEqual([c.id]);
  });

  it("redeliver an event for an admin, its attempts numbered on, and refuse a customer", async () => {
    const { write, as, webhooks, recorder } = eventsApp();
    const endpoint = storedEndpoint({ createdAt: new Date("2025-01-01T00:00:00Z") });
    webhooks.endpoints.set(endpoint.id, endpoint);
    const { id } = await write(CUSTOMER);
    // One attempt made already: the redelivery's are numbered on from it.
    await webhooks.repository.recordAttempt(attemptOf(endpoint.id, id, 1));
    const path = `/v1/events/${id}/redeliver`;
    expect((await as(CUSTOMER, path, { method: "POST" })).status).toBe(403);
    const res = await as(crypto.randomUUID(), path, { method: "POST" }, "admin");
    expect(res.status).toBe(202);
    expect(recorder.batches.flat()).toEqual([{ kind: "delivery", event: id, endpoint: endpoint.id, after: 1 }]);
  });
});
