import { describe, expect, it } from "vitest";
import type { EventStamp, OrderEvent } from "../../src/domain/order-event";
import type { EventRepository } from "../../src/services/event-repository";
import type { OrderRepository } from "../../src/services/order-repository";
import type { WebhookRepository } from "../../src/services/webhook-repository";
import { newOrder } from "./order-repository-contract";
import { attemptOf, storedEndpoint } from "./webhook-repository-contract";

const TRACE = { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: "vendor=1" };

/** One store: events are written by the order repository's statements, and attempts name them. */
export interface EventStore {
  orders: OrderRepository;
  events: EventRepository;
  webhooks: WebhookRepository;
}

const stamp = (extra: Partial<EventStamp> = {}): EventStamp => ({ id: crypto.randomUUID(), ...extra });
const at = (event: OrderEvent) => ({ createdAt: event.createdAt, id: event.id });

let requests = 0;

/** An order created with its `order.created` event, a second after the one before. */
async function write(store: EventStore, customer = "customer-1") {
  const order = newOrder(customer);
  const event = stamp({ requestId: `req-${++requests}`, trace: TRACE });
  await store.orders.create(order, undefined, event);
  return { order, id: event.id, requestId: event.requestId };
}

/** Three orders created in turn, each with its event. */
const written = async (store: EventStore) => [await write(store), await write(store), await write(store)] as const;

/**
 * What every EventRepository does, whatever stores it: run against the in-memory fake the service, route
 * and dispatcher tests use and against the Postgres repository (PGlite and PostgreSQL), so the fake cannot
 * drift.
 * Each test has a store of its own: the sweep and the purge see every event in it.
 */
