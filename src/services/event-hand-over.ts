import type { Logger } from "../observability/logger";
import type { Metrics } from "../observability/metrics";
import { type EventQueue, type EventRoute, handOvers } from "./event-messages";
import { SWEEP_AFTER_MS } from "./event-sweep";

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
 * Tried twice; never throws: what it cannot hand over, the sweep will, starting (a minute on) as soon as
 * the queue takes this isolate's next hand-over, so an outage's backlog drains from its end, not from the
 * next hourly run. Without a queue (a preview) it does nothing: the events wait in the feed, and there is
 * no sweep to promise them to.
 */
export function createEventHandOver({
  queue,
  logger,
  metrics,
  pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}: EventHandOverDeps): EventHandOver {
  // Whether this isolate left events to the sweep since the queue last took one of its hand-overs.
  let leftToSweep = false;
  const handedOver = async (events: EventRoute[]) => {
    metrics.count("events_handed_over_total", { by: "request" }, events.length);
    if (!leftToSweep) return;
    leftToSweep = false;
    // A minute on, the events refused last are old enough for the sweep (SWEEP_AFTER_MS).
    await queue?.send([{ kind: "sweep" }], { delaySeconds: SWEEP_AFTER_MS / 1000 }).catch(() => {
      leftToSweep = true;
    });
  };
  return async (events, later) => {
    if (!queue) return;
    const messages = handOvers(events);
    const retry = async () => {
      try {
        await pause(HAND_OVER_RETRY_MS);
        await queue.send(messages);
      } catch (err) {
        leftToSweep = true;
        logger.warn("events not handed over; the sweep will", { events: events.length, error: (err as Error).name });
        return;
      }
      await handedOver(events);
    };
    try {
      await queue.send(messages);
    } catch {
      if (later) later(retry());
      else await retry();
      return;
    }
    await handedOver(events);
  };
}
