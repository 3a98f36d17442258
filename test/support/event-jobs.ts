import type { OrderEvent } from "../../src/domain/order-event";
import { createMetrics } from "../../src/observability/metrics";
import type { EventQueue } from "../../src/services/event-messages";
import type { EventRepository } from "../../src/services/event-repository";
import type { WebhookRepository } from "../../src/services/webhook-repository";
import { captureLogger } from "./capture-logger";
import { emptyOrder } from "./orders";
import { recordingQueue } from "./recording-queue";

/** The event jobs' tests' clock, trace and callers. */
export const NOW = Date.parse("2026-12-02T10:00:00Z");
export const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
export const ADMIN = { id: "admin-1", issuer: "", role: "admin" as const };
export const CUSTOMER = { id: "customer-1", issuer: "", role: "customer" as const };

export const storedEvent = (id: string): OrderEvent => ({
  id,
  type: "order.created",
  order: emptyOrder("6f1b2c4e-0000-4000-8000-000000000001"),
  requestId: "req-1",
  trace: { traceparent: TRACEPARENT },
  createdAt: new Date(NOW - 1_000),
});

/**
 * What an event job is built from: repositories that answer as told and reject anything else, a
 * recording queue unless given one (`null`: no queue bound), a captured log, metrics, the fixed clock,
 * and pauses answered at once.
 */
export function eventJobDeps({
  queue = recordingQueue().queue as EventQueue | null,
  events = {} as Partial<EventRepository>,
  webhooks = {} as Partial<WebhookRepository>,
} = {}) {
  const { logger, lines } = captureLogger();
  const unexpected = (name: string) => () => Promise.reject(new Error(`unexpected ${name}`));
  const pauses: number[] = [];
  return {
    events: {
      findById: unexpected("findById"),
      routeOf: unexpected("routeOf"),
      claimForSweep: unexpected("claimForSweep"),
      releaseSweepClaim: unexpected("releaseSweepClaim"),
      markDispatched: unexpected("markDispatched"),
      oldestUndispatched: unexpected("oldestUndispatched"),
      missedBy: unexpected("missedBy"),
      purgeOlderThan: unexpected("purgeOlderThan"),
      ...events,
    } as EventRepository,
    webhooks: {
      subscribedEndpoints: unexpected("subscribedEndpoints"),
      findEndpoint: unexpected("findEndpoint"),
      attemptsMade: unexpected("attemptsMade"),
      ...webhooks,
    } as WebhookRepository,
    queue: queue ?? undefined,
    logger,
    lines,
    metrics: createMetrics(),
    now: () => NOW,
    pauses,
    pause: async (ms: number) => {
      pauses.push(ms);
    },
  };
}
