import type { OrderEvent } from "../domain/order-event";
import { type DeliveryAttempt, TEST_EVENT_TYPE } from "../domain/webhook-endpoint";
import { parseTraceparent, traceparentOf } from "../observability/trace-context";
import type { EventRepository } from "./event-repository";
import { FAILING_DISABLE_MS, retryAfterSeconds, retryDelaySeconds } from "./retry-policy";
import type { SigningSecrets } from "./webhook-endpoint-service";
import type { StoredEndpoint, WebhookRepository } from "./webhook-repository";

/** What a delivery's queue message should do next. */
export type DeliveryDecision =
  /** Delivered; or nothing to deliver (gone, disabled). */
  | { kind: "ack"; outcome: "delivered" | "skipped" }
  /** The endpoint was disabled: it answered 410 Gone, or every attempt has failed for 5 days. */
  | { kind: "ack"; outcome: "disabled"; disabledBy: "gone" | "failing" }
  | { kind: "retry"; outcome: "retrying"; delaySeconds: number }
  /** The schedule's last attempt failed, and is recorded so: nothing more is tried. */
  | { kind: "give-up"; outcome: "failed" };

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
  ): Promise<{ status: number; retryAfter?: string; error?: string } | { error: string }>;
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
   * gets names it as the parent.
   */
  deliver(step: {
    eventId: string;
    endpointId: string;
    priorAttempts?: number;
    spanId: string;
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

/**
 * What the answer means for the endpoint: delivered, gone (410), failed and retried on the retry policy's
 * schedule, or failed for good; an endpoint that has failed every attempt for 5 days is disabled.
 */
function decide(
  answer: Answer,
  { attempt, at, failingSince, random }: { attempt: number; at: number; failingSince: Date | null; random: number },
): DeliveryDecision & { outcome: DeliveryAttempt["outcome"] } {
  const status = "status" in answer ? answer.status : undefined;
  if (status !== undefined && status >= 200 && status < 300) return { kind: "ack", outcome: "delivered" };
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

/** An attempt the receiver answered (or did not), as recorded, with when the next is due if one is. */
function receiverAttempt(
  r: {
    id: string;
    event: OrderEvent;
    endpointId: string;
    number: number;
    statusCode: number | null;
    error: string | null;
  },
  decision: DeliveryDecision,
  { started, finished }: { started: number; finished: number },
): DeliveryAttempt {
  return {
    id: r.id,
    endpointId: r.endpointId,
    eventId: r.event.id,
    eventType: r.event.type,
    attempt: r.number,
    outcome: decision.outcome,
    statusCode: r.statusCode,
    error: r.error,
    durationMs: Math.max(0, Math.round(finished - started)),
    attemptedAt: new Date(Math.floor(started)),
    nextAttemptAt: decision.kind === "retry" ? new Date(Math.floor(finished) + decision.delaySeconds * 1000) : null,
  };
}

/** A delivery not sent, its endpoint being disabled: recorded, so the deliveries list says what became of it. */
function skippedAttempt(id: string, event: OrderEvent, endpointId: string, number: number, at: Date): DeliveryAttempt {
  return {
    id,
    endpointId,
    eventId: event.id,
    eventType: event.type,
    attempt: number,
    outcome: "skipped",
    statusCode: null,
    error: "the endpoint is disabled",
    durationMs: 0,
    attemptedAt: at,
    nextAttemptAt: null,
  };
}

/** A test send's attempt: delivered for a 2xx, failed otherwise, and never retried. */
function testAttempt(
  id: string,
  endpointId: string,
  {
    answer,
    statusCode,
    started,
    finished,
  }: { answer: Answer; statusCode: number | null; started: number; finished: number },
): DeliveryAttempt {
  return {
    id,
    endpointId,
    eventId: null,
    eventType: TEST_EVENT_TYPE,
    attempt: 1,
    outcome: statusCode !== null && statusCode >= 200 && statusCode < 300 ? "delivered" : "failed",
    statusCode,
    error: answer.error ?? null,
    durationMs: Math.max(0, Math.round(finished - started)),
    attemptedAt: new Date(Math.floor(started)),
    nextAttemptAt: null,
  };
}

/** Signs the body with the endpoint's secrets live at `started` under `id` and POSTs it: the answer and when. */
async function signedPost(
  deps: WebhookDispatcherDeps & { now: () => number },
  endpoint: StoredEndpoint,
  message: { id: string; body: string; started: number },
  headers: Record<string, string> = {},
) {
  const { id, body, started } = message;
  const secrets = await signingSecrets(endpoint, deps, started);
  const signed = await deps.sign({ id, timestampSeconds: Math.floor(started / 1000), body }, secrets);
  const answer = await deps.post(endpoint.url, body, { ...signed, ...headers });
  const finished = deps.now();
  const statusCode = "status" in answer ? answer.status : null;
  return { answer, statusCode, finished };
}

export function createWebhookDispatcher(deps: WebhookDispatcherDeps): WebhookDispatcher {
  const { events, webhooks, now = Date.now, newId = () => crypto.randomUUID(), random = Math.random } = deps;
  const clocked = { ...deps, now };

  return {
    async deliver({ eventId, endpointId, priorAttempts = 0, spanId }) {
      const [event, endpoint, made] = await Promise.all([
        events.findById(eventId),
        webhooks.findEndpoint(endpointId),
        webhooks.attemptsMade(eventId),
      ]);
      const number = (made.get(endpointId) ?? 0) + 1;
      const attempt = Math.max(1, number - priorAttempts);
      // Gone since (deleted, purged): nothing to deliver, nothing to retry, nowhere to record it.
      if (!event || !endpoint) return { kind: "ack", outcome: "skipped" };
      if (endpoint.disabled) {
        const at = new Date(Math.floor(now()));
        await webhooks.recordAttempt(skippedAttempt(newId(), event, endpointId, number, at));
        return { kind: "ack", outcome: "skipped" };
      }
      const started = now();
      const body = deps.render(event);
      const sent = { id: event.id, body, started };
      const { answer, statusCode, finished } = await signedPost(
        clocked,
        endpoint,
        sent,
        traceHeaders(event.trace, spanId),
      );
      const { failingSince } = endpoint;
      const decision = decide(answer, { attempt, at: finished, failingSince, random: random() });
      const record = { id: newId(), event, endpointId, number, statusCode, error: answer.error ?? null };
      await webhooks.recordAttempt(
        receiverAttempt(record, decision, { started, finished }),
        decision.outcome === "disabled" ? { reason: disabledReason(decision.disabledBy, failingSince) } : undefined,
      );
      return decision;
    },

    async sendTest(endpointId) {
      const endpoint = await webhooks.findEndpoint(endpointId);
      if (!endpoint) return null;
      const id = newId();
      const started = now();
      const body = deps.renderTest({ id, endpointId, at: new Date(Math.floor(started)) });
      const sent = await signedPost(clocked, endpoint, { id, body, started });
      const attempt = testAttempt(newId(), endpointId, { ...sent, started });
      await webhooks.recordAttempt(attempt);
      return attempt;
    },
  };
}
