import { afterEach, describe, expect, it, vi } from "vitest";
import { EVENT_RETENTION_MS } from "../../src/services/event-purge";
import { clearFaults, injectFaults } from "../support/database";
import { liveApp } from "../support/live-app";
import { recordingQueue } from "../support/recording-queue";
import { TEST_SECRET, testApp } from "../support/test-app";
import { bearer, token } from "../support/tokens";
import { consume } from "../support/webhooks";

afterEach(() => clearFaults());

interface EventBody {
  id: string;
  type: string;
  timestamp: string;
  request_id: string | null;
  data: { order_id: string; order_version: number; previous_status?: string; status?: string; order: unknown };
}
interface Page {
  data: EventBody[];
  page: { limit: number; next_cursor: string | null };
}

const json = (t: string, more: Record<string, string> = {}) => ({
  ...bearer(t),
  "Content-Type": "application/json",
  ...more,
});
const body = JSON.stringify({ currency: "EUR", items: [{ sku: "EVT-1", quantity: 2, unit_price: 700 }] });

async function setUp(replace: Parameters<typeof liveApp>[1] = {}, settings: Record<string, string> = {}) {
  const live = await liveApp(settings, replace);
  const admin = await token({ role: "admin" });
  const feed = async (query = "", t = admin) => {
    const res = await live.request(`/v1/events${query}`, { headers: bearer(t) });
    expect(res.status).toBe(200);
    return (await res.json()) as Page;
  };
  const create = async (t: string, headers: Record<string, string> = {}) =>
    live.request("/v1/orders", { method: "POST", headers: json(t, headers), body });
  return { ...live, admin, feed, create };
}

describe("order events, written with the change", () => {
  it("records order.created with the order as GET renders it and the request's id", async () => {
    const { request, feed, create } = await setUp();
    const customer = await token();
    const created = await create(customer, { "X-Request-Id": "evt-create-1" });
    expect(created.status).toBe(201);
    const order = ((await created.json()) as { data: { id: string } }).data;
    const read = (await (await request(`/v1/orders/${order.id}`, { headers: bearer(customer) })).json()) as {
      data: unknown;
    };

    const { data } = await feed();
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({
      type: "order.created",
      request_id: "evt-create-1",
      data: { order_id: order.id, order_version: 1, order: read.data },
    });
    expect(data[0]?.data).not.toHaveProperty("previous_status");
  });

  it("records a status change with the status it left, at the new version, and none for refusals", async () => {
    const { request, feed, create, admin } = await setUp();
    const customer = await token();
    const { id } = ((await (await create(customer)).json()) as { data: { id: string } }).data;
    const paid = await request(`/v1/orders/${id}`, {
      method: "PATCH",
      headers: json(admin, { "X-Request-Id": "evt-pay" }),
      body: JSON.stringify({ status: "paid" }),
    });
    expect(paid.status).toBe(200);
    // Refused: a stale If-Match, a move the status machine forbids, an order that is not there.
    const stale = await request(`/v1/orders/${id}/cancel`, {
      method: "POST",
      headers: { ...bearer(customer), "If-Match": '"v1"' },
    });
    expect(stale.status).toBe(412);
    const backwards = await request(`/v1/orders/${id}`, {
      method: "PATCH",
      headers: json(admin),
      body: JSON.stringify({ status: "paid" }),
    });
    expect(backwards.status).toBe(409);
    const stranger = await request(`/v1/orders/${id}/cancel`, { method: "POST", headers: bearer(await token()) });
    expect(stranger.status).toBe(404);

    const { data } = await feed();
    expect(data.map((e) => e.type)).toEqual(["order.status_changed", "order.created"]);
    const read = (await (await request(`/v1/orders/${id}`, { headers: bearer(customer) })).json()) as { data: unknown };
    expect(data[0]).toMatchObject({
      request_id: "evt-pay",
      data: { order_id: id, order_version: 2, previous_status: "pending", status: "paid", order: read.data },
    });
    // Each event renders the order at its own version, not as it is now.
    expect(data[1]?.data.order).toMatchObject({ status: "pending" });
  });

  it("writes no event for a replay of the same Idempotency-Key", async () => {
    const { feed, create } = await setUp();
    const customer = await token();
    const first = await create(customer, { "Idempotency-Key": "evt-replay" });
    const again = await create(customer, { "Idempotency-Key": "evt-replay" });
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(((await again.json()) as { data: { id: string } }).data.id).toBe(
      ((await first.json()) as { data: { id: string } }).data.id,
    );
    expect((await feed()).data).toHaveLength(1);
  });

  it("leaves one order and one order.created when the answer to a committed create is lost", async () => {
    const { feed, create, database, request } = await setUp();
    const customer = await token();
    await injectFaults({ commitThenDrop: true, times: 1, database });
    expect((await create(customer)).status).toBe(503);
    const orders = (await (await request("/v1/orders", { headers: bearer(customer) })).json()) as {
      data: { id: string }[];
    };
    expect(orders.data).toHaveLength(1);
    const { data } = await feed();
    expect(data.map((e) => [e.type, e.data.order_id])).toEqual([["order.created", orders.data[0]?.id]]);
  });
});

