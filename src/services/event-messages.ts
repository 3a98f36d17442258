import { AppError } from "../domain/app-error";
import { isUuid } from "../lib/uuid";

/**
 * What travels on the events queue: an event to fan out to its endpoints, or one delivery of an event
 * to one endpoint. Ids only; each consumer reads the rest from the database, so a message stays small
 * (Queues takes up to 128 KB) and a retry always delivers the event as stored.
 */
export type EventMessage = (
  | { kind: "event"; event: string }
  /** `after`: attempts already made for this event and endpoint (a redelivery numbers its attempts on). */
  | { kind: "delivery"; event: string; endpoint: string; after?: number }
) & {
  /** The W3C `traceparent` of the request that caused the event: the consumer logs under its trace. */
  traceparent?: string;
};

/** The sweep's next step: a backlog drains in steps through the queue, at the pace its consumers keep. */
export interface SweepMessage {
  kind: "sweep";
}

/** A purge's next step (src/services/purge-steps.ts): retention keeps up in steps through the queue. */
export interface PurgeMessage {
  kind: "purge";
  job: "idempotency" | "events";
}

/** The queue the event jobs send to. Implemented over a Cloudflare Queues producer binding (src/isolate.ts). */
export interface EventQueue {
  /** `delaySeconds`: delivered no sooner (Queues delays a message up to 12 h). */
  send(messages: QueueMessage[], options?: { delaySeconds?: number }): Promise<void>;
}

/** Everything the events queue carries. */
export type QueueMessage = EventMessage | SweepMessage | PurgeMessage;

/** Whether a message is the sweep's next step. */
export const isSweepMessage = (body: unknown): body is SweepMessage =>
  typeof body === "object" && body !== null && (body as { kind?: unknown }).kind === "sweep";

/** Whether a message is a purge's next step, naming one of the purges. */
export const isPurgeMessage = (body: unknown): body is PurgeMessage => {
  const m = body as { kind?: unknown; job?: unknown } | null;
  return typeof m === "object" && m !== null && m.kind === "purge" && (m.job === "idempotency" || m.job === "events");
};

/**
 * Delays between attempts, in seconds, like Svix's schedule: seconds, minutes, then hours, about
 * three days in all (77.6 h). Queues caps one delay at 12 h (`retry({ delaySeconds })`,
 * https://developers.cloudflare.com/queues/configuration/batching-retries/#delay-messages).
 * The dispatcher counts a delivery's place in it from the receiver's recorded attempts, and after the
 * last it gives up (recorded failed). wrangler.toml's `max_retries` is twice this schedule's length plus
 * one: room for as many steps failing on our side as the receiver's attempts, after which Queues sends
 * the message to the dead-letter queue (whose consumer records it failed).
 */
export const RETRY_DELAYS_S = [5, 300, 1800, 7200, 18_000, 36_000, 43_200, 43_200, 43_200, 43_200, 43_200] as const;

const isId = (value: unknown): value is string => typeof value === "string" && isUuid(value);

/**
 * Whether a message is one of ours (a queue may hold anything someone sent to it), naming valid ids: one
 * that names none would fail every retry for three days, so it is set aside at once instead.
 */
export function isEventMessage(body: unknown): body is EventMessage {
  if (typeof body !== "object" || body === null) return false;
  const m = body as Record<string, unknown>;
  if (!isId(m.event)) return false;
  if (m.after !== undefined && !(Number.isInteger(m.after) && (m.after as number) >= 0)) return false;
  return m.kind === "event" || (m.kind === "delivery" && isId(m.endpoint));
}

/**
 * Whether a batch comes from a dead-letter queue: each environment's is named after its events queue
 * with `-dlq` (wrangler.toml, held by test/dev/wrangler-config.test.ts).
 */
export const isDeadLetterQueue = (queue: string) => queue.endsWith("-dlq");

/**
 * Whether a batch comes from a slow lane (src/services/webhook-dispatcher.ts, `Lane`): each environment's
 * is named after its events queue with `-slow` (wrangler.toml, held by test/dev/wrangler-config.test.ts).
 */
export const isSlowLane = (queue: string) => queue.endsWith("-slow");

/** A stored event as the queue carries it: its id, and its request's trace when it has one. */
export interface EventRoute {
  id: string;
  traceparent?: string;
}

/** Events to fan out, one message each. */
export const handOvers = (events: EventRoute[]): EventMessage[] =>
  events.map(({ id, traceparent }) => ({ kind: "event", event: id, ...(traceparent ? { traceparent } : {}) }));

/** One delivery of an event per endpoint; `after` numbers a redelivery's attempts on from those made. */
export const deliveries = (
  event: string,
  endpoints: string[],
  traceparent?: string,
  after: ReadonlyMap<string, number> = new Map(),
): EventMessage[] =>
  endpoints.map((endpoint) => {
    const made = after.get(endpoint) ?? 0;
    return {
      kind: "delivery",
      event,
      endpoint,
      ...(made > 0 ? { after: made } : {}),
      ...(traceparent ? { traceparent } : {}),
    };
  });

/** Sends to the queue; with no queue bound (a preview), a job that must send fails with the reason. */
export function senderTo(queue: EventQueue | undefined) {
  return async (messages: QueueMessage[], options?: { delaySeconds?: number }): Promise<void> => {
    if (messages.length === 0) return;
    if (!queue) throw new AppError("SERVICE_UNAVAILABLE", { detail: "no EVENTS_QUEUE binding" });
    await queue.send(messages, options);
  };
}
