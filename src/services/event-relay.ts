import { AppError } from "../domain/app-error";
import { type Caller, isAdmin } from "../domain/caller";
import type { Logger } from "../observability/logger";
import type { Metrics } from "../observability/metrics";
import { traceLogger } from "../observability/trace-context";
import type { EventMessage, EventQueue } from "./event-messages";
import type { EventRepository } from "./event-repository";
import { type PurgeReport, purgeInBatches } from "./idempotency-purge";
import type { WebhookRepository } from "./webhook-repository";

/** Events not handed over within this long (the worker died, the queue refused) are handed over by the sweep. */
export const SWEEP_AFTER_MS = 60_000;
/**
 * Events per sweep: a backlog drains over several runs (500 an hour, or 500 a minute with a faster
 * schedule) instead of one long one, and a run's lines, one per event under its trace, stay well within
 * the 256 KB an invocation may log
 * (https://developers.cloudflare.com/changelog/2025-04-07-increase-trace-events-limit).
 */
export const SWEEP_BATCH = 500;
/**
 * A refused hand-over is tried once more this long after, still in the request's `waitUntil` (which
 * may run up to 30 s after the answer: https://developers.cloudflare.com/workers/runtime-apis/context/),
 * so a moment's refusal by the queue does not leave the event to the hourly sweep.
 */
export const HAND_OVER_RETRY_MS = 2_000;
/** Events are kept 30 days, then purged in bounded batches. */
export const EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export interface SweepReport {
  handedOver: number;
  /** Seconds since the oldest event not yet fanned out was created; 0 when there is none. */
  oldestPendingSeconds: number;
}

export interface EventRelay {
  /**
   * After the answer: the events to the queue, tried twice. Never throws; what it cannot hand over, the
   * sweep will. Without a queue it does nothing: the events are in the feed.
   */
  handOver(events: { id: string; traceparent?: string }[]): Promise<void>;
  /** Every Cron Trigger run's first job (src/cron-schedule.ts). */
  sweep(): Promise<SweepReport>;
  /** The consumer's first step: one delivery message per enabled endpoint that takes this event's type. */
  fanOut(eventId: string): Promise<number>;
  /** Admins: deliver the event again, to one endpoint or to every endpoint that takes it. */
  redeliver(caller: Caller, eventId: string, endpointId?: string): Promise<string[]>;
  /** The hourly purge of events older than EVENT_RETENTION_MS. */
  purge(): Promise<PurgeReport>;
}

export interface EventRelayDeps {
  events: EventRepository;
  webhooks: WebhookRepository;
  queue: EventQueue | undefined;
  logger: Logger;
  metrics: Pick<Metrics, "count" | "setGauge">;
  now?: () => number;
  /** Waits before a hand-over's second try; tests resolve it at once. */
  pause?: (ms: number) => Promise<void>;
}

const deliveries = (event: string, endpoints: string[], traceparent?: string): EventMessage[] =>
  endpoints.map((endpoint) => ({ kind: "delivery", event, endpoint, ...(traceparent ? { traceparent } : {}) }));

const handOvers = (events: { id: string; traceparent?: string }[]): EventMessage[] =>
  events.map(({ id, traceparent }) => ({ kind: "event", event: id, ...(traceparent ? { traceparent } : {}) }));

export function createEventRelay({
  events,
  webhooks,
  queue,
  logger,
  metrics,
  now = Date.now,
  pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}: EventRelayDeps): EventRelay {
  const send = async (messages: EventMessage[]) => {
    if (messages.length === 0) return;
    if (!queue) throw new AppError("SERVICE_UNAVAILABLE", { detail: "no EVENTS_QUEUE binding" });
    await queue.send(messages);
  };
  return {
    async handOver(events) {
      // No queue bound (a preview): events wait in the feed, and there is no sweep to promise them to.
      if (!queue) return;
      const messages = handOvers(events);
      try {
        await send(messages).catch(async () => {
          await pause(HAND_OVER_RETRY_MS);
          await send(messages);
        });
        metrics.count("events_handed_over_total", { by: "request" }, events.length);
      } catch (err) {
        logger.warn("events not handed over; the sweep will", { events: events.length, error: (err as Error).name });
      }
    },

    async sweep() {
      const at = now();
      const late = await events.undispatched(new Date(at - SWEEP_AFTER_MS), SWEEP_BATCH);
      await send(handOvers(late));
      metrics.count("events_handed_over_total", { by: "sweep" }, late.length);
      // Each under the trace of the request that caused it, so a late event is found by its trace id.
      for (const { id, traceparent } of late)
        traceLogger(logger, traceparent).info("event handed over by the sweep", { event_id: id });
      const oldest = await events.oldestUndispatched();
      const oldestPendingSeconds = oldest ? Math.max(0, (at - oldest.getTime()) / 1000) : 0;
      metrics.setGauge("events_oldest_pending_seconds", oldestPendingSeconds);
      return { handedOver: late.length, oldestPendingSeconds };
    },

    async fanOut(eventId) {
      // Its type and trace only: each delivery reads the event with its order when it is sent.
      const event = await events.routeOf(eventId);
      if (!event) return 0;
      const endpoints = await webhooks.subscribedEndpoints(event.type);
      await send(deliveries(eventId, endpoints, event.traceparent));
      await events.markDispatched(eventId, new Date(now()));
      return endpoints.length;
    },

    async redeliver(caller, eventId, endpointId) {
      if (!isAdmin(caller)) throw new AppError("FORBIDDEN", { message: "requires the admin role" });
      const event = await events.findById(eventId);
      if (!event) throw new AppError("NOT_FOUND", { message: "event not found" });
      let endpoints: string[];
      if (endpointId === undefined) {
        endpoints = await webhooks.subscribedEndpoints(event.type);
      } else {
        const endpoint = await webhooks.findEndpoint(endpointId);
        if (!endpoint) throw new AppError("NOT_FOUND", { message: "webhook endpoint not found" });
        if (endpoint.disabled) throw new AppError("CONFLICT", { message: "the webhook endpoint is disabled" });
        endpoints = [endpoint.id];
      }
      await send(deliveries(eventId, endpoints, event.trace?.traceparent));
      return endpoints;
    },

    purge() {
      return purgeInBatches((before, limit) => events.purgeOlderThan(before, limit), {
        before: new Date(now() - EVENT_RETENTION_MS),
        now,
        batchSize: 1_000,
        budgetMs: 10_000,
      });
    },
  };
}
