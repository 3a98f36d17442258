import { RETRY_DELAYS_S } from "./event-messages";

/**
 * The longest a retry can wait: Queues delays a message by at most 12 h (`retry({ delaySeconds })`,
 * https://developers.cloudflare.com/queues/configuration/batching-retries/#delay-messages).
 */
export const MAX_RETRY_DELAY_S = 43_200;

/** Answers of a receiver (or its gateway) that is overloaded: the next attempt waits twice as long. */
const THROTTLING = new Set([429, 502, 503, 504]);

/** Each delay varies by up to a fifth either way, so the retries of a burst of events spread out. */
const JITTER = 0.2;

/** An endpoint whose every attempt has failed for this long is disabled (Svix's rule). */
export const FAILING_DISABLE_MS = 5 * 24 * 60 * 60 * 1000;

/**
 * A `Retry-After` header in seconds from `nowMs`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3);
 * undefined when absent or unreadable (then the schedule decides alone).
 */
export function retryAfterSeconds(value: string | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  // An HTTP-date names a day of the week; a bare number of another form is not one.
  const at = /^[A-Za-z]{3},/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

export interface FailedAttempt {
  /** 1 for the first attempt of a message, counting up along RETRY_DELAYS_S. */
  attempt: number;
  /** The receiver's status, when it answered. */
  status?: number;
  /** Its `Retry-After`, in seconds. */
  retryAfter?: number;
  /** A number in [0, 1): the jitter's draw. */
  random: number;
}

/**
 * Seconds before the next attempt after a failed one, as the Standard Webhooks spec asks: the schedule's
 * delay, doubled for a throttling answer, varied by the jitter, never sooner than the receiver's
 * `Retry-After`, at most 12 h. Undefined when the schedule is spent.
 */
export function retryDelaySeconds({ attempt, status, retryAfter, random }: FailedAttempt): number | undefined {
  const scheduled = RETRY_DELAYS_S[attempt - 1];
  if (scheduled === undefined) return undefined;
  const base = status !== undefined && THROTTLING.has(status) ? scheduled * 2 : scheduled;
  const jittered = Math.round(base * (1 - JITTER + 2 * JITTER * random));
  return Math.min(MAX_RETRY_DELAY_S, Math.max(1, jittered, retryAfter ?? 0));
}
