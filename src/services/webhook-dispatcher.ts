import type { OrderEvent } from "../domain/order-event";
import { type DeliveryAttempt, TEST_EVENT_TYPE } from "../domain/webhook-endpoint";
import { parseTraceparent, traceparentOf } from "../observability/trace-context";
import type { EventRepository } from "./event-repository";
import { FAILING_DISABLE_MS, retryAfterSeconds, retryDelaySeconds } from "./retry-policy";
import type { SigningSecrets } from "./webhook-endpoint-service";
import type { LastAttempt, StoredEndpoint, WebhookRepository } from "./webhook-repository";

/**
 * Which queue a delivery step runs on. The fast lane waits FAST_LANE_ANSWER_MS for an answer; a receiver
 * that takes longer is moved to the slow lane, where it has the sender's full timeout. A hung receiver
 * then holds only slow-lane batches: a batch lasts as long as its slowest POST, and its retries start
 * only when it ends, so one hung receiver in a fast batch would delay every endpoint in it.
 */
export type Lane = "fast" | "slow";

/**
 * How long the fast lane waits for a receiver's answer. The Standard Webhooks spec asks receivers to
 * answer quickly and do the work afterwards; one answering later is not failed for it, only moved.
 */
export const FAST_LANE_ANSWER_MS = 2_000;

/** What a delivery's queue message should do next. */
export type DeliveryDecision =
  /** Delivered; or nothing to deliver (gone, disabled). */
  | { kind: "ack"; outcome: "delivered" | "skipped" }
  /** The endpoint was disabled: it answered 410 Gone, or every attempt has failed for 5 days. */
  | { kind: "ack"; outcome: "disabled"; disabledBy: "gone" | "failing" }
  | { kind: "retry"; outcome: "retrying"; delaySeconds: number }
  /** The schedule's last attempt failed, and is recorded so: nothing more is tried. */
  | { kind: "give-up"; outcome: "failed" }
  /** A copy of a delivery already delivered or given up (the event was fanned out twice): nothing to do. */
  | { kind: "ack"; outcome: "duplicate" }
  /** Its next attempt is not due yet (a copy, or a step retried early on our side): back when it is. */
  | { kind: "retry"; outcome: "not_due"; delaySeconds: number }
  /**
   * The receiver is too slow for the fast lane (it is marked so, or did not answer in time): the step
   * goes on in the slow lane. Nothing is recorded: the cut POST spends none of the receiver's attempts,
   * and the slow lane sends the same `webhook-id` again.
   */
  | { kind: "move"; outcome: "moved" };

/** The event a test send makes: not stored, delivered once to one endpoint. */
export interface TestEvent {
  id: string;
  endpointId: string;
  at: Date;
}

export interface DeliveryPorts {
  /** The event as a webhook body (JSON text). */
  render(event: OrderEvent): string;
  /** A `webhook.test` event for this endpoint as a webhook body (JSON text). */
  renderTest(test: TestEvent): string;
  /** Standard Webhooks headers for this body, one signature per secret. */
  sign(
    message: { id: string; timestampSeconds: number; body: string },
    secrets: readonly string[],
  ): Promise<Record<string, string>>;
  /** POSTs it: a status (with the receiver's `Retry-After`, if any), or why there was none. */
  post(
    url: string,
    body: string,
    headers: Record<string, string>,
    options?: { timeoutMs?: number },
  ): Promise<{ status: number; retryAfter?: string; error?: string } | { error: string; timedOut?: true }>;
}

export interface WebhookDispatcherDeps extends DeliveryPorts {
  events: EventRepository;
  webhooks: WebhookRepository;
  secrets: SigningSecrets;
  now?: () => number;
  newId?: () => string;
  /** The retry jitter's draw, in [0, 1). */
  random?: () => number;
}

export interface WebhookDispatcher {
  /**
   * One attempt to deliver the event to the endpoint, numbered after the attempts recorded for it there
   * (so a step that failed on our side, which records none, spends neither the receiver's numbering nor
   * its schedule), its place in the retry schedule counted from `priorAttempts` (a redelivery's schedule
   * starts afresh). `spanId` is this attempt's span in the event's trace: the `traceparent` the receiver
   * gets names it as the parent. `lane`: the queue it runs on; none when there is only one (every
   * receiver gets the full timeout there, and none is moved).
   */
  deliver(step: {
    eventId: string;
    endpointId: string;
    priorAttempts?: number;
    spanId: string;
    lane?: Lane;
  }): Promise<DeliveryDecision>;
  /**
   * Sends a signed `webhook.test` event to the endpoint alone, enabled or not, once (no retries), and
   * records the attempt; null when there is no such endpoint.
   */
  sendTest(endpointId: string): Promise<DeliveryAttempt | null>;
}

/**
 * The event's W3C trace, continued by this attempt's span: the trace id crosses to the partner, so its
 * trace links to the request's. The customer's `tracestate` does not: it is vendor data of the customer's,
 * and a trust boundary may drop it (Trace Context, "8. Privacy Considerations"); flags beyond sampled
 * were cleared when the request was read.
 */
