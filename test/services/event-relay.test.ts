import { describe, expect, it, vi } from "vitest";
import type { AppError } from "../../src/domain/app-error";
import type { OrderEvent } from "../../src/domain/order-event";
import { createMetrics } from "../../src/observability/metrics";
import type { EventQueue } from "../../src/services/event-messages";
import {
  createEventRelay,
  EVENT_RETENTION_MS,
  HAND_OVER_RETRY_MS,
  SWEEP_AFTER_MS,
  SWEEP_BATCH,
} from "../../src/services/event-relay";
import type { EventRepository } from "../../src/services/event-repository";
import type { WebhookRepository } from "../../src/services/webhook-repository";
import { captureLogger } from "../support/capture-logger";
import { emptyOrder } from "../support/orders";
import { recordingQueue } from "../support/recording-queue";

const NOW = Date.parse("2026-12-02T10:00:00Z");
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const ADMIN = { id: "admin-1", role: "admin" as const };
const CUSTOMER = { id: "customer-1", role: "customer" as const };

const event = (id: string): OrderEvent => ({
  id,
  type: "order.created",
  order: emptyOrder("6f1b2c4e-0000-4000-8000-000000000001"),
  requestId: "req-1",
  trace: { traceparent: TRACEPARENT },
  createdAt: new Date(NOW - 1_000),
});

/** The relay over repositories that answer as told, and nothing else; `queue: null` binds no queue. */
function relayWith({
  queue = recordingQueue().queue as EventQueue | null,
  events = {} as Partial<EventRepository>,
  webhooks = {} as Partial<WebhookRepository>,
} = {}) {
  const { logger, lines } = captureLogger();
  const metrics = createMetrics();
  const unexpected = (name: string) => () => Promise.reject(new Error(`unexpected ${name}`));
  const eventRepo = {
    findById: unexpected("findById"),
    routeOf: unexpected("routeOf"),
    undispatched: unexpected("undispatched"),
    markDispatched: unexpected("markDispatched"),
    oldestUndispatched: unexpected("oldestUndispatched"),
    ...events,
  } as EventRepository;
  const webhookRepo = {
    subscribedEndpoints: unexpected("subscribedEndpoints"),
    findEndpoint: unexpected("findEndpoint"),
    ...webhooks,
  } as WebhookRepository;
  /** The pauses the relay asked for, answered at once. */
  const pauses: number[] = [];
  const relay = createEventRelay({
    events: eventRepo,
    webhooks: webhookRepo,
    queue: queue ?? undefined,
    logger,
    metrics,
    now: () => NOW,
    pause: async (ms) => {
      pauses.push(ms);
    },
  });
  return { relay, lines, metrics, pauses };
}

describe("handing events over after the answer", () => {
  it("sends each event to the queue with its trace, and counts it", async () => {
    const recorder = recordingQueue();
    const { relay, metrics } = relayWith({ queue: recorder.queue });
    await relay.handOver([{ id: "e1", traceparent: TRACEPARENT }, { id: "e2" }]);
    expect(recorder.batches).toEqual([
      [
        { kind: "event", event: "e1", traceparent: TRACEPARENT },
        { kind: "event", event: "e2" },
      ],
    ]);
    expect(metrics.render({})).toContain('events_handed_over_total{by="request"} 2');
  });

  it("tries a refused hand-over once more after a pause, and counts it handed over when it goes", async () => {
    const recorder = recordingQueue();
    let refusals = 1;
    const queue: EventQueue = {
      send: async (messages) => {
        if (refusals-- > 0) throw new TypeError("queue busy");
        await recorder.queue.send(messages);
      },
    };
    const { relay, lines, metrics, pauses } = relayWith({ queue });
    await relay.handOver([{ id: "e1" }]);
    expect(pauses).toEqual([HAND_OVER_RETRY_MS]);
    expect(recorder.batches).toEqual([[{ kind: "event", event: "e1" }]]);
    expect(metrics.render({})).toContain('events_handed_over_total{by="request"} 1');
    expect(lines).toEqual([]);
  });

  it("leaves what the queue refused twice to the sweep: a warning with the error's name, never a throw", async () => {
    const send = vi.fn(() => Promise.reject(new TypeError("queue down")));
    const { relay, lines, metrics, pauses } = relayWith({ queue: { send } });
    await expect(relay.handOver([{ id: "e1" }])).resolves.toBeUndefined();
    expect(send).toHaveBeenCalledTimes(2);
    expect(pauses).toEqual([HAND_OVER_RETRY_MS]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: "warn",
        msg: "events not handed over; the sweep will",
        events: 1,
        error: "TypeError",
      }),
    ]);
    expect(metrics.render({})).not.toContain("events_handed_over_total{");
  });

  it("does nothing without a queue (a preview): the events wait in the feed, and nothing is logged", async () => {
    const { relay, lines } = relayWith({ queue: null });
    await relay.handOver([{ id: "e1" }]);
    expect(lines).toEqual([]);
  });
});

