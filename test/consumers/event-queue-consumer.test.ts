import { describe, expect, it, vi } from "vitest";
import { eventConsumer, UNSEEN_EVENT_DELAY_S, UNSEEN_EVENT_LOOKS } from "../../src/consumers/event-queue-consumer";
import { AppError } from "../../src/domain/app-error";
import { createMetrics } from "../../src/observability/metrics";
import { RETRY_DELAYS_S } from "../../src/services/event-messages";
import type { SweepReport } from "../../src/services/event-sweep";
import type { PurgeJob, PurgeStepReport } from "../../src/services/purge-steps";
import type { DeliveryDecision, Lane, WebhookDispatcher } from "../../src/services/webhook-dispatcher";
import { captureLogger } from "../support/capture-logger";
import { batchFrom, batchOf, message } from "../support/queue-messages";
import { recordingQueue } from "../support/recording-queue";

function consumerWith(
  decide: (lane: Lane | undefined) => Promise<DeliveryDecision>,
  endpoints: number | null = 2,
  slowLane?: ReturnType<typeof recordingQueue>,
) {
  const metrics = createMetrics();
  const fannedOut: string[] = [];
  const fanOut = async (id: string) => {
    fannedOut.push(id);
    return endpoints;
  };
  const dispatcher: WebhookDispatcher = { deliver: (step) => decide(step.lane), sendTest: async () => null };
  const { logger, lines } = captureLogger();
  const lanes = slowLane ? { slowLane: slowLane.queue } : {};
  const sweep = vi.fn(async (): Promise<SweepReport> => ({ handedOver: 3, oldestPendingSeconds: 70, next: "now" }));
  const purge = vi.fn(
    async (_job: PurgeJob): Promise<PurgeStepReport> => ({
      deleted: 9,
      batches: 1,
      stoppedEarly: false,
      continued: false,
    }),
  );
  const consume = eventConsumer({ fanOut, dispatcher, logger, metrics, sweep, purge, ...lanes });
  return { consume, metrics, fannedOut, lines, sweep, purge };
}

const delivery = { kind: "delivery", event: crypto.randomUUID(), endpoint: crypto.randomUUID() };
const E1 = "5d2f1c3b-0000-4000-8000-0000000000e1";

