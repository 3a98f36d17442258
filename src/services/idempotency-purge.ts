import type { OrderRepository } from "./order-repository";

export interface PurgeOptions {
  repository: Pick<OrderRepository, "purgeExpiredIdempotencyRecords">;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Rows per statement: small enough to keep each delete short. */
  batchSize?: number;
  /** Stop starting new batches after this long; the next run picks up the rest. */
  budgetMs?: number;
}

export interface PurgeReport {
  deleted: number;
  batches: number;
  /** True when it stopped for the budget, with expired records possibly left. */
  stoppedEarly: boolean;
}

/**
 * Deletes expired idempotency records in bounded batches under a time budget: the Cron Trigger's
 * job (docs/configuration.md, "Idempotency records"). Records expire 24 h after their request; a replay after that
 * is a new request anyway, and each row holds a whole order snapshot.
 */
export function createIdempotencyPurge({ repository, now, batchSize = 1_000, budgetMs = 10_000 }: PurgeOptions) {
  return function purgeExpiredIdempotencyRecords(): Promise<PurgeReport> {
    return purgeInBatches((before, limit) => repository.purgeExpiredIdempotencyRecords(before, limit), {
      before: new Date(now()),
      now,
      batchSize,
      budgetMs,
    });
  };
}

/**
 * Deletes rows older than `before` a batch at a time until a batch comes back short, or the budget
 * is spent (the next run picks up the rest): each statement stays short, whatever the backlog.
 */
export async function purgeInBatches(
  deleteBatch: (before: Date, limit: number) => Promise<number>,
  { before, now, batchSize, budgetMs }: { before: Date; now: () => number; batchSize: number; budgetMs: number },
): Promise<PurgeReport> {
  const started = now();
  let deleted = 0;
  let batches = 0;
  for (;;) {
    const n = await deleteBatch(before, batchSize);
    deleted += n;
    batches++;
    if (n < batchSize) return { deleted, batches, stoppedEarly: false };
    if (now() - started >= budgetMs) return { deleted, batches, stoppedEarly: true };
  }
}