describe("the sweep", () => {
  it("hands over the events older than a minute, each logged under its own trace, and reports the oldest", async () => {
    const recorder = recordingQueue();
    const undispatched = vi.fn(async () => [{ id: "late", traceparent: TRACEPARENT }]);
    const { relay, lines, metrics } = relayWith({
      queue: recorder.queue,
      events: { undispatched, oldestUndispatched: async () => new Date(NOW - 90_000) },
    });
    expect(await relay.sweep()).toEqual({ handedOver: 1, oldestPendingSeconds: 90 });
    expect(undispatched).toHaveBeenCalledWith(new Date(NOW - SWEEP_AFTER_MS), SWEEP_BATCH);
    expect(recorder.batches).toEqual([[{ kind: "event", event: "late", traceparent: TRACEPARENT }]]);
    expect(lines).toEqual([
      expect.objectContaining({
        msg: "event handed over by the sweep",
        event_id: "late",
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      }),
    ]);
    expect(metrics.render({})).toContain("events_oldest_pending_seconds 90");
    expect(metrics.render({})).toContain('events_handed_over_total{by="sweep"} 1');
  });

  it("without a queue, fails with the reason (a cron bound to no queue is misconfigured)", async () => {
    const { relay } = relayWith({
      queue: null,
      events: { undispatched: async () => [{ id: "late" }], oldestUndispatched: async () => null },
    });
    await expect(relay.sweep()).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      detail: "no EVENTS_QUEUE binding",
    });
  });
});

describe("fan-out", () => {
  it("sends one delivery per subscribed endpoint, under the event's trace, then marks the event dispatched", async () => {
    const recorder = recordingQueue();
    const markDispatched = vi.fn(async () => {});
    const subscribedEndpoints = vi.fn(async () => ["w1", "w2"]);
    const { relay } = relayWith({
      queue: recorder.queue,
      events: { routeOf: async () => ({ type: "order.status_changed", traceparent: TRACEPARENT }), markDispatched },
      webhooks: { subscribedEndpoints },
    });
    expect(await relay.fanOut("e1")).toBe(2);
    expect(subscribedEndpoints).toHaveBeenCalledWith("order.status_changed");
    expect(recorder.batches).toEqual([
      [
        { kind: "delivery", event: "e1", endpoint: "w1", traceparent: TRACEPARENT },
        { kind: "delivery", event: "e1", endpoint: "w2", traceparent: TRACEPARENT },
      ],
    ]);
    expect(markDispatched).toHaveBeenCalledWith("e1", new Date(NOW));
  });

  it("marks the event dispatched when no endpoint takes it, and skips an event that is gone", async () => {
    const recorder = recordingQueue();
    const markDispatched = vi.fn(async () => {});
    const { relay } = relayWith({
      queue: recorder.queue,
      events: { routeOf: async (id) => (id === "gone" ? null : { type: "order.created" }), markDispatched },
      webhooks: { subscribedEndpoints: async () => [] },
    });
    expect(await relay.fanOut("e1")).toBe(0);
    expect(await relay.fanOut("gone")).toBe(0);
    expect(recorder.batches).toEqual([]);
    expect(markDispatched.mock.calls).toEqual([["e1", new Date(NOW)]]);
  });

  it("does not mark the event dispatched when the queue refuses the deliveries (the message is retried)", async () => {
    const markDispatched = vi.fn(async () => {});
    const { relay } = relayWith({
      queue: { send: () => Promise.reject(new Error("queue down")) },
      events: { routeOf: async () => ({ type: "order.created" }), markDispatched },
      webhooks: { subscribedEndpoints: async () => ["w1"] },
    });
    await expect(relay.fanOut("e1")).rejects.toThrow("queue down");
    expect(markDispatched).not.toHaveBeenCalled();
  });
});

