import type { OrderRepository } from "./order-repository";
import { PURGE_TUNING, type PurgeReport, purgeInBatches } from "./purge-in-batches";

export interface PurgeOptions {
  repository: Pick<OrderRepository, "purgeExpiredIdempotencyRecords">;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Rows per statement: small enough to keep each delete short. */
  batchSize?: number;
  /** Stop starting new batches after this long; the next run picks up the rest. */
  budgetMs?: number;
}

/**
 * Deletes expired idempotency records in bounded batches under a time budget: the Cron Trigger's
 * job (docs/configuration.md, "Idempotency records"). Records expire 24 h after their request; a replay after that
 * is a new request anyway, and each row holds a whole order snapshot.
 */
export function createIdempotencyPurge({
  repository,
  now,
  batchSize = PURGE_TUNING.batchSize,
  budgetMs = PURGE_TUNING.budgetMs,
}: PurgeOptions) {
  return function purgeExpiredIdempotencyRecords(): Promise<PurgeReport> {
    return purgeInBatches((before, limit) => repository.purgeExpiredIdempotencyRecords(before, limit), {
      before: new Date(now()),
      now,
      batchSize,
      budgetMs,
    });
  };
}
