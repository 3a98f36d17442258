import { describe, expect, it } from "vitest";
import { deadLetterConsumer, GAVE_UP_ERROR } from "../../src/consumers/dead-letter-consumer";
import type { DeliveryAttempt } from "../../src/domain/webhook-endpoint";
import { createMetrics } from "../../src/observability/metrics";
import type { EventRepository } from "../../src/services/event-repository";
import { fakeWebhookRepository } from "../services/fake-webhook-repository";
import { captureLogger } from "../support/capture-logger";
import { batchOf, message } from "../support/queue-messages";
import { storedEndpoint } from "../support/webhook-repository-contract";

const NOW = Date.parse("2026-12-06T10:00:00.000Z");
const EVENT = "5d2f1c3b-0000-4000-8000-000000000001";

function consumerWith({ eventExists = true, failRecording = false } = {}) {
  const fake = fakeWebhookRepository();
  const endpoint = storedEndpoint();
  fake.endpoints.set(endpoint.id, endpoint);
  const webhooks = failRecording
    ? { ...fake.repository, recordAttempt: () => Promise.reject(Object.assign(new Error("x"), { code: "TIMEOUT" })) }
    : fake.repository;
  const routeOf: EventRepository["routeOf"] = async (id) =>
    eventExists && id === EVENT ? { type: "order.created", createdAt: new Date(NOW - 1_000) } : null;
  const metrics = createMetrics();
  const { logger, lines } = captureLogger();
  const consume = deadLetterConsumer({
    events: { routeOf },
    webhooks,
    logger,
    metrics,
    now: () => NOW,
    newId: () => "attempt-dlq",
  });
  const delivery = { kind: "delivery", event: EVENT, endpoint: endpoint.id, after: 2 };
  return { consume, fake, endpoint, delivery, metrics, lines };
}

const lastAttempt = (endpointId: string, attempt: number): DeliveryAttempt => ({
  id: crypto.randomUUID(),
  endpointId,
  eventId: EVENT,
  eventType: "order.created",
  attempt,
  outcome: "failed",
  statusCode: 500,
  error: null,
  durationMs: 10,
  attemptedAt: new Date(NOW - 60_000),
  nextAttemptAt: null,
});

describe("the dead-letter queue's consumer", () => {
  it("records a delivery our side never managed to attempt to the end as failed, numbered on, and acks it", async () => {
    const { consume, fake, endpoint, delivery, metrics, lines } = consumerWith();
    const sent = message(delivery, 1);
    await consume(batchOf(sent.msg));
    expect(sent.done).toEqual({ acked: true });
    expect(await fake.repository.listAttempts(endpoint.id, { limit: 10 })).toEqual([
      {
        id: "attempt-dlq",
        endpointId: endpoint.id,
        eventId: EVENT,
        eventType: "order.created",
        attempt: 3,
        outcome: "failed",
        statusCode: null,
        error: GAVE_UP_ERROR,
        durationMs: 0,
        attemptedAt: new Date(NOW),
        nextAttemptAt: null,
      },
    ]);
    expect(metrics.render({})).toContain('dead_letters_total{kind="delivery"} 1');
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "delivery given up: failed", event_id: EVENT, endpoint_id: endpoint.id }),
    );
  });

  it("adds nothing when the receiver's last attempt already says failed", async () => {
    const { consume, fake, endpoint, delivery } = consumerWith();
    const last = lastAttempt(endpoint.id, 12);
    await fake.repository.recordAttempt(last);
    const sent = message(delivery);
    await consume(batchOf(sent.msg));
    expect(sent.done).toEqual({ acked: true });
    expect(await fake.repository.listAttempts(endpoint.id, { limit: 10 })).toEqual([last]);
  });

  it("acks a delivery of an event or endpoint gone since, recording nothing", async () => {
    const { consume, fake, endpoint, delivery } = consumerWith({ eventExists: false });
    const sent = message(delivery);
    await consume(batchOf(sent.msg));
    expect(sent.done).toEqual({ acked: true });
    expect(await fake.repository.listAttempts(endpoint.id, { limit: 10 })).toEqual([]);
  });

  it("leaves an event whose fan-out gave up to the sweep, and drops what is not ours, counting each", async () => {
    const { consume, metrics, lines } = consumerWith();
    const event = message({ kind: "event", event: EVENT });
    const foreign = message({ kind: "delivery", event: "not-an-id", endpoint: "x" });
    await consume(batchOf(event.msg, foreign.msg));
    expect([event.done, foreign.done]).toEqual([{ acked: true }, { acked: true }]);
    expect(metrics.render({})).toContain('dead_letters_total{kind="event"} 1');
    expect(metrics.render({})).toContain('dead_letters_total{kind="unknown"} 1');
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(["fan-out given up: left to the sweep", "dead letter dropped: not an event message"]),
    );
  });

  it("counts a step of the sweep or a purge apart, and leaves it to the hourly run", async () => {
    const { consume, metrics, lines } = consumerWith();
    const steps = [
      message({ kind: "sweep" }),
      message({ kind: "purge", job: "events" }),
      message({ kind: "purge", job: "idempotency" }),
    ];
    await consume(batchOf(...steps.map((s) => s.msg)));
    expect(steps.map((s) => s.done)).toEqual([{ acked: true }, { acked: true }, { acked: true }]);
    expect(metrics.render({})).toContain('dead_letters_total{kind="sweep"} 1');
    expect(metrics.render({})).toContain('dead_letters_total{kind="purge"} 2');
    expect(metrics.render({})).not.toContain('dead_letters_total{kind="unknown"}');
    expect(lines.map((l) => l.msg).sort()).toEqual([
      "event sweep step given up: the hourly run goes on",
      "events purge step given up: the hourly run goes on",
      "idempotency purge step given up: the hourly run goes on",
    ]);
  });

  it("retries a dead letter it could not record, logging codes, never data", async () => {
    const { consume, delivery, lines } = consumerWith({ failRecording: true });
    const sent = message(delivery);
    await consume(batchOf(sent.msg));
    expect(sent.done).toEqual({ retried: {} });
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "dead letter not recorded; retried", code: "TIMEOUT" }),
    );
  });
});
