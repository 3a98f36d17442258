import { type EventQueue, type PurgeMessage, senderTo } from "./event-messages";
import type { PurgeReport } from "./purge-in-batches";

/** The hourly purges, by the name their queue message carries. */
export type PurgeJob = PurgeMessage["job"];

export interface PurgeStepReport extends PurgeReport {
  /** Whether the next step was sent: the budget ran out with rows left. */
  continued: boolean;
}

/**
 * A purge that keeps going while it has work: each step deletes for one budget (PURGE_TUNING) and, when
 * rows are left, sends the next step through the queue ({kind: "purge"}), so retention keeps up with
 * any write rate the database can delete at, one short step at a time, instead of 10 s an hour. Without
 * a queue (a preview) a step is all there is.
 */
export function createPurgeSteps(jobs: Record<PurgeJob, () => Promise<PurgeReport>>, queue: EventQueue | undefined) {
  const send = senderTo(queue);
  return async (job: PurgeJob): Promise<PurgeStepReport> => {
    const report = await jobs[job]();
    const continued = report.stoppedEarly && queue !== undefined;
    if (continued) await send([{ kind: "purge", job }]);
    return { ...report, continued };
  };
}