describe("redelivery", () => {
  const endpoint = (disabled: boolean) =>
    ({ id: "w1", disabled }) as Awaited<ReturnType<WebhookRepository["findEndpoint"]>>;

  it("is for admins only", async () => {
    const { relay } = relayWith();
    await expect(relay.redeliver(CUSTOMER, "e1")).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "requires the admin role",
    });
  });

  it("sends deliveries of an event that has no trace without one", async () => {
    const recorder = recordingQueue();
    const { relay } = relayWith({
      queue: recorder.queue,
      events: {
        findById: async (id) => ({ ...event(id), trace: null }),
        routeOf: async () => ({ type: "order.created" }),
        markDispatched: async () => {},
      },
      webhooks: { findEndpoint: async () => endpoint(false), subscribedEndpoints: async () => ["w1"] },
    });
    await relay.redeliver(ADMIN, "e1", "w1");
    await relay.fanOut("e1");
    expect(recorder.batches).toEqual([
      [{ kind: "delivery", event: "e1", endpoint: "w1" }],
      [{ kind: "delivery", event: "e1", endpoint: "w1" }],
    ]);
  });

  it("sends to one endpoint, or to every one that takes the event", async () => {
    const recorder = recordingQueue();
    const { relay } = relayWith({
      queue: recorder.queue,
      events: { findById: async (id) => event(id) },
      webhooks: { findEndpoint: async () => endpoint(false), subscribedEndpoints: async () => ["w1", "w2"] },
    });
    expect(await relay.redeliver(ADMIN, "e1", "w1")).toEqual(["w1"]);
    expect(await relay.redeliver(ADMIN, "e1")).toEqual(["w1", "w2"]);
    expect(recorder.batches.map((batch) => batch.map((m) => "endpoint" in m && m.endpoint))).toEqual([
      ["w1"],
      ["w1", "w2"],
    ]);
  });

  it("refuses an unknown event or endpoint (404) and a disabled endpoint (409), sending nothing", async () => {
    const recorder = recordingQueue();
    const { relay } = relayWith({
      queue: recorder.queue,
      events: { findById: async (id) => (id === "gone" ? null : event(id)) },
      webhooks: { findEndpoint: async (id) => (id === "w-off" ? endpoint(true) : null) },
    });
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (err: AppError) => [err.code, err.message],
      );
    expect(await refusal(relay.redeliver(ADMIN, "gone"))).toEqual(["NOT_FOUND", "event not found"]);
    expect(await refusal(relay.redeliver(ADMIN, "e1", "w-none"))).toEqual(["NOT_FOUND", "webhook endpoint not found"]);
    expect(await refusal(relay.redeliver(ADMIN, "e1", "w-off"))).toEqual([
      "CONFLICT",
      "the webhook endpoint is disabled",
    ]);
    expect(recorder.batches).toEqual([]);
  });
});

describe("the event purge", () => {
  it("deletes events older than 30 days in batches of 1,000 until a batch comes back short", async () => {
    const purgeOlderThan = vi.fn(async (_before: Date, limit: number) =>
      purgeOlderThan.mock.calls.length === 1 ? limit : 7,
    );
    const { relay } = relayWith({ events: { purgeOlderThan } });
    expect(await relay.purge()).toMatchObject({ deleted: 1_007 });
    expect(purgeOlderThan.mock.calls).toEqual([
      [new Date(NOW - EVENT_RETENTION_MS), 1_000],
      [new Date(NOW - EVENT_RETENTION_MS), 1_000],
    ]);
    expect(EVENT_RETENTION_MS).toBe(30 * 24 * 3600 * 1000);
  });
});
