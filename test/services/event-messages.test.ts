import { describe, expect, it } from "vitest";
import { isDeadLetterQueue, isEventMessage, RETRY_DELAYS_S } from "../../src/services/event-messages";

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
    ]) {
      expect(isEventMessage(body), JSON.stringify(body)).toBe(false);
    }
  });
});

describe("the dead-letter queue", () => {
  it("is told by its name", () => {
    expect(isDeadLetterQueue("order-events-dlq")).toBe(true);
    expect(isDeadLetterQueue("order-events")).toBe(false);
    expect(isDeadLetterQueue("order-events-dlq-x")).toBe(false);
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
