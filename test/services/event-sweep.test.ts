import { describe, expect, it, vi } from "vitest";
import { createEventSweep, RESWEEP_AFTER_MS, SWEEP_AFTER_MS, SWEEP_BATCH } from "../../src/services/event-sweep";
import { eventJobDeps, NOW, TRACEPARENT } from "../support/event-jobs";
import { newOrder } from "../support/order-repository-contract";
import { recordingQueue } from "../support/recording-queue";
import { fakeEventRepository } from "./fake-event-repository";
import { fakeOrderRepository } from "./fake-order-repository";

function sweepWith(options: Parameters<typeof eventJobDeps>[0]) {
  const deps = eventJobDeps(options);
  return { ...deps, sweep: createEventSweep(deps) };
}

describe("the sweep", () => {
  it("claims and hands over the events older than a minute, each logged under its own trace, and reports the oldest", async () => {
    const recorder = recordingQueue();
    const claimForSweep = vi.fn(async () => [{ id: "late", traceparent: TRACEPARENT }]);
    const { sweep, lines, metrics } = sweepWith({
      queue: recorder.queue,
      events: { claimForSweep, oldestUndispatched: async () => new Date(NOW - 90_000) },
    });
    expect(await sweep()).toEqual({ handedOver: 1, oldestPendingSeconds: 90, next: "none" });
    expect(claimForSweep).toHaveBeenCalledWith({
      createdBefore: new Date(NOW - SWEEP_AFTER_MS),
      sweptBefore: new Date(NOW - RESWEEP_AFTER_MS),
      at: new Date(NOW),
      limit: SWEEP_BATCH,
    });
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

  it("goes on after a full batch only: the next step behind the events it sent", async () => {
    const claimed = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `e${i}` }));
    for (const [found, next, sweeps] of [
      [SWEEP_BATCH, "now", [{}]],
      [SWEEP_BATCH - 1, "none", []],
      [0, "none", []],
    ] as const) {
      const recorder = recordingQueue();
      const { sweep } = sweepWith({
        queue: recorder.queue,
        events: { claimForSweep: async () => claimed(found), oldestUndispatched: async () => null },
      });
      expect((await sweep()).next).toBe(next);
      expect(recorder.sweeps).toEqual(sweeps);
      expect(recorder.sent).toHaveLength(found);
    }
  });

  it("hands a claimed event not fanned out over again at the next hourly run, even one that fires early, not sooner", async () => {
    const orders = fakeOrderRepository();
    await orders.repository.create(newOrder("customer-1", { createdAt: new Date(NOW - 120_000) }), undefined, {
      id: "stuck",
    });
    const recorder = recordingQueue();
    let clock = NOW;
    const { logger, metrics } = eventJobDeps();
    const sweep = createEventSweep({
      events: fakeEventRepository(orders),
      queue: recorder.queue,
      logger,
      metrics,
      now: () => clock,
    });
    const handedOver = async (at: number) => {
      clock = at;
      await sweep();
      return recorder.batches
        .splice(0)
        .flat()
        .map((m) => m.event);
    };
    expect(await handedOver(NOW)).toEqual(["stuck"]);
    // A queue's sweep step minutes on, and one a few minutes short of the hour, leave it be.
    expect(await handedOver(NOW + 5 * 60_000)).toEqual([]);
    expect(await handedOver(NOW + 50 * 60_000)).toEqual([]);
    // The next hourly run, its trigger a minute early: handed over again.
    expect(await handedOver(NOW + 59 * 60_000)).toEqual(["stuck"]);
  });

  it("without a queue, fails with the reason (a cron bound to no queue is misconfigured)", async () => {
    const releaseSweepClaim = vi.fn(async () => {});
    const { sweep } = sweepWith({
      queue: null,
      events: { claimForSweep: async () => [{ id: "late" }], releaseSweepClaim, oldestUndispatched: async () => null },
    });
    await expect(sweep()).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      detail: "no EVENTS_QUEUE binding",
    });
    expect(releaseSweepClaim).toHaveBeenCalledWith(["late"], new Date(NOW));
  });

  it("lets go of what it claimed when the queue refuses it, so the step's retry claims it again, not in an hour", async () => {
    const recorder = recordingQueue();
    recorder.state.refusing = true;
    const releaseSweepClaim = vi.fn(async () => {});
    const { sweep, lines, metrics } = sweepWith({
      queue: recorder.queue,
      events: {
        claimForSweep: async () => [{ id: "a" }, { id: "b", traceparent: TRACEPARENT }],
        releaseSweepClaim,
      },
    });
    await expect(sweep()).rejects.toThrow("queue unavailable");
    expect(releaseSweepClaim).toHaveBeenCalledWith(["a", "b"], new Date(NOW));
    expect(lines).toEqual([]);
    expect(metrics.render({})).not.toMatch(/^events_handed_over_total/m);
  });

  it("says so when the claim cannot be let go either, and fails with the queue's reason", async () => {
    const recorder = recordingQueue();
    recorder.state.refusing = true;
    const { sweep, lines } = sweepWith({
      queue: recorder.queue,
      events: {
        claimForSweep: async () => [{ id: "a" }],
        releaseSweepClaim: async () => Promise.reject(new TypeError("fetch failed")),
      },
    });
    await expect(sweep()).rejects.toThrow("queue unavailable");
    expect(lines).toEqual([
      expect.objectContaining({
        level: "warn",
        msg: "sweep claim not let go; its events wait for the re-sweep",
        events: 1,
        error: "TypeError",
      }),
    ]);
  });
});
