import { describe, expect, it, vi } from "vitest";
import { createEndpointRecovery } from "../../src/services/endpoint-recovery";
import type { EventRepository } from "../../src/services/event-repository";
import type { StoredEndpoint } from "../../src/services/webhook-repository";
import { ADMIN, CUSTOMER, eventJobDeps, NOW, TRACEPARENT } from "../support/event-jobs";
import { recordingQueue } from "../support/recording-queue";

const CREATED = new Date(NOW - 3_600_000);
const endpoint = (over: Partial<StoredEndpoint> = {}) =>
  ({ id: "wh-1", events: ["order.created"], disabled: false, createdAt: CREATED, ...over }) as StoredEndpoint;

function recoveryWith(missed: Awaited<ReturnType<EventRepository["missedBy"]>>, stored = endpoint(), limit = 2) {
  const missedBy = vi.fn<EventRepository["missedBy"]>(async () => missed);
  const recording = recordingQueue();
  const deps = eventJobDeps({
    queue: recording.queue,
    events: { missedBy },
    webhooks: { findEndpoint: async (id: string) => (id === stored.id ? stored : null) },
  });
  const recover = createEndpointRecovery({ ...deps, limit });
  return { recover, missedBy, batches: recording.batches };
}

describe("recovering what an endpoint missed", () => {
  it("queues each missed event for that endpoint, its attempts numbered on, and says none are left", async () => {
    const { recover, missedBy, batches } = recoveryWith([
      { id: "e1", attemptsMade: 3, traceparent: TRACEPARENT },
      { id: "e2", attemptsMade: 0 },
    ]);
    const since = new Date(NOW - 60_000);
    expect(await recover(ADMIN, "wh-1", since)).toEqual({ eventIds: ["e1", "e2"], more: false });
    expect(missedBy).toHaveBeenCalledWith("wh-1", { from: since, types: ["order.created"], limit: 3 });
    expect(batches.flat()).toEqual([
      { kind: "delivery", event: "e1", endpoint: "wh-1", after: 3, traceparent: TRACEPARENT },
      { kind: "delivery", event: "e2", endpoint: "wh-1" },
    ]);
  });

  it("looks no further back than the endpoint's creation, and queues at most its limit", async () => {
    const { recover, missedBy, batches } = recoveryWith([
      { id: "e1", attemptsMade: 0 },
      { id: "e2", attemptsMade: 0 },
      { id: "e3", attemptsMade: 0 },
    ]);
    expect(await recover(ADMIN, "wh-1", new Date(0))).toEqual({ eventIds: ["e1", "e2"], more: true });
    expect(missedBy.mock.calls[0]?.[1].from).toEqual(CREATED);
    expect(batches.flat().map((m) => m.event)).toEqual(["e1", "e2"]);
  });

  it("is for admins only, 404 for an unknown endpoint and 409 for a disabled one, queuing nothing", async () => {
    const { recover, batches } = recoveryWith([{ id: "e1", attemptsMade: 0 }], endpoint({ disabled: true }));
    const since = new Date(NOW);
    await expect(recover(CUSTOMER, "wh-1", since)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(recover(ADMIN, "wh-none", since)).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "webhook endpoint not found",
    });
    await expect(recover(ADMIN, "wh-1", since)).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/^the webhook endpoint is disabled: enable it/),
    });
    expect(batches).toEqual([]);
  });
});
