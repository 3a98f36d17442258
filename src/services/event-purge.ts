import type { EventRepository } from "./event-repository";
import { PURGE_TUNING, type PurgeReport, purgeInBatches } from "./purge-in-batches";

/** Events are kept 30 days, then purged in bounded batches. */
export const EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** The hourly purge of events older than EVENT_RETENTION_MS. */
export function createEventPurge({
  events,
  now,
}: {
  events: Pick<EventRepository, "purgeOlderThan">;
  now: () => number;
}) {
  return function purgeEvents(): Promise<PurgeReport> {
    return purgeInBatches((before, limit) => events.purgeOlderThan(before, limit), {
      before: new Date(now() - EVENT_RETENTION_MS),
      now,
      ...PURGE_TUNING,
    });
  };
}
