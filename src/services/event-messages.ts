/**
 * What travels on the events queue: an event to fan out to its endpoints, or one delivery of an event
 * to one endpoint. Ids only; each consumer reads the rest from the database, so a message stays small
 * (Queues takes up to 128 KB) and a retry always delivers the event as stored.
 */
export type EventMessage = (
  | { kind: "event"; event: string }
  | { kind: "delivery"; event: string; endpoint: string }
) & {
  /** The W3C `traceparent` of the request that caused the event: the consumer logs under its trace. */
  traceparent?: string;
};

/** The queue the relay hands messages to. Implemented over a Cloudflare Queues producer binding. */
export interface EventQueue {
  send(messages: EventMessage[]): Promise<void>;
}

/**
 * Delays between attempts, in seconds, like Svix's schedule: seconds, minutes, then hours, about
 * three days in all (77.6 h). Queues caps one delay at 12 h (`retry({ delaySeconds })`,
 * https://developers.cloudflare.com/queues/configuration/batching-retries/#delay-messages).
 * wrangler.toml's `max_retries` is this schedule's length: after the last attempt a retry sends the
 * message to the dead-letter queue.
 */
export const RETRY_DELAYS_S = [5, 300, 1800, 7200, 18_000, 36_000, 43_200, 43_200, 43_200, 43_200, 43_200] as const;

/** Whether a message is one of ours (a queue may hold anything someone sent to it). */
export function isEventMessage(body: unknown): body is EventMessage {
  if (typeof body !== "object" || body === null) return false;
  const m = body as Record<string, unknown>;
  if (typeof m.event !== "string") return false;
  return m.kind === "event" || (m.kind === "delivery" && typeof m.endpoint === "string");
}
