import type { Logger } from "../observability/logger";
import type { Metrics } from "../observability/metrics";
import { traceLogger } from "../observability/trace-context";
import { type EventQueue, handOvers, senderTo } from "./event-messages";
import type { EventRepository } from "./event-repository";

/** Events not handed over within this long (the worker died, the queue refused) are handed over by the sweep. */
export const SWEEP_AFTER_MS = 60_000;
/**
 * Events per sweep: a backlog drains over several runs (500 an hour, or 500 a minute with a faster
 * schedule) instead of one long one, and a run's lines, one per event under its trace, stay well within
 * the 256 KB an invocation may log
 * (https://developers.cloudflare.com/changelog/2025-04-07-increase-trace-events-limit).
 */
export const SWEEP_BATCH = 500;

export interface SweepReport {
  handedOver: number;
  /** Seconds since the oldest event not yet fanned out was created; 0 when there is none. */
  oldestPendingSeconds: number;
}

export interface EventSweepDeps {
  events: Pick<EventRepository, "undispatched" | "oldestUndispatched">;
  queue: EventQueue | undefined;
  logger: Logger;
  metrics: Pick<Metrics, "count" | "setGauge">;
  now: () => number;
}

/** Every Cron Trigger run's first job (src/cron-schedule.ts): the events no request handed over. */
export function createEventSweep({ events, queue, logger, metrics, now }: EventSweepDeps) {
  const send = senderTo(queue);
  return async function sweep(): Promise<SweepReport> {
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
  };
}
