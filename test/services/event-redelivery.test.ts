import { describe, expect, it } from "vitest";
import type { AppError } from "../../src/domain/app-error";
import { createEventFanOut } from "../../src/services/event-fan-out";
import { createEventRedelivery } from "../../src/services/event-redelivery";
import type { WebhookRepository } from "../../src/services/webhook-repository";
import { ADMIN, CUSTOMER, eventJobDeps, storedEvent } from "../support/event-jobs";
import { recordingQueue } from "../support/recording-queue";

/** Redelivery, and fan-out over the same queue: a redelivered event's deliveries match its first ones. */
function redeliveryWith(options: Parameters<typeof eventJobDeps>[0] = {}) {
  const deps = eventJobDeps(options);
  return { ...deps, redeliver: createEventRedelivery(deps), fanOut: createEventFanOut(deps) };
}

describe("redelivery", () => {
  const endpoint = (disabled: boolean) =>
    ({ id: "w1", disabled }) as Awaited<ReturnType<WebhookRepository["findEndpoint"]>>;

  it("is for admins only", async () => {
    const { redeliver } = redeliveryWith();
    await expect(redeliver(CUSTOMER, "e1")).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "requires the admin role",
    });
  });

  it("sends deliveries of an event that has no trace without one", async () => {
    const recorder = recordingQueue();
    const { redeliver, fanOut } = redeliveryWith({
      queue: recorder.queue,
      events: {
        findById: async (id) => ({ ...storedEvent(id), trace: null }),
        routeOf: async () => ({ type: "order.created" }),
        markDispatched: async () => {},
      },
      webhooks: { findEndpoint: async () => endpoint(false), subscribedEndpoints: async () => ["w1"] },
    });
    await redeliver(ADMIN, "e1", "w1");
    await fanOut("e1");
    expect(recorder.batches).toEqual([
      [{ kind: "delivery", event: "e1", endpoint: "w1" }],
      [{ kind: "delivery", event: "e1", endpoint: "w1" }],
    ]);
  });

  it("sends to one endpoint, or to every one that takes the event", async () => {
    const recorder = recordingQueue();
    const { redeliver } = redeliveryWith({
      queue: recorder.queue,
      events: { findById: async (id) => storedEvent(id) },
      webhooks: { findEndpoint: async () => endpoint(false), subscribedEndpoints: async () => ["w1", "w2"] },
    });
    expect(await redeliver(ADMIN, "e1", "w1")).toEqual(["w1"]);
    expect(await redeliver(ADMIN, "e1")).toEqual(["w1", "w2"]);
    expect(recorder.batches.map((batch) => batch.map((m) => "endpoint" in m && m.endpoint))).toEqual([
      ["w1"],
      ["w1", "w2"],
    ]);
  });

  it("refuses an unknown event or endpoint (404) and a disabled endpoint (409), sending nothing", async () => {
    const recorder = recordingQueue();
    const { redeliver } = redeliveryWith({
      queue: recorder.queue,
      events: { findById: async (id) => (id === "gone" ? null : storedEvent(id)) },
      webhooks: { findEndpoint: async (id) => (id === "w-off" ? endpoint(true) : null) },
    });
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (err: AppError) => [err.code, err.message],
      );
    expect(await refusal(redeliver(ADMIN, "gone"))).toEqual(["NOT_FOUND", "event not found"]);
    expect(await refusal(redeliver(ADMIN, "e1", "w-none"))).toEqual(["NOT_FOUND", "webhook endpoint not found"]);
    expect(await refusal(redeliver(ADMIN, "e1", "w-off"))).toEqual(["CONFLICT", "the webhook endpoint is disabled"]);
    expect(recorder.batches).toEqual([]);
  });
});
