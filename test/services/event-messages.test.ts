import { describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/app-error";
import {
  isDeadLetterQueue,
  isEventMessage,
  isPurgeMessage,
  isSlowLane,
  isSweepMessage,
  RETRY_DELAYS_S,
  senderTo,
} from "../../src/services/event-messages";
import { recordingQueue } from "../support/recording-queue";

const E1 = "5d2f1c3b-0000-4000-8000-0000000000e1";
const W1 = "7a2f1c3b-0000-4000-8000-0000000000a1";

describe("what travels on the events queue", () => {
  it("takes an event to fan out and a delivery to one endpoint, with or without a trace", () => {
    for (const body of [
      { kind: "event", event: E1 },
      {
        kind: "event",
        event: E1.toUpperCase(),
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      },
      { kind: "delivery", event: E1, endpoint: W1, after: 3 },
      // A redelivery after no attempts made yet numbers its attempts from the first.
      { kind: "delivery", event: E1, endpoint: W1, after: 0 },
    ]) {
      expect(isEventMessage(body), JSON.stringify(body)).toBe(true);
    }
  });

  it("refuses anything else someone may have sent to the queue", () => {
    for (const body of [
      null,
      undefined,
      "e1",
      42,
      [],
      {},
      { kind: "event" },
      { kind: "event", event: 1 },
      { kind: "delivery", event: E1 },
      { kind: "delivery", event: E1, endpoint: 7 },
      { kind: "other", event: E1, endpoint: W1 },
      { event: E1, endpoint: W1 },
      // Ids that are not UUIDs would fail every retry for three days.
      { kind: "event", event: "e1" },
      { kind: "delivery", event: E1, endpoint: "w1" },
      { kind: "delivery", event: `${E1}x`, endpoint: W1 },
      { kind: "delivery", event: E1, endpoint: W1, after: -1 },
      { kind: "delivery", event: E1, endpoint: W1, after: 1.5 },
      { kind: "delivery", event: E1, endpoint: W1, after: "2" },
    ]) {
      expect(isEventMessage(body), JSON.stringify(body)).toBe(false);
    }
  });
});

describe("the sweep's and the purges' next steps", () => {
  it("tells a sweep step by its kind", () => {
    expect(isSweepMessage({ kind: "sweep" })).toBe(true);
    for (const body of [null, undefined, "sweep", { kind: "purge", job: "events" }, { kind: "event", event: E1 }, {}]) {
      expect(isSweepMessage(body), JSON.stringify(body)).toBe(false);
    }
  });

  it("tells a purge step by its kind and one of the two purges it names", () => {
    expect(isPurgeMessage({ kind: "purge", job: "idempotency" })).toBe(true);
    expect(isPurgeMessage({ kind: "purge", job: "events" })).toBe(true);
    for (const body of [
      null,
      undefined,
      "purge",
      {},
      { kind: "purge" },
      { kind: "purge", job: "" },
      { kind: "purge", job: "orders" },
      { kind: "sweep", job: "events" },
      { job: "idempotency" },
    ]) {
      expect(isPurgeMessage(body), JSON.stringify(body)).toBe(false);
    }
  });
});

describe("sending to the queue", () => {
  it("sends the messages with their delay", async () => {
    const recorder = recordingQueue();
    await senderTo(recorder.queue)([{ kind: "sweep" }, { kind: "event", event: E1 }], { delaySeconds: 5 });
    expect(recorder.sweeps).toEqual([{ delaySeconds: 5 }]);
    expect(recorder.sent).toEqual([{ kind: "event", event: E1 }]);
  });

  it("sends nothing for no messages, and needs no queue for that", async () => {
    const recorder = recordingQueue();
    recorder.state.refusing = true;
    await senderTo(recorder.queue)([]);
    await expect(senderTo(undefined)([])).resolves.toBeUndefined();
  });

  it("fails a send with no queue bound (a preview) with the reason", async () => {
    const failure = senderTo(undefined)([{ kind: "sweep" }]);
    await expect(failure).rejects.toBeInstanceOf(AppError);
    await expect(failure).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE", detail: "no EVENTS_QUEUE binding" });
  });
});

describe("the dead-letter queue and the slow lane", () => {
  it.each([
    ["the dead-letter queue", isDeadLetterQueue, "-dlq"],
    ["the slow lane", isSlowLane, "-slow"],
  ])("%s is told by its name", (_label, isIt, suffix) => {
    expect(isIt(`order-events${suffix}`)).toBe(true);
    expect(isIt("order-events")).toBe(false);
    expect(isIt(`order-events${suffix}-x`)).toBe(false);
    expect(isIt(`${suffix.slice(1)}-order-events`)).toBe(false);
  });
});

describe("the retry schedule", () => {
  it("waits longer each time, never beyond the 12 hours Queues allows one delay, about three days in all", () => {
    expect(RETRY_DELAYS_S[0]).toBe(5);
    for (let i = 1; i < RETRY_DELAYS_S.length; i++) {
      expect(RETRY_DELAYS_S[i]).toBeGreaterThanOrEqual(RETRY_DELAYS_S[i - 1] ?? 0);
    }
    expect(Math.max(...RETRY_DELAYS_S)).toBe(12 * 3600);
    const hours = RETRY_DELAYS_S.reduce((sum, s) => sum + s, 0) / 3600;
    expect(hours).toBeCloseTo(77.6, 1);
    expect(RETRY_DELAYS_S).toHaveLength(11);
  });
});
