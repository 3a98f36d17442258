import { describe, expect, it, vi } from "vitest";
import type { PurgeReport } from "../../src/services/purge-in-batches";
import { createPurgeSteps } from "../../src/services/purge-steps";
import { recordingQueue } from "../support/recording-queue";

const report = (stoppedEarly: boolean): PurgeReport => ({ deleted: 1000, batches: 1, stoppedEarly });

describe("purge steps", () => {
  it("send the next step through the queue when the budget ran out with rows left, and only then", async () => {
    const recorder = recordingQueue();
    const events = vi.fn(async () => report(true));
    const idempotency = vi.fn(async () => report(false));
    const step = createPurgeSteps({ idempotency, events }, recorder.queue);
    expect(await step("events")).toEqual({ ...report(true), continued: true });
    expect(await step("idempotency")).toEqual({ ...report(false), continued: false });
    expect(recorder.purges).toEqual([{ kind: "purge", job: "events" }]);
    expect(recorder.sent).toEqual([]);
    expect([events.mock.calls.length, idempotency.mock.calls.length]).toEqual([1, 1]);
  });

  it("without a queue (a preview), stop at one step", async () => {
    const step = createPurgeSteps(
      { idempotency: async () => report(true), events: async () => report(true) },
      undefined,
    );
    expect(await step("idempotency")).toEqual({ ...report(true), continued: false });
  });
});
