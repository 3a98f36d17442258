import { describe, expect, it } from "vitest";
import { createIdempotencyPurge } from "../../src/services/idempotency-purge";

/** A repository holding `count` expired records, each delete costing `costMs` of the injected clock. */
function expiredRecords(count: number, clock: { now: number }, costMs = 0) {
  let left = count;
  const batches: number[] = [];
  return {
    batches,
    repository: {
      async purgeExpiredIdempotencyRecords(before: Date, limit: number) {
        expect(before.getTime()).toBeLessThanOrEqual(clock.now);
        clock.now += costMs;
        const n = Math.min(left, limit);
        left -= n;
        batches.push(n);
        return n;
      },
    },
    left: () => left,
  };
}

describe("the idempotency purge", () => {
  it("deletes in batches until a batch comes back short", async () => {
    const clock = { now: 0 };
    const store = expiredRecords(2_500, clock);
    const purge = createIdempotencyPurge({ repository: store.repository, now: () => clock.now, batchSize: 1_000 });
    expect(await purge()).toEqual({ deleted: 2_500, batches: 3, stoppedEarly: false });
    expect(store.batches).toEqual([1_000, 1_000, 500]);
  });

  it("asks once more after an exactly full batch, and stops at zero", async () => {
    const clock = { now: 0 };
    const store = expiredRecords(1_000, clock);
    const purge = createIdempotencyPurge({ repository: store.repository, now: () => clock.now, batchSize: 1_000 });
    expect(await purge()).toEqual({ deleted: 1_000, batches: 2, stoppedEarly: false });
  });

  it("stops starting batches once its time budget is spent, leaving the rest for the next run", async () => {
    const clock = { now: Date.parse("2026-11-25T12:00:00.000Z") };
    const store = expiredRecords(10_000, clock, 500);
    const purge = createIdempotencyPurge({
      repository: store.repository,
      now: () => clock.now,
      batchSize: 100,
      budgetMs: 1_000,
    });
    // Two batches spend exactly the budget: no third is started.
    expect(await purge()).toEqual({ deleted: 200, batches: 2, stoppedEarly: true });
    expect(store.left()).toBe(9_800);
  });

  it("uses the defaults of the Cron Trigger: batches of 1000, ten seconds", async () => {
    const clock = { now: 1_000_000 };
    const store = expiredRecords(5_000, clock, 4_000);
    const purge = createIdempotencyPurge({ repository: store.repository, now: () => clock.now });
    expect(await purge()).toEqual({ deleted: 3_000, batches: 3, stoppedEarly: true });
    expect(store.batches).toEqual([1_000, 1_000, 1_000]);
  });

  it("deletes only what expired before the run started", async () => {
    const clock = { now: Date.parse("2026-11-25T12:00:00.000Z") };
    const seen: Date[] = [];
    const purge = createIdempotencyPurge({
      repository: {
        purgeExpiredIdempotencyRecords: async (before) => {
          seen.push(before);
          clock.now += 5_000;
          return 0;
        },
      },
      now: () => clock.now,
    });
    await purge();
    expect(seen).toEqual([new Date("2026-11-25T12:00:00.000Z")]);
  });
});
