import { describe, expect, it, vi } from "vitest";
import { createEventPurge, EVENT_RETENTION_MS } from "../../src/services/event-purge";
import { eventJobDeps, NOW } from "../support/event-jobs";

describe("the event purge", () => {
  it("deletes events older than 30 days in batches of 1,000 until a batch comes back short", async () => {
    const purgeOlderThan = vi.fn(async (_before: Date, limit: number) =>
      purgeOlderThan.mock.calls.length === 1 ? limit : 7,
    );
    const purge = createEventPurge(eventJobDeps({ events: { purgeOlderThan } }));
    expect(await purge()).toMatchObject({ deleted: 1_007 });
    expect(purgeOlderThan.mock.calls).toEqual([
      [new Date(NOW - EVENT_RETENTION_MS), 1_000],
      [new Date(NOW - EVENT_RETENTION_MS), 1_000],
    ]);
    expect(EVENT_RETENTION_MS).toBe(30 * 24 * 3600 * 1000);
  });
});