/**
 * A create served as the runtime would, but with the work it hands to waitUntil kept in `kept` instead of
 * waited for: a test decides whether the worker lives on after the answer.
 */
async function createKeeping({ app, bindings }: Awaited<ReturnType<typeof setUp>>, kept: Promise<unknown>[]) {
  const ctx = { waitUntil: (p: Promise<unknown>) => kept.push(p), passThroughOnException: () => {}, props: {} };
  return app.fetch(
    new Request("https://orders.test/v1/orders", { method: "POST", headers: json(await token()), body }),
    bindings,
    ctx as unknown as ExecutionContext,
  );
}

describe("an event's hand-over", () => {
  it("happens before the answer: a worker stopped right after its 201 has handed the event over", async () => {
    const queue = recordingQueue();
    // Takes a turn of the event loop to accept, as a queue over the network does.
    const remote = {
      send: async (messages: Parameters<typeof queue.queue.send>[0]) => {
        await new Promise((resolve) => setTimeout(resolve, 0));
        await queue.queue.send(messages);
      },
    };
    const live = await setUp({ eventQueue: remote });
    // Its waitUntil work is never waited for: the worker stops at the answer.
    const created = await createKeeping(live, []);
    expect(created.status).toBe(201);
    const handedOver = queue.take();
    const [event] = (await live.feed()).data;
    expect(handedOver.map((m) => [m.kind, m.event])).toEqual([["event", event?.id]]);
  });

  it("refused once, is tried again after the answer, in its waitUntil", async () => {
    const queue = recordingQueue();
    queue.state.refusals = 1;
    const live = await setUp({ eventQueue: queue.queue });
    const deferred: Promise<unknown>[] = [];
    const created = await createKeeping(live, deferred);
    expect(created.status).toBe(201);
    await Promise.all(deferred);
    const [event] = (await live.feed()).data;
    expect(queue.take().map((m) => [m.kind, m.event])).toEqual([["event", event?.id]]);
  });
});

describe("an event whose write its request's deadline cut short", () => {
  it("is handed over after the 504, in its waitUntil: the statement was sent, and may have committed", async () => {
    const queue = recordingQueue();
    const live = await setUp({ eventQueue: queue.queue }, { REQUEST_TIMEOUT_MS: "100", DB_TIMEOUT_MS: "5000" });
    await injectFaults({ latencyMs: 1_000, times: 1, database: live.database });
    const kept: Promise<unknown>[] = [];
    expect((await createKeeping(live, kept)).status).toBe(504);
    // The answer is out; the hand-over goes on in the waitUntil (the fan-out looks for an event not yet
    // committed, and lets go of one that never is).
    await vi.waitFor(() => expect(kept.length).toBeGreaterThan(0));
    await Promise.all(kept);
    expect(queue.take()).toEqual([
      expect.objectContaining({ kind: "event", event: expect.stringMatching(/^[0-9a-f-]{36}$/) }),
    ]);
  });
});

describe("an event whose write lost its answer", () => {
  it("is handed over at once, not left to the hourly sweep, and fanned out once however often it is handed over", async () => {
    const queue = recordingQueue();
    const { feed, create, database, isolate, request, admin } = await setUp({ eventQueue: queue.queue });
    const registered = await request("/v1/webhook-endpoints", {
      method: "POST",
      headers: json(admin),
      body: JSON.stringify({ url: "https://partner.example/hooks", events: ["order.created"] }),
    });
    expect(registered.status).toBe(201);
    await injectFaults({ commitThenDrop: true, times: 1, database });
    expect((await create(await token())).status).toBe(503);
    const [event] = (await feed()).data;
    const handedOver = queue.take();
    expect(handedOver.map((m) => [m.kind, m.event])).toEqual([["event", event?.id]]);

    await consume(isolate, [{ body: handedOver[0] }]);
    await consume(isolate, [{ body: handedOver[0] }]);
    expect(queue.take().map((m) => [m.kind, m.event])).toEqual([["delivery", event?.id]]);
  });

  it("is looked for again when it is not in the table, and let go after the last look", async () => {
    const queue = recordingQueue();
    const { isolate, lines } = await setUp({ eventQueue: queue.queue });
    const never = { kind: "event", event: crypto.randomUUID() };
    const outcome = await consume(isolate, [
      { body: never, attempts: 1 },
      { body: never, attempts: 3 },
    ]);
    expect(outcome.retryMessages).toEqual([{ msgId: "m0" }]);
    expect(outcome.explicitAcks).toEqual(["m1"]);
    expect(lines.filter((l) => l.event_id === never.event).map((l) => l.msg)).toEqual([
      "event not committed yet; looked for again",
      "event never committed; let go",
    ]);
  });
});

