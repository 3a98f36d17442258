import { describe, expect, it, vi } from "vitest";
import type { AppError } from "../../src/domain/app-error";
import { createEventFanOut } from "../../src/services/event-fan-out";
import { createEventRedelivery } from "../../src/services/event-redelivery";
import { ADMIN, CUSTOMER, eventJobDeps, storedEvent } from "../support/event-jobs";
import { recordingQueue } from "../support/recording-queue";
import { attemptOf, storedEndpoint } from "../support/webhook-repository-contract";
import { fakeWebhookRepository } from "./fake-webhook-repository";

const W1 = "00000000-0000-4000-8000-0000000000a1";
const W2 = "00000000-0000-4000-8000-0000000000a2";
const OFF = "00000000-0000-4000-8000-0000000000a3";
const STATUS_ONLY = "00000000-0000-4000-8000-0000000000a4";

/**
 * Redelivery over the in-memory webhook repository (held to the Postgres one's contract), with the
 * fan-out over the same queue: a redelivered event's deliveries match its first ones.
 */
function redeliveryWith({ noTrace = false } = {}) {
  const recorder = recordingQueue();
  const webhooks = fakeWebhookRepository();
  for (const endpoint of [
    storedEndpoint({ id: W1 }),
    storedEndpoint({ id: W2 }),
    storedEndpoint({ id: OFF, disabled: true, disabledReason: "disabled by an admin" }),
    storedEndpoint({ id: STATUS_ONLY, events: ["order.status_changed"] }),
  ]) {
    webhooks.endpoints.set(endpoint.id, endpoint);
  }
  const deps = {
    ...eventJobDeps({
      queue: recorder.queue,
      events: {
        findById: async (id) => (id === "gone" ? null : { ...storedEvent(id), ...(noTrace ? { trace: null } : {}) }),
        routeOf: async (id) => ({ type: "order.created", createdAt: storedEvent(id).createdAt }),
        markDispatched: async () => {},
      },
    }),
    webhooks: webhooks.repository,
  };
  return { recorder, webhooks, redeliver: createEventRedelivery(deps), fanOut: createEventFanOut(deps) };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: AppError) => [err.code, err.message],
  );

describe("redelivery", () => {
  it("is for admins only", async () => {
    const { redeliver } = redeliveryWith();
    await expect(redeliver(CUSTOMER, "e1")).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "requires the admin role",
    });
  });

  it("sends deliveries of an event that has no trace without one, as the fan-out does", async () => {
    const { redeliver, fanOut, recorder } = redeliveryWith({ noTrace: true });
    await redeliver(ADMIN, "e1", W1);
    await fanOut("e1");
    expect(recorder.batches).toEqual([
      [{ kind: "delivery", event: "e1", endpoint: W1 }],
      [
        { kind: "delivery", event: "e1", endpoint: W1 },
        { kind: "delivery", event: "e1", endpoint: W2 },
      ],
    ]);
  });

  it("sends to one endpoint, or to every enabled one that takes the event", async () => {
    const { redeliver, recorder } = redeliveryWith();
    expect(await redeliver(ADMIN, "e1", W1)).toEqual([W1]);
    expect(await redeliver(ADMIN, "e1")).toEqual([W1, W2]);
    expect(recorder.batches.map((batch) => batch.map((m) => "endpoint" in m && m.endpoint))).toEqual([[W1], [W1, W2]]);
  });

  it("sends nothing, and asks for no attempts, when no enabled endpoint takes the event", async () => {
    const { redeliver, recorder, webhooks } = redeliveryWith();
    for (const id of [W1, W2]) webhooks.endpoints.set(id, storedEndpoint({ id, disabled: true }));
    const attemptsMade = vi.spyOn(webhooks.repository, "attemptsMade");
    expect(await redeliver(ADMIN, "e1")).toEqual([]);
    expect(attemptsMade).not.toHaveBeenCalled();
    expect(recorder.batches).toEqual([]);
  });

  it("numbers attempts on from those made, so a redelivery never looks like a first delivery", async () => {
    const { redeliver, recorder, webhooks } = redeliveryWith();
    webhooks.attempts.push({ ...attemptOf(W1, "e1", 1), attempt: 4 }, { ...attemptOf(W2, "e2", 1), attempt: 7 });
    await redeliver(ADMIN, "e1");
    expect(recorder.batches[0]?.map((m) => ("after" in m ? m.after : undefined))).toEqual([4, undefined]);
  });

  it("refuses an unknown event or endpoint (404), a disabled one and one that does not take the event's type (409)", async () => {
    const { redeliver, recorder } = redeliveryWith();
    expect(await refusal(redeliver(ADMIN, "gone"))).toEqual(["NOT_FOUND", "event not found"]);
    expect(await refusal(redeliver(ADMIN, "e1", crypto.randomUUID()))).toEqual([
      "NOT_FOUND",
      "webhook endpoint not found",
    ]);
    expect(await refusal(redeliver(ADMIN, "e1", OFF))).toEqual(["CONFLICT", "the webhook endpoint is disabled"]);
    expect(await refusal(redeliver(ADMIN, "e1", STATUS_ONLY))).toEqual([
      "CONFLICT",
      "the webhook endpoint does not take order.created events",
    ]);
    expect(recorder.batches).toEqual([]);
  });
});