export function eventRepositoryContract(name: string, fresh: () => Promise<EventStore>) {
  describe(`EventRepository contract: ${name}`, () => {
    it("has an event for each write, with the order as it was at that version, for its owner and admins", async () => {
      const store = await fresh();
      const { order, id, requestId } = await write(store);
      const change = stamp();
      const { updated } = await store.orders.transition({ id: order.id, to: "paid", from: ["pending"], event: change });
      expect(
        await store.orders.transition({ id: order.id, to: "shipped", from: ["pending"], event: stamp() }),
      ).toMatchObject({ updated: null });

      const first = await store.events.findById(id);
      expect(first).toEqual({
        id,
        type: "order.created",
        order,
        requestId,
        trace: TRACE,
        createdAt: order.createdAt,
      });
      expect(await store.events.findById(change.id)).toEqual({
        id: change.id,
        type: "order.status_changed",
        order: { ...order, status: "paid", version: 2, updatedAt: updated?.updatedAt },
        previousStatus: "pending",
        requestId: null,
        trace: null,
        createdAt: updated?.updatedAt,
      });
      expect(await store.events.findById(id, { id: "customer-1", issuer: "" })).toEqual(first);
      expect(await store.events.findById(id, { id: "customer-2", issuer: "" })).toBeNull();
      expect(await store.events.findById(id, { id: "customer-1", issuer: "https://idp.example/" })).toBeNull();
      expect(await store.events.findById(crypto.randomUUID())).toBeNull();
      expect((await store.events.list({ limit: 10, direction: "desc" })).map((e) => e.id)).toEqual([change.id, id]);
    });

    it("lists newest first a keyset page at a time, by customer, type and order", async () => {
      const store = await fresh();
      const [a, b] = [await write(store, "customer-1"), await write(store, "customer-2")];
      const change = stamp();
      await store.orders.transition({ id: a.order.id, to: "paid", from: ["pending"], event: change });
      const ids = (events: OrderEvent[]) => events.map((e) => e.id);

      const first = await store.events.list({ limit: 2, direction: "desc" });
      expect(ids(first)).toEqual([change.id, b.id]);
      const rest = await store.events.list({ limit: 2, direction: "desc", after: at(first[1] as OrderEvent) });
      expect(ids(rest)).toEqual([a.id]);
      const customer = { id: "customer-1", issuer: "" };
      expect(ids(await store.events.list({ limit: 10, direction: "desc", customer }))).toEqual([change.id, a.id]);
      const changes = await store.events.list({ limit: 10, direction: "desc", type: "order.status_changed" });
      expect(ids(changes)).toEqual([change.id]);
      expect(ids(await store.events.list({ limit: 10, direction: "desc", orderId: b.order.id }))).toEqual([b.id]);
    });

    it("lists oldest first in the order the writes committed, whatever their times, after the event a cursor names", async () => {
      const store = await fresh();
      const [a, b] = [await write(store), await write(store)];
      // Written last with the earliest time: newest first puts it last, the forward feed too.
      const late = newOrder("customer-1", { createdAt: new Date(a.order.createdAt.getTime() - 60_000) });
      const lateEvent = stamp();
      await store.orders.create(late, undefined, lateEvent);
      const ids = (events: OrderEvent[]) => events.map((e) => e.id);

      const forward = await store.events.list({ limit: 10, direction: "asc" });
      expect(ids(forward)).toEqual([a.id, b.id, lateEvent.id]);
      expect(ids(await store.events.list({ limit: 10, direction: "desc" }))).toEqual([b.id, a.id, lateEvent.id]);
      const after = at(forward[0] as OrderEvent);
      expect(ids(await store.events.list({ limit: 1, direction: "asc", after }))).toEqual([b.id]);
      const last = at(forward[2] as OrderEvent);
      expect(await store.events.list({ limit: 10, direction: "asc", after: last })).toEqual([]);
    });

    it("routes an event for the fan-out and records it fanned out, the oldest not yet fanned out first", async () => {
      const store = await fresh();
      expect(await store.events.oldestUndispatched()).toBeNull();
      const [a, b] = [await write(store), await write(store)];
      const id = a.id;
      expect(await store.events.routeOf(id)).toEqual({
        type: "order.created",
        createdAt: a.order.createdAt,
        traceparent: TRACE.traceparent,
        dispatched: false,
      });
      expect(await store.events.oldestUndispatched()).toEqual(a.order.createdAt);
      await store.events.markDispatched(id, new Date());
      expect(await store.events.routeOf(id)).toMatchObject({ dispatched: true });
      expect(await store.events.oldestUndispatched()).toEqual(b.order.createdAt);
      expect(await store.events.routeOf(crypto.randomUUID())).toBeNull();
    });

    it("claims for the sweep the events due, oldest first, each once until it may be swept again", async () => {
      const store = await fresh();
      const [a, b, c] = await written(store);
      await store.events.markDispatched(b.id, new Date());
      const moment = (minutes: number) => new Date(Date.parse("2027-01-01T00:00:00Z") + minutes * 60_000);
      const due = { id: a.id, traceparent: TRACE.traceparent };
      const claim = (createdBefore: Date, sweptBefore: Date, minutes: number, limit = 10) =>
        store.events.claimForSweep({ createdBefore, sweptBefore, at: moment(minutes), limit });

      expect(await claim(c.order.createdAt, moment(0), 1)).toEqual([due]);
      // a was claimed at minute 1: not again before it may be swept again.
      expect(await claim(moment(10), moment(1), 2)).toEqual([{ id: c.id, traceparent: TRACE.traceparent }]);
      expect(await claim(moment(10), moment(3), 3, 1)).toEqual([due]);
      expect(await claim(moment(10), moment(0), 4)).toEqual([]);
    });

    it("lets go of a sweep's claim made at a time: claimed by the next sweep, whenever it runs", async () => {
      const store = await fresh();
      const [a, b] = await written(store);
      const moment = (minutes: number) => new Date(Date.parse("2027-01-01T00:00:00Z") + minutes * 60_000);
      const claim = (minutes: number) =>
        store.events.claimForSweep({
          createdBefore: moment(10),
          sweptBefore: moment(-60),
          at: moment(minutes),
          limit: 10,
        });
      const traced = (id: string) => ({ id, traceparent: TRACE.traceparent });

      expect(await claim(1)).toHaveLength(3);
      // Another sweep's claim time, an unknown id and no ids let go of nothing.
      await store.events.releaseSweepClaim([a.id, b.id], moment(2));
      await store.events.releaseSweepClaim([crypto.randomUUID()], moment(1));
      await store.events.releaseSweepClaim([], moment(1));
      expect(await claim(2)).toEqual([]);
      await store.events.releaseSweepClaim([a.id, b.id], moment(1));
      expect(await claim(3)).toEqual([traced(a.id), traced(b.id)]);
    });

    it("names what an endpoint missed: events of its types from a time, with no delivery there, and the attempts made", async () => {
      const store = await fresh();
      const [endpoint, other] = [storedEndpoint(), storedEndpoint()];
      for (const e of [endpoint, other]) await store.webhooks.createEndpoint(e);
      const [a, b, c] = await written(store);
      const [ea, eb, ec] = [a.id, b.id, c.id];
      await store.orders.transition({ id: c.order.id, to: "paid", from: ["pending"], event: stamp() });
      const delivered = { outcome: "delivered" as const, statusCode: 200, nextAttemptAt: null };
      await store.webhooks.recordAttempt({ ...attemptOf(endpoint.id, ea, 1), ...delivered });
      await store.webhooks.recordAttempt(attemptOf(endpoint.id, eb, 2));
      await store.webhooks.recordAttempt({ ...attemptOf(endpoint.id, eb, 3), attempt: 2 });
      await store.webhooks.recordAttempt({ ...attemptOf(other.id, ec, 4), ...delivered });

      const missed = (from: Date, limit = 10) =>
        store.events.missedBy(endpoint.id, { from, types: ["order.created"], limit });
      const trace = TRACE.traceparent;
      expect(await missed(new Date(0))).toEqual([
        { id: eb, attemptsMade: 2, traceparent: trace },
        { id: ec, attemptsMade: 0, traceparent: trace },
      ]);
      expect(await missed(new Date(0), 1)).toEqual([{ id: eb, attemptsMade: 2, traceparent: trace }]);
      expect(await missed(c.order.createdAt)).toEqual([{ id: ec, attemptsMade: 0, traceparent: trace }]);
    });

    it("purges events older than a time, oldest first, a batch at a time, with their attempts", async () => {
      const store = await fresh();
      const endpoint = storedEndpoint();
      await store.webhooks.createEndpoint(endpoint);
      const [a, b, c] = await written(store);
      await store.webhooks.recordAttempt(attemptOf(endpoint.id, a.id, 1));
      const before = c.order.createdAt;

      expect(await store.events.purgeOlderThan(before, 1)).toBe(1);
      expect(await store.events.findById(a.id)).toBeNull();
      expect(await store.webhooks.listAttempts(endpoint.id, { limit: 10 })).toEqual([]);
      expect(await store.events.purgeOlderThan(before, 10)).toBe(1);
      expect(await store.events.purgeOlderThan(before, 10)).toBe(0);
      expect((await store.events.list({ limit: 10, direction: "desc" })).map((e) => e.id)).toEqual([c.id]);
      // A forward cursor that names a purged event reads what is kept from the start.
      const purged = { createdAt: b.order.createdAt, id: b.id };
      expect((await store.events.list({ limit: 10, direction: "asc", after: purged })).map((e) => e.id)).toEqual([
        c.id,
      ]);
    });
  });
}
