import type { Logger } from "../observability/logger";
import type { Metrics } from "../observability/metrics";
import { type EventMessage, isEventMessage, isPurgeMessage, isSweepMessage } from "../services/event-messages";
import type { EventRepository } from "../services/event-repository";
import { attemptRecord, notAttempted } from "../services/webhook-dispatcher";
import type { WebhookRepository } from "../services/webhook-repository";

export interface DeadLetterConsumerDeps {
  events: Pick<EventRepository, "routeOf">;
  webhooks: Pick<WebhookRepository, "findEndpoint" | "lastAttempt" | "recordAttempt">;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
  newId?: () => string;
}

/** Why a delivery given up on without a last attempt of the receiver's (ours failed until the end) is failed. */
export const GAVE_UP_ERROR = "retries exhausted: the service could not attempt it";

type Delivery = Extract<EventMessage, { kind: "delivery" }>;

/**
 * The dead-letter queue's consumer. Without one, Cloudflare deletes a dead letter after four days
 * (https://developers.cloudflare.com/queues/configuration/dead-letter-queues/). A delivery the queue gave
 * up on ends `failed` in the endpoint's deliveries, where an admin finds it and sends it again (redeliver,
 * recover): the dispatcher recorded that for a last attempt the receiver failed; when our side failed to
 * the end, it is recorded here. An event whose fan-out never ran is left to the sweep, which hands over
 * every event not fanned out, and a step of the sweep or a purge to the hourly run, which starts each
 * again. Each is counted by kind and logged with its ids; a dead letter that is not ours is only counted
 * and logged.
 */
export function deadLetterConsumer({
  events,
  webhooks,
  logger,
  metrics,
  now = Date.now,
  newId = () => crypto.randomUUID(),
}: DeadLetterConsumerDeps) {
  async function recordGaveUp(delivery: Delivery): Promise<void> {
    const newest = await webhooks.lastAttempt(delivery.event, delivery.endpoint);
    if (newest?.outcome === "failed") return;
    const [route, endpoint] = await Promise.all([
      events.routeOf(delivery.event),
      webhooks.findEndpoint(delivery.endpoint),
    ]);
    // Gone since (purged, deleted): nothing to record it against.
    if (!route || !endpoint) return;
    const target = {
      id: newId(),
      endpointId: delivery.endpoint,
      eventId: delivery.event,
      eventType: route.type,
      attempt: (newest?.attempt ?? delivery.after ?? 0) + 1,
    };
    await webhooks.recordAttempt(attemptRecord(target, "failed", notAttempted(GAVE_UP_ERROR, now())));
  }

  async function step(message: Message<unknown>): Promise<void> {
    const body = message.body;
    // A step of a job the hourly run starts again (src/cron-schedule.ts): nothing is lost with it.
    if (isSweepMessage(body) || isPurgeMessage(body)) {
      metrics.count("dead_letters_total", { kind: body.kind });
      const job = isPurgeMessage(body) ? `${body.job} purge` : "event sweep";
      logger.warn(`${job} step given up: the hourly run goes on`, { message_id: message.id });
      message.ack();
      return;
    }
    if (!isEventMessage(body)) {
      metrics.count("dead_letters_total", { kind: "unknown" });
      logger.warn("dead letter dropped: not an event message", { message_id: message.id });
      message.ack();
      return;
    }
    const ids = { event_id: body.event, ...(body.kind === "delivery" ? { endpoint_id: body.endpoint } : {}) };
    try {
      if (body.kind === "delivery") await recordGaveUp(body);
      metrics.count("dead_letters_total", { kind: body.kind });
      logger.warn(body.kind === "delivery" ? "delivery given up: failed" : "fan-out given up: left to the sweep", ids);
      message.ack();
    } catch (err) {
      const { name, code } = err as { name?: string; code?: unknown };
      logger.error("dead letter not recorded; retried", { ...ids, error: name, code });
      message.retry();
    }
  }

  return async (batch: MessageBatch<unknown>): Promise<void> => {
    await Promise.all(batch.messages.map(step));
  };
}
