import type { Logger } from "../observability/logger";
import type { Metrics } from "../observability/metrics";
import { type EventQueue, type EventRoute, handOvers } from "./event-messages";

/**
 * A refused hand-over is tried once more this long after, in the request's `waitUntil` (which may run up
 * to 30 s after the answer: https://developers.cloudflare.com/workers/runtime-apis/context/), so a
 * moment's refusal by the queue neither holds the answer nor leaves the event to the hourly sweep.
 */
export const HAND_OVER_RETRY_MS = 2_000;

export interface EventHandOverDeps {
  queue: EventQueue | undefined;
  logger: Logger;
  metrics: Pick<Metrics, "count">;
  /** Waits before the second try; tests resolve it at once. */
  pause?: (ms: number) => Promise<void>;
}

/**
 * Before the answer: a write's events go to the queue, so a worker stopped right after answering has
 * handed them over already. A refused first try is tried again in `later` (the request's `waitUntil`),
 * after the answer; without it, here.
 */
export type EventHandOver = (events: EventRoute[], later?: (retry: Promise<void>) => void) => Promise<void>;

/**
 * Tried twice; never throws: what it cannot hand over, the sweep will. Without a queue (a preview) it
 * does nothing: the events wait in the feed, and there is no sweep to promise them to.
 */
export function createEventHandOver({
  queue,
  logger,
  metrics,
  pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}: EventHandOverDeps): EventHandOver {
  const handedOver = (events: EventRoute[]) =>
    metrics.count("events_handed_over_total", { by: "request" }, events.length);
  return async (events, later) => {
    if (!queue) return;
    const messages = handOvers(events);
    const retry = async () => {
      try {
        await pause(HAND_OVER_RETRY_MS);
        await queue.send(messages);
        handedOver(events);
      } catch (err) {
        logger.warn("events not handed over; the sweep will", { events: events.length, error: (err as Error).name });
      }
    };
    try {
      await queue.send(messages);
      handedOver(events);
    } catch {
      if (later) later(retry());
      else await retry();
    }
  };
}