function traceHeaders(trace: OrderEvent["trace"], spanId: string): Record<string, string> {
  const parent = parseTraceparent(trace?.traceparent);
  return parent ? { traceparent: traceparentOf(parent, spanId) } : {};
}

const GONE_REASON = "the receiver answered 410 Gone";

/** The secrets that sign now: the current one, then each previous one until it expires. */
async function signingSecrets(
  endpoint: StoredEndpoint,
  { secrets, webhooks }: Pick<WebhookDispatcherDeps, "secrets" | "webhooks">,
  at: number,
): Promise<string[]> {
  const live = endpoint.previousSecrets.filter((p) => p.expiresAt.getTime() > at);
  const opened = await Promise.all([endpoint.secret, ...live.map((p) => p.secret)].map((s) => secrets.open(s)));
  if (opened.some((o) => o.stale)) {
    // Opened with WEBHOOK_ENCRYPTION_KEY_PREVIOUS: sealed again with the current key, so it can retire.
    const [current, ...previous] = await Promise.all(opened.map((o) => secrets.seal(o.plain)));
    await webhooks.resealSecrets(endpoint.id, {
      secret: current ?? endpoint.secret,
      previousSecrets: live.map((p, i) => ({ secret: previous[i] ?? p.secret, expiresAt: p.expiresAt })),
    });
  }
  return opened.map((o) => o.plain);
}

type Answer = Awaited<ReturnType<DeliveryPorts["post"]>>;

/** A 2xx: the receiver took the delivery. */
const isDelivered = (status: number | null | undefined) => status != null && status >= 200 && status < 300;

/**
 * What the answer means for the endpoint: delivered, gone (410), failed and retried on the retry policy's
 * schedule, or failed for good; an endpoint that has failed every attempt for 5 days is disabled.
 */
function decide(
  answer: Answer,
  { attempt, at, failingSince, random }: { attempt: number; at: number; failingSince: Date | null; random: number },
): DeliveryDecision & { outcome: DeliveryAttempt["outcome"] } {
  const status = "status" in answer ? answer.status : undefined;
  if (isDelivered(status)) return { kind: "ack", outcome: "delivered" };
  if (status === 410) return { kind: "ack", outcome: "disabled", disabledBy: "gone" };
  if (failingSince && at - failingSince.getTime() >= FAILING_DISABLE_MS) {
    return { kind: "ack", outcome: "disabled", disabledBy: "failing" };
  }
  const retryAfter = "retryAfter" in answer ? retryAfterSeconds(answer.retryAfter, at) : undefined;
  const delaySeconds = retryDelaySeconds({ attempt, status, retryAfter, random });
  if (delaySeconds !== undefined) return { kind: "retry", outcome: "retrying", delaySeconds };
  return { kind: "give-up", outcome: "failed" };
}

/** Why an endpoint was disabled, as `GET` of it shows. */
function disabledReason(by: "gone" | "failing", failingSince: Date | null): string {
  if (by === "gone") return GONE_REASON;
  return `every delivery failed for 5 days (since ${failingSince?.toISOString()})`;
}

/** What an attempt was at: which event (or test send), which endpoint, its number. */
export interface AttemptTarget {
  id: string;
  endpointId: string;
  eventId: string | null;
  eventType: DeliveryAttempt["eventType"];
  attempt: number;
}

/** How an attempt went: the receiver's status or why there was none, and when it started and ended (ms). */
export interface AttemptRun {
  statusCode: number | null;
  error: string | null;
  started: number;
  finished: number;
}

/** An attempt as recorded; `nextAttemptAt` only while a retry is due. Every attempt, skip and failure is one. */
export function attemptRecord(
  target: AttemptTarget,
  outcome: DeliveryAttempt["outcome"],
  { statusCode, error, started, finished }: AttemptRun,
  nextAttemptAt: Date | null = null,
): DeliveryAttempt {
  return {
    ...target,
    outcome,
    statusCode,
    error,
    durationMs: Math.max(0, Math.round(finished - started)),
    attemptedAt: new Date(Math.floor(started)),
    nextAttemptAt,
  };
}

/** An attempt not made at `at` (nothing was sent): no status, no duration. */
export const notAttempted = (error: string, at: number): AttemptRun => ({
  statusCode: null,
  error,
  started: at,
  finished: at,
});

/** Signs the body with the endpoint's secrets live at `started` under `id` and POSTs it: the answer and when. */
async function signedPost(
  deps: WebhookDispatcherDeps & { now: () => number },
  endpoint: StoredEndpoint,
  message: { id: string; body: string; started: number; timeoutMs?: number },
  headers: Record<string, string> = {},
) {
  const { id, body, started, timeoutMs } = message;
  const secrets = await signingSecrets(endpoint, deps, started);
  const signed = await deps.sign({ id, timestampSeconds: Math.floor(started / 1000), body }, secrets);
  const options = timeoutMs === undefined ? undefined : { timeoutMs };
  const answer = await deps.post(endpoint.url, body, { ...signed, ...headers }, options);
  const run: AttemptRun = {
    statusCode: "status" in answer ? answer.status : null,
    error: answer.error ?? null,
    started,
    finished: deps.now(),
  };
  return { answer, run };
}