describe("the events queue consumer", () => {
  it("acks an event once fanned out, and a delivered delivery", async () => {
    const { consume, fannedOut, metrics } = consumerWith(async () => ({ kind: "ack", outcome: "delivered" }));
    const event = message({ kind: "event", event: E1 });
    const sent = message(delivery);
    await consume(batchOf(event.msg, sent.msg));
    expect(fannedOut).toEqual([E1]);
    expect([event.done, sent.done]).toEqual([{ acked: true }, { acked: true }]);
    expect(metrics.render({})).toContain('webhook_deliveries_total{outcome="delivered"} 1');
  });

  it("looks again for an event not committed yet, and lets it go after the last look", async () => {
    const { consume, lines } = consumerWith(async () => ({ kind: "ack", outcome: "delivered" }), null);
    const looks = Array.from({ length: UNSEEN_EVENT_LOOKS }, (_, i) => message({ kind: "event", event: E1 }, i + 1));
    await consume(batchOf(...looks.map((l) => l.msg)));
    expect(looks.map((l) => l.done)).toEqual([
      ...Array.from({ length: UNSEEN_EVENT_LOOKS - 1 }, () => ({ retried: { delaySeconds: UNSEEN_EVENT_DELAY_S } })),
      { acked: true },
    ]);
    expect(lines.filter((l) => l.level === "warn").map((l) => l.msg)).toEqual(["event never committed; let go"]);
  });

  it("retries with the dispatcher's delay, and acks a delivery given up on (recorded failed, nothing left to try)", async () => {
    const retrying = consumerWith(async () => ({ kind: "retry", outcome: "retrying", delaySeconds: 300 }));
    const first = message(delivery, 1);
    await retrying.consume(batchOf(first.msg));
    expect(first.done).toEqual({ retried: { delaySeconds: 300 } });
    const givingUp = consumerWith(async () => ({ kind: "give-up", outcome: "failed" }));
    const last = message(delivery, RETRY_DELAYS_S.length + 1);
    await givingUp.consume(batchOf(last.msg));
    expect(last.done).toEqual({ acked: true });
    expect(givingUp.metrics.render({})).toContain('webhook_deliveries_total{outcome="failed"} 1');
  });

  it.each(["gone", "failing"] as const)("counts and logs an endpoint disabled (%s), by why", async (disabledBy) => {
    const { consume, metrics, lines } = consumerWith(async () => ({ kind: "ack", outcome: "disabled", disabledBy }));
    await consume(batchOf(message(delivery).msg));
    expect(metrics.render({})).toContain(`webhook_endpoints_disabled_total{reason="${disabledBy}"} 1`);
    expect(lines).toContainEqual(expect.objectContaining({ msg: "webhook endpoint disabled", reason: disabledBy }));
  });

  it("acks at once, counting it, a message that is not ours or names no valid ids (never 12 retries)", async () => {
    const { consume, metrics } = consumerWith(async () => ({ kind: "ack", outcome: "delivered" }));
    const bad = [
      message({ hello: "world" }),
      message({ kind: "event", event: "42" }),
      message({ kind: "delivery", event: crypto.randomUUID(), endpoint: "../etc" }),
    ];
    await consume(batchOf(...bad.map((m) => m.msg)));
    expect(bad.map((m) => m.done)).toEqual([{ acked: true }, { acked: true }, { acked: true }]);
    expect(metrics.render({})).toContain("queue_messages_ignored_total 3");
  });

  it("retries a step that failed on our side with its attempt's delay, logging codes, never data", async () => {
    const { consume, lines } = consumerWith(async () => {
      throw new AppError("SERVICE_UNAVAILABLE", { detail: "secret detail" });
    });
    const failed = message(delivery, 3);
    await consume(batchOf(failed.msg));
    expect(failed.done).toEqual({ retried: { delaySeconds: RETRY_DELAYS_S[2] } });
    expect(lines.at(-1)).toMatchObject({ level: "error", code: "SERVICE_UNAVAILABLE", event_id: delivery.event });
    expect(JSON.stringify(lines)).not.toContain("secret detail");
  });

  it("runs one message's slow delivery beside the others, not before them", async () => {
    let release = () => {};
    const slow = new Promise<DeliveryDecision>((resolve) => {
      release = () => resolve({ kind: "ack", outcome: "delivered" });
    });
    let calls = 0;
    const { consume } = consumerWith(() =>
      ++calls === 1 ? slow : Promise.resolve({ kind: "ack", outcome: "delivered" }),
    );
    const [a, b] = [message(delivery, 1), message(delivery, 2)];
    const running = consume(batchOf(a.msg, b.msg));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect([a.done, b.done]).toEqual([{}, { acked: true }]);
    release();
    await running;
    expect(a.done).toEqual({ acked: true });
  });

  it("tells the dispatcher its lane by the batch's queue, and none when there is no slow lane", async () => {
    const lanes: (Lane | undefined)[] = [];
    const decide = async (lane: Lane | undefined): Promise<DeliveryDecision> => {
      lanes.push(lane);
      return { kind: "ack", outcome: "delivered" };
    };
    const { consume } = consumerWith(decide, 2, recordingQueue());
    await consume(batchFrom("order-events-dev", message(delivery).msg));
    await consume(batchFrom("order-events-dev-slow", message(delivery).msg));
    await consumerWith(decide).consume(batchFrom("order-events-dev", message(delivery).msg));
    expect(lanes).toEqual(["fast", "slow", undefined]);
  });

  it("sends a delivery moved to the slow lane on, as it came, then acks it", async () => {
    const slow = recordingQueue();
    const { consume, metrics } = consumerWith(async () => ({ kind: "move", outcome: "moved" }), 2, slow);
    const moved = message({
      ...delivery,
      after: 2,
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    });
    await consume(batchFrom("order-events-dev", moved.msg));
    expect(slow.sent).toEqual([moved.msg.body]);
    expect(moved.done).toEqual({ acked: true });
    expect(metrics.render({})).toContain('webhook_deliveries_total{outcome="moved"} 1');
  });

  it("retries a move the slow lane refused, here, as a failure on our side", async () => {
    const slow = recordingQueue();
    slow.state.refusing = true;
    const { consume } = consumerWith(async () => ({ kind: "move", outcome: "moved" }), 2, slow);
    const moved = message(delivery);
    await consume(batchFrom("order-events-dev", moved.msg));
    expect(moved.done).toEqual({ retried: { delaySeconds: RETRY_DELAYS_S[0] } });
  });

  it("runs a step of the sweep for a sweep message, and retries one that failed on our side", async () => {
    const { consume, sweep, lines } = consumerWith(async () => ({ kind: "ack", outcome: "delivered" }));
    const step = message({ kind: "sweep" });
    await consume(batchOf(step.msg));
    expect(sweep).toHaveBeenCalledTimes(1);
    expect(step.done).toEqual({ acked: true });
    expect(lines).toContainEqual(expect.objectContaining({ msg: "event sweep step", handedOver: 3, next: "now" }));
    sweep.mockRejectedValueOnce(new AppError("SERVICE_UNAVAILABLE"));
    const failed = message({ kind: "sweep" }, 2);
    await consume(batchOf(failed.msg));
    expect(failed.done).toEqual({ retried: { delaySeconds: RETRY_DELAYS_S[1] } });
  });

  it("runs a step of the purge a message names, and ignores one naming no purge", async () => {
    const { consume, purge, lines, metrics } = consumerWith(async () => ({ kind: "ack", outcome: "delivered" }));
    const step = message({ kind: "purge", job: "events" });
    const unknown = message({ kind: "purge", job: "orders" });
    await consume(batchOf(step.msg, unknown.msg));
    expect(purge.mock.calls).toEqual([["events"]]);
    expect([step.done, unknown.done]).toEqual([{ acked: true }, { acked: true }]);
    expect(lines).toContainEqual(expect.objectContaining({ msg: "events purge step", deleted: 9 }));
    expect(metrics.render({})).toContain("queue_messages_ignored_total 1");
  });
});
