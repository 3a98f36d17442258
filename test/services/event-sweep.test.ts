import { describe, expect, it, vi } from "vitest";
import { createEventSweep, SWEEP_AFTER_MS, SWEEP_BATCH } from "../../src/services/event-sweep";
import { eventJobDeps, NOW, TRACEPARENT } from "../support/event-jobs";
import { recordingQueue } from "../support/recording-queue";

function sweepWith(options: Parameters<typeof eventJobDeps>[0]) {
  const deps = eventJobDeps(options);
  return { ...deps, sweep: createEventSweep(deps) };
}

describe("the sweep", () => {
  it("hands over the events older than a minute, each logged under its own trace, and reports the oldest", async () => {
    const recorder = recordingQueue();
    const undispatched = vi.fn(async () => [{ id: "late", traceparent: TRACEPARENT }]);
    const { sweep, lines, metrics } = sweepWith({
      queue: recorder.queue,
      events: { undispatched, oldestUndispatched: async () => new Date(NOW - 90_000) },
    });
    expect(await sweep()).toEqual({ handedOver: 1, oldestPendingSeconds: 90 });
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
    const { sweep } = sweepWith({
      queue: null,
      events: { undispatched: async () => [{ id: "late" }], oldestUndispatched: async () => null },
    });
    await expect(sweep()).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      detail: "no EVENTS_QUEUE binding",
    });
  });
});