/** How early a step may come before its attempt's `next_attempt_at` and still make it (clocks differ a little). */
const DUE_SLACK_MS = 1_000;

/**
 * A delivery whose attempts are under way in another message: an event fanned out twice (the sweep handed
 * it over while its fan-out waited to retry) sends each delivery twice, and a step retried on our side
 * after its attempt was recorded comes back early. Once this delivery's newest attempt (of this
 * redelivery's, when it is one) is delivered or given up, a copy is done; while its next attempt is not
 * due, it comes back when it is. Either way nothing is posted: the receiver gets one POST per attempt.
 */
function underWay(last: LastAttempt | null, priorAttempts: number, now: () => number): DeliveryDecision | undefined {
  if (!last || last.attempt <= priorAttempts) return undefined;
  if (last.outcome === "delivered" || last.outcome === "failed") return { kind: "ack", outcome: "duplicate" };
  if (!last.nextAttemptAt) return undefined;
  const wait = last.nextAttemptAt.getTime() - now();
  return wait > DUE_SLACK_MS ? { kind: "retry", outcome: "not_due", delaySeconds: Math.ceil(wait / 1000) } : undefined;
}

const timedOut = (answer: Answer) => "timedOut" in answer && answer.timedOut === true;

/**
 * The endpoint's lane after a slow-lane attempt: back to the fast lane once its receiver answers within
 * the fast lane's wait, kept in (or put back into) the slow one while it does not. Written only on a change.
 */
function laneAfter(endpoint: StoredEndpoint, answer: Answer, run: AttemptRun): Date | null | undefined {
  const inTime = "status" in answer && run.finished - run.started <= FAST_LANE_ANSWER_MS;
  if (inTime) return endpoint.slowSince ? null : undefined;
  return endpoint.slowSince ? undefined : new Date(Math.floor(run.started));
}

export function createWebhookDispatcher(deps: WebhookDispatcherDeps): WebhookDispatcher {
  const { events, webhooks, now = Date.now, newId = () => crypto.randomUUID(), random = Math.random } = deps;
  const clocked = { ...deps, now };

  return {
    async deliver({ eventId, endpointId, priorAttempts = 0, spanId, lane }) {
      const [event, endpoint, last] = await Promise.all([
        events.findById(eventId),
        webhooks.findEndpoint(endpointId),
        webhooks.lastAttempt(eventId, endpointId),
      ]);
      const number = (last?.attempt ?? 0) + 1;
      const attempt = Math.max(1, number - priorAttempts);
      // Gone since (deleted, purged): nothing to deliver, nothing to retry, nowhere to record it.
      if (!event || !endpoint) return { kind: "ack", outcome: "skipped" };
      const copy = underWay(last, priorAttempts, now);
      if (copy) return copy;
      const target = { id: newId(), endpointId, eventId, eventType: event.type, attempt: number };
      if (endpoint.disabled) {
        await webhooks.recordAttempt(attemptRecord(target, "skipped", notAttempted("the endpoint is disabled", now())));
        return { kind: "ack", outcome: "skipped" };
      }
      if (lane === "fast" && endpoint.slowSince) return { kind: "move", outcome: "moved" };
      const started = now();
      const timeoutMs = lane === "fast" ? FAST_LANE_ANSWER_MS : undefined;
      const sent = { id: event.id, body: deps.render(event), started, timeoutMs };
      const { answer, run } = await signedPost(clocked, endpoint, sent, traceHeaders(event.trace, spanId));
      if (lane === "fast" && timedOut(answer)) {
        await webhooks.markSlow(endpointId, new Date(Math.floor(started)));
        return { kind: "move", outcome: "moved" };
      }
      const { failingSince } = endpoint;
      const decision = decide(answer, { attempt, at: run.finished, failingSince, random: random() });
      const next = decision.kind === "retry" ? new Date(Math.floor(run.finished) + decision.delaySeconds * 1000) : null;
      const slowSince = lane === "slow" ? laneAfter(endpoint, answer, run) : undefined;
      await Promise.all([
        webhooks.recordAttempt(
          attemptRecord(target, decision.outcome, run, next),
          decision.outcome === "disabled" ? { reason: disabledReason(decision.disabledBy, failingSince) } : undefined,
        ),
        slowSince === undefined ? undefined : webhooks.markSlow(endpointId, slowSince),
      ]);
      return decision;
    },

    async sendTest(endpointId) {
      const endpoint = await webhooks.findEndpoint(endpointId);
      if (!endpoint) return null;
      const id = newId();
      const started = now();
      const body = deps.renderTest({ id, endpointId, at: new Date(Math.floor(started)) });
      const { run } = await signedPost(clocked, endpoint, { id, body, started });
      // Once, never retried: delivered for a 2xx, failed otherwise.
      const target: AttemptTarget = { id: newId(), endpointId, eventId: null, eventType: TEST_EVENT_TYPE, attempt: 1 };
      const attempt = attemptRecord(target, isDelivered(run.statusCode) ? "delivered" : "failed", run);
      await webhooks.recordAttempt(attempt);
      return attempt;
    },
  };
}
