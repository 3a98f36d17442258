import type { Logger } from "../observability/logger";
import type { Metrics } from "../observability/metrics";
import { traceLogger } from "../observability/trace-context";
import { type EventQueue, handOvers, senderTo } from "./event-messages";
import type { EventRepository } from "./event-repository";

/** Events not handed over within this long (the worker died, the queue refused) are handed over by the sweep. */
export const SWEEP_AFTER_MS = 60_000;
/**
 * Events per sweep step: a run's lines, one per event under its trace, stay well within the 256 KB an
 * invocation may log (https://developers.cloudflare.com/changelog/2025-04-07-increase-trace-events-limit).
 * A backlog drains step after step through the queue (SweepMessage), not in one long run.
 */
export const SWEEP_BATCH = 500;
/**
 * An event the sweep handed over that is still not fanned out this long after (its fan-out gave up on
 * our side, or the send after the claim failed and the claim could not be let go) is handed over again:
 * by the next hourly run, which comes an hour after the run that claimed it give or take the trigger's
 * jitter, so a little under an hour, never the run after it.
 */
export const RESWEEP_AFTER_MS = 55 * 60_000;

export interface SweepReport {
  handedOver: number;
  /** Seconds since the oldest event not yet fanned out was created; 0 when there is none. */
  oldestPendingSeconds: number;
  /** Whether the next step was sent: after a full batch, more may be waiting. */
  next: "now" | "none";
}

export interface EventSweepDeps {
  events: Pick<EventRepository, "claimForSweep" | "releaseSweepClaim" | "oldestUndispatched">;
  queue: EventQueue | undefined;
  logger: Logger;
  metrics: Pick<Metrics, "count" | "setGauge">;
  now: () => number;
}

/**
 * The Cron Trigger's first job (src/cron-schedule.ts), and each step of a backlog's drain: claims and
 * hands over the events no request handed over, then, after a full batch, sends the next step behind
 * the events it just sent, so the drain keeps its consumers' pace. Steps running at once split the
 * backlog: each claims its own. Only a full batch goes on: events that are merely slow to be fanned out
 * (a consumer lagging over a minute) are handed over again at most once an hour, never every minute.
 */
export function createEventSweep({ events, queue, logger, metrics, now }: EventSweepDeps) {
  const send = senderTo(queue);
  // A claim not handed over is let go, so the step's retry or the next run claims it, not the re-sweep an hour on.
  const letGo = (claimed: { id: string }[], at: Date) =>
    events
      .releaseSweepClaim(
        claimed.map((e) => e.id),
        at,
      )
      .catch((err: unknown) =>
        logger.warn("sweep claim not let go; its events wait for the re-sweep", {
          events: claimed.length,
          error: (err as Error).name,
        }),
      );
  return async function sweep(): Promise<SweepReport> {
    const at = now();
    const claimedAt = new Date(at);
    const late = await events.claimForSweep({
      createdBefore: new Date(at - SWEEP_AFTER_MS),
      sweptBefore: new Date(at - RESWEEP_AFTER_MS),
      at: claimedAt,
      limit: SWEEP_BATCH,
    });
    const next = late.length === SWEEP_BATCH ? "now" : "none";
    try {
      await send([...handOvers(late), ...(next === "now" ? [{ kind: "sweep" as const }] : [])]);
    } catch (err) {
      await letGo(late, claimedAt);
      throw err;
    }
    metrics.count("events_handed_over_total", { by: "sweep" }, late.length);
    // Each under the trace of the request that caused it, so a late event is found by its trace id.
    for (const { id, traceparent } of late)
      traceLogger(logger, traceparent).info("event handed over by the sweep", { event_id: id });
    const oldest = await events.oldestUndispatched();
    const oldestPendingSeconds = oldest ? Math.max(0, (at - oldest.getTime()) / 1000) : 0;
    metrics.setGauge("events_oldest_pending_seconds", oldestPendingSeconds);
    return { handedOver: late.length, oldestPendingSeconds, next };
  };
}
