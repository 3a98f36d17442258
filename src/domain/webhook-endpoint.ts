import type { OrderEventType } from "./order-event";

/** Where events are delivered; its signing secret never leaves the service after creation. */
export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  /** The event types it receives. */
  events: OrderEventType[];
  disabled: boolean;
  /** Why it was disabled: by an admin, or by the receiver (410 Gone). */
  disabledReason: string | null;
  /** Since when its receiver has been too slow for the fast lane (null: it answers in time). */
  slowSince: Date | null;
  /** Optimistic-concurrency counter; the ETag is derived from it. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The type of the signed event an admin sends to try an endpoint (POST /v1/webhook-endpoints/{id}/test). */
export const TEST_EVENT_TYPE = "webhook.test";

/** One attempt to deliver an event to an endpoint. */
export interface DeliveryAttempt {
  id: string;
  endpointId: string;
  /** The stored event delivered; null for a test send, whose event is made for it and not stored. */
  eventId: string | null;
  eventType: OrderEventType | typeof TEST_EVENT_TYPE;
  /** 1 for the first delivery of a message, counting up with each retry. */
  attempt: number;
  /** `skipped`: not sent, the endpoint being disabled when its turn came. */
  outcome: "delivered" | "retrying" | "failed" | "disabled" | "skipped";
  statusCode: number | null;
  /** Why no status came back (timeout, network, redirect refused); never the receiver's body. */
  error: string | null;
  durationMs: number;
  attemptedAt: Date;
  nextAttemptAt: Date | null;
}
