import { describe, expect, it, vi } from "vitest";
import { createEventFanOut } from "../../src/services/event-fan-out";
import { eventJobDeps, NOW, TRACEPARENT } from "../support/event-jobs";
import { recordingQueue } from "../support/recording-queue";
import { storedEndpoint } from "../support/webhook-repository-contract";
import { fakeWebhookRepository } from "./fake-webhook-repository";

const HAPPENED = new Date(NOW - 1_000);

function fanOutWith(options: Parameters<typeof eventJobDeps>[0]) {
  const deps = eventJobDeps(options);
  return { ...deps, fanOut: createEventFanOut(deps) };
}

describe("fan-out", () => {
  it("sends one delivery per endpoint that takes the event and existed when it happened, under its trace, then marks it dispatched", async () => {
    const recorder = recordingQueue();
    const markDispatched = vi.fn(async () => {});
    const webhooks = fakeWebhookRepository();
    const before = new Date(HAPPENED.getTime() - 60_000);
    for (const endpoint of [
      storedEndpoint({ id: "w1", events: ["order.status_changed"], createdAt: before }),
      storedEndpoint({ id: "w2", events: ["order.status_changed"], createdAt: HAPPENED }),
      storedEndpoint({ id: "late", events: ["order.status_changed"], createdAt: new Date(HAPPENED.getTime() + 1) }),
      storedEndpoint({ id: "other", events: ["order.created"], createdAt: before }),
    ]) {
      webhooks.endpoints.set(endpoint.id, endpoint);
    }
    const deps = eventJobDeps({
      queue: recorder.queue,
      events: {
        routeOf: async () => ({ type: "order.status_changed", createdAt: HAPPENED, traceparent: TRACEPARENT }),
        markDispatched,
      },
    });
    const fanOut = createEventFanOut({ ...deps, webhooks: webhooks.repository });
    expect(await fanOut("e1")).toBe(2);
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
    const { fanOut } = fanOutWith({
      queue: recorder.queue,
      events: {
        routeOf: async (id) => (id === "gone" ? null : { type: "order.created", createdAt: HAPPENED }),
        markDispatched,
      },
      webhooks: { subscribedEndpoints: async () => [] },
    });
    expect(await fanOut("e1")).toBe(0);
    expect(await fanOut("gone")).toBeNull();
    expect(recorder.batches).toEqual([]);
    expect(markDispatched.mock.calls).toEqual([["e1", new Date(NOW)]]);
  });

  it("does not fan out an event already fanned out: a lost answer or the sweep may hand it over twice", async () => {
    const recorder = recordingQueue();
    const markDispatched = vi.fn(async () => {});
    const { fanOut } = fanOutWith({
      queue: recorder.queue,
      events: {
        routeOf: async () => ({ type: "order.created", createdAt: HAPPENED, dispatched: true }),
        markDispatched,
      },
      webhooks: { subscribedEndpoints: async () => ["w1"] },
    });
    expect(await fanOut("e1")).toBe(0);
    expect(recorder.batches).toEqual([]);
    expect(markDispatched).not.toHaveBeenCalled();
  });

  it("does not mark the event dispatched when the queue refuses the deliveries (the message is retried)", async () => {
    const markDispatched = vi.fn(async () => {});
    const { fanOut } = fanOutWith({
      queue: { send: () => Promise.reject(new Error("queue down")) },
      events: { routeOf: async () => ({ type: "order.created", createdAt: HAPPENED }), markDispatched },
      webhooks: { subscribedEndpoints: async () => ["w1"] },
    });
    await expect(fanOut("e1")).rejects.toThrow("queue down");
    expect(markDispatched).not.toHaveBeenCalled();
  });
});
