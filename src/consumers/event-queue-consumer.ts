import type { Logger } from "../observability/logger";
import type { Metrics } from "../observability/metrics";
import { newSpanId, parseTraceparent } from "../observability/trace-context";
import type { EventFanOut } from "../services/event-fan-out";
import {
  type EventQueue,
  isEventMessage,
  isPurgeMessage,
  isSlowLane,
  isSweepMessage,
  RETRY_DELAYS_S,
} from "../services/event-messages";
import type { SweepReport } from "../services/event-sweep";
import type { PurgeJob, PurgeStepReport } from "../services/purge-steps";
import type { Lane, WebhookDispatcher } from "../services/webhook-dispatcher";

export interface EventConsumerDeps {
  fanOut: EventFanOut;
  dispatcher: WebhookDispatcher;
  logger: Logger;
  metrics: Metrics;
  /** The slow lane's queue (src/services/webhook-dispatcher.ts, `Lane`); none: one lane for every receiver. */
  slowLane?: EventQueue;
  /** A step of the sweep, for a backlog draining through the queue (SweepMessage). */
  sweep: () => Promise<SweepReport>;
  /** A step of a purge, for retention keeping up through the queue (PurgeMessage). */
  purge: (job: PurgeJob) => Promise<PurgeStepReport>;
}

/**
 * An event handed over before its write committed, or by a write whose answer was lost and which may never
 * commit: looked for this many times, this far apart, then let go. The database ends a write the worker
 * gave up on after DB_TIMEOUT_MS (the release sets the worker role's statement_timeout to it), so one that
 * has not committed by the last look never will, or the hourly sweep hands it over if it did.
 */
export const UNSEEN_EVENT_LOOKS = 3;
export const UNSEEN_EVENT_DELAY_S = 60;

/**
 * A step that failed on our side (the database, the queue): tried again later, on the same schedule. It
 * spends a Queues retry (max_retries leaves room for as many of ours as of the receiver's attempts) but
 * not the receiver's: the dispatcher counts those from the attempts recorded.
 */
const backoff = (attempts: number) => RETRY_DELAYS_S[Math.min(attempts, RETRY_DELAYS_S.length) - 1] ?? 5;

/** An event's fan-out; one not committed (yet) is looked for again, then let go. */
async function fanOutStep(fanOut: EventFanOut, eventId: string, message: Message<unknown>, log: Logger) {
  const endpoints = await fanOut(eventId);
  if (endpoints === null && message.attempts < UNSEEN_EVENT_LOOKS) {
    log.info("event not committed yet; looked for again", { attempt: message.attempts });
    message.retry({ delaySeconds: UNSEEN_EVENT_DELAY_S });
    return;
  }
  if (endpoints === null) log.warn("event never committed; let go", { attempt: message.attempts });
  else log.info("event fanned out", { endpoints });
  message.ack();
}

/**
 * A step of a job that goes on through the queue (a backlog's drain, a purge): run once, logged with what
 * it did; it sends its own next step while it finds work. One that failed on our side is retried.
 */
const jobStepOf = (name: string, run: () => Promise<object>, logger: Logger) => async (message: Message<unknown>) => {
  try {
    const report: object = await run();
    logger.info(`${name} step`, { ...report });
    message.ack();
  } catch (err) {
    const { name: error, code } = err as { name?: string; code?: unknown };
    logger.error(`${name} step failed; retried`, { attempt: message.attempts, error, code });
    message.retry({ delaySeconds: backoff(message.attempts) });
  }
};

/**
 * The events queue's consumer and its slow lane's (wrangler.toml `[[queues.consumers]]`). Each message is
 * one step, acked or retried on its own (https://developers.cloudflare.com/queues/configuration/batching-retries/
 * "Explicit acknowledgement"), and the batch's messages run concurrently: a failing endpoint never
 * repeats another's delivery. Acks and retries take effect when the whole batch ends, `waitUntil` work
 * included (https://developers.cloudflare.com/queues/configuration/javascript-apis/#consumer), so a
 * receiver that does not answer in the fast lane's wait is moved to the slow lane, where its 15 s hold
 * batches of receivers like it only (docs/operations.md, "Webhook isolation").
 */
export function eventConsumer({ fanOut, dispatcher, logger, metrics, slowLane, sweep, purge }: EventConsumerDeps) {
  const sweepStep = jobStepOf("event sweep", sweep, logger);
  async function step(message: Message<unknown>, lane: Lane | undefined): Promise<void> {
    const body = message.body;
    if (isSweepMessage(body)) return sweepStep(message);
    if (isPurgeMessage(body)) return jobStepOf(`${body.job} purge`, () => purge(body.job), logger)(message);
    if (!isEventMessage(body)) {
      metrics.count("queue_messages_ignored_total");
      logger.warn("queue message ignored: not an event message", { message_id: message.id });
      message.ack();
      return;
    }
    // Under the trace of the request that caused the event, with a span of this step's own.
    const spanId = newSpanId();
    const trace = parseTraceparent(body.traceparent);
    const log = logger.child({
      ...(trace ? { trace_id: trace.traceId, span_id: spanId } : {}),
      event_id: body.event,
      ...(body.kind === "delivery" ? { endpoint_id: body.endpoint } : {}),
    });
    try {
      if (body.kind === "event") return await fanOutStep(fanOut, body.event, message, log);
      const decision = await dispatcher.deliver({
        eventId: body.event,
        endpointId: body.endpoint,
        priorAttempts: body.after,
        spanId,
        ...(lane ? { lane } : {}),
      });
      // Sent on before the ack: a send that fails retries the step here, which moves it again.
      if (decision.kind === "move" && slowLane) await slowLane.send([body]);
      log.info("webhook delivery", { step: message.attempts, outcome: decision.outcome });
      metrics.count("webhook_deliveries_total", { outcome: decision.outcome });
      if (decision.outcome === "disabled") {
        log.warn("webhook endpoint disabled", { reason: decision.disabledBy });
        metrics.count("webhook_endpoints_disabled_total", { reason: decision.disabledBy });
      }
      if (decision.kind === "retry") message.retry({ delaySeconds: decision.delaySeconds });
      // Delivered, disabled, skipped, moved to the slow lane, or failed for good and recorded so: done here.
      else message.ack();
    } catch (err) {
      const { name, code } = err as { name?: string; code?: unknown };
      log.error("queue step failed; retried", { kind: body.kind, attempt: message.attempts, error: name, code });
      message.retry({ delaySeconds: backoff(message.attempts) });
    }
  }

  return async (batch: MessageBatch<unknown>): Promise<void> => {
    const lane: Lane | undefined = slowLane && (isSlowLane(batch.queue) ? "slow" : "fast");
    await Promise.all(batch.messages.map((message) => step(message, lane)));
  };
}
