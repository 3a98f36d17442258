import { describe, expect, it, vi } from "vitest";
import { createEventHandOver, HAND_OVER_RETRY_MS } from "../../src/services/event-hand-over";
import { type EventQueue, isSweepMessage } from "../../src/services/event-messages";
import { SWEEP_AFTER_MS } from "../../src/services/event-sweep";
import { eventJobDeps, TRACEPARENT } from "../support/event-jobs";
import { recordingQueue } from "../support/recording-queue";

function handOverWith(options: Parameters<typeof eventJobDeps>[0]) {
  const deps = eventJobDeps(options);
  return { ...deps, handOver: createEventHandOver(deps) };
}

describe("handing events over before the answer", () => {
  it("sends each event to the queue with its trace, and counts it", async () => {
    const recorder = recordingQueue();
    const { handOver, metrics } = handOverWith({ queue: recorder.queue });
    await handOver([{ id: "e1", traceparent: TRACEPARENT }, { id: "e2" }]);
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
    recorder.state.refusals = 1;
    const { queue } = recorder;
    const { handOver, lines, metrics, pauses } = handOverWith({ queue });
    await handOver([{ id: "e1" }]);
    expect(pauses).toEqual([HAND_OVER_RETRY_MS]);
    expect(recorder.batches).toEqual([[{ kind: "event", event: "e1" }]]);
    expect(metrics.render({})).toContain('events_handed_over_total{by="request"} 1');
    expect(lines).toEqual([]);
  });

  it("answers without waiting out a refusal: the second try goes to `later`, the request's waitUntil", async () => {
    const recorder = recordingQueue();
    recorder.state.refusals = 1;
    const { queue } = recorder;
    const { handOver, pauses } = handOverWith({ queue });
    const deferred: Promise<void>[] = [];
    await handOver([{ id: "e1" }], (retry) => deferred.push(retry));
    expect(deferred).toHaveLength(1);
    await Promise.all(deferred);
    expect(pauses).toEqual([HAND_OVER_RETRY_MS]);
    expect(recorder.batches).toEqual([[{ kind: "event", event: "e1" }]]);
    const { handOver: again } = handOverWith({ queue: recorder.queue });
    const none: Promise<void>[] = [];
    await again([{ id: "e2" }], (retry) => none.push(retry));
    expect(none).toEqual([]);
  });

  it("leaves what the queue refused twice to the sweep: a warning with the error's name, never a throw", async () => {
    const send = vi.fn(() => Promise.reject(new TypeError("queue down")));
    const { handOver, lines, metrics, pauses } = handOverWith({ queue: { send } });
    await expect(handOver([{ id: "e1" }])).resolves.toBeUndefined();
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

  it("starts the sweep's drain, a minute on, when the queue takes a hand-over after leaving events to it", async () => {
    const recorder = recordingQueue();
    const { handOver } = handOverWith({ queue: recorder.queue });
    await handOver([{ id: "e0" }]);
    expect(recorder.sweeps).toEqual([]);
    recorder.state.refusing = true;
    await handOver([{ id: "e1" }]);
    await handOver([{ id: "e2" }]);
    recorder.state.refusing = false;
    await handOver([{ id: "e3" }]);
    await handOver([{ id: "e4" }]);
    expect(recorder.sweeps).toEqual([{ delaySeconds: SWEEP_AFTER_MS / 1000 }]);
    expect(recorder.take().map((m) => m.kind === "event" && m.event)).toEqual(["e0", "e3", "e4"]);
  });

  it("still owes the sweep's drain when the queue refuses the sweep's step itself, and sends it with the next", async () => {
    const recorder = recordingQueue();
    const refuse = { sweeps: true };
    const queue: EventQueue = {
      send: (messages, options) =>
        refuse.sweeps && messages.some(isSweepMessage)
          ? Promise.reject(new Error("queue busy"))
          : recorder.queue.send(messages, options),
    };
    const { handOver } = handOverWith({ queue });
    recorder.state.refusing = true;
    await handOver([{ id: "e1" }]);
    recorder.state.refusing = false;
    await handOver([{ id: "e2" }]);
    expect(recorder.sweeps).toEqual([]);
    refuse.sweeps = false;
    await handOver([{ id: "e3" }]);
    await handOver([{ id: "e4" }]);
    expect(recorder.sweeps).toEqual([{ delaySeconds: SWEEP_AFTER_MS / 1000 }]);
    expect(recorder.take().map((m) => m.kind === "event" && m.event)).toEqual(["e2", "e3", "e4"]);
  });

  it("pauses HAND_OVER_RETRY_MS on the clock before the second try, unless told otherwise", async () => {
    vi.useFakeTimers();
    try {
      const recorder = recordingQueue();
      recorder.state.refusals = 1;
      const { pause: _injected, ...deps } = eventJobDeps({ queue: recorder.queue });
      const handOver = createEventHandOver(deps);
      let second: Promise<void> | undefined;
      await handOver([{ id: "e1" }], (retry) => {
        second = retry;
      });
      await vi.advanceTimersByTimeAsync(HAND_OVER_RETRY_MS - 1);
      expect(recorder.sent).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      await second;
      expect(recorder.take().map((m) => m.kind === "event" && m.event)).toEqual(["e1"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("does nothing without a queue (a preview): the events wait in the feed, and nothing is logged", async () => {
    const { handOver, lines } = handOverWith({ queue: null });
    await handOver([{ id: "e1" }]);
    expect(lines).toEqual([]);
  });
});
