/** What a purge did. */
export interface PurgeReport {
  deleted: number;
  batches: number;
  /** True when it stopped for the budget, with rows to delete possibly left. */
  stoppedEarly: boolean;
}

/** Rows per statement, small enough to keep each delete short; and when to stop starting new ones. */
export const PURGE_TUNING = { batchSize: 1_000, budgetMs: 10_000 };

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