describe("the events feed", () => {
  it("shows a customer the events of their own orders only, whatever they filter on", async () => {
    const { feed, create } = await setUp();
    const [alice, bob] = [await token(), await token()];
    const aliceOrder = ((await (await create(alice)).json()) as { data: { id: string } }).data.id;
    await create(bob);
    expect((await feed("", alice)).data.map((e) => e.data.order_id)).toEqual([aliceOrder]);
    expect((await feed(`?order_id=${aliceOrder}`, bob)).data).toEqual([]);
    expect((await feed()).data).toHaveLength(2);
  });

  it("pages newest first with cursors bound to their listing", async () => {
    const { feed, create, request, admin } = await setUp();
    const customer = await token();
    for (let i = 0; i < 3; i++) await create(customer);
    const all = (await feed()).data.map((e) => e.id);
    const first = await feed("?limit=2");
    expect(first.data.map((e) => e.id)).toEqual(all.slice(0, 2));
    const cursor = first.page.next_cursor ?? "";
    const second = await feed(`?limit=2&cursor=${cursor}`);
    expect(second.data.map((e) => e.id)).toEqual(all.slice(2));
    expect(second.page.next_cursor).toBeNull();
    for (const other of [`?order=asc&cursor=${cursor}`, `?type=order.created&cursor=${cursor}`]) {
      const res = await request(`/v1/events${other}`, { headers: bearer(admin) });
      expect(res.status).toBe(400);
    }
    expect((await request(`/v1/events?limit=2&cursor=${cursor}`, { headers: bearer(customer) })).status).toBe(400);
  });

  it("reads forward from a cursor as soon as events commit, and keeps its place for the next poll", async () => {
    const { feed, create } = await setUp();
    const customer = await token();
    await create(customer);
    await create(customer);

    const first = await feed("?order=asc&limit=1");
    const second = await feed(`?order=asc&limit=5&cursor=${first.page.next_cursor}`);
    expect(second.data).toHaveLength(1);
    expect((first.data[0]?.timestamp ?? "") <= (second.data[0]?.timestamp ?? "")).toBe(true);
    const caughtUp = await feed(`?order=asc&cursor=${second.page.next_cursor}`);
    expect(caughtUp.data).toEqual([]);
    expect(caughtUp.page.next_cursor).not.toBeNull();

    await create(customer);
    const later = await feed(`?order=asc&cursor=${caughtUp.page.next_cursor}`);
    expect(later.data.map((e) => e.type)).toEqual(["order.created"]);
  });

  it("shows one event as the feed does: a customer their own (another's is 404), an admin any", async () => {
    const { request, feed, create } = await setUp();
    const [owner, other] = [await token(), await token()];
    expect((await create(owner)).status).toBe(201);
    const [listed] = (await feed("", owner)).data;
    const read = (t: string, id = listed?.id ?? "") => request(`/v1/events/${id}`, { headers: bearer(t) });

    const mine = await read(owner, listed?.id.toUpperCase());
    expect(mine.status).toBe(200);
    expect(await mine.json()).toEqual({ data: listed });
    expect((await (await read(await token({ role: "admin" }))).json()) as { data: EventBody }).toEqual({
      data: listed,
    });
    const refused = await read(other);
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    expect((await read(owner, crypto.randomUUID())).status).toBe(404);
    expect((await read(owner, "not-an-id")).status).toBe(400);
    expect((await request(`/v1/events/${listed?.id}`)).status).toBe(401);
  });

  it("refuses unknown types, malformed order ids and unknown parameters", async () => {
    // Refused before any database work: the app without one.
    const { app } = testApp();
    const request = (path: string, init?: RequestInit) => app.request(path, init);
    const admin = await token({ role: "admin", secret: TEST_SECRET });
    for (const q of ["?type=order.deleted", "?order_id=nope", "?limit=0", "?order=up", "?since=1"]) {
      const res = await request(`/v1/events${q}`, { headers: bearer(admin) });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_ERROR");
    }
    expect((await request("/v1/events")).status).toBe(401);
  });

  it("keeps events 30 days: the hourly Cron Trigger purges older ones, and the orders stay", async () => {
    let now = Date.now() - EVENT_RETENTION_MS - 3_600_000;
    const { feed, create, isolate, request } = await setUp({ clock: () => now });
    const sub = crypto.randomUUID();
    // A token of that day: token times are checked against the same clock.
    const then = Math.floor(now / 1000);
    const old = (
      (await (await create(await token({ sub, claims: { iat: then, exp: then + 3600 } }))).json()) as {
        data: { id: string };
      }
    ).data.id;
    now = Date.now();
    const customer = await token({ sub });
    await create(customer);
    await isolate.runCron("17 * * * *");
    const { data } = await feed();
    expect(data).toHaveLength(1);
    expect(data[0]?.data.order_id).not.toBe(old);
    expect((await request(`/v1/orders/${old}`, { headers: bearer(customer) })).status).toBe(200);
  });
});
