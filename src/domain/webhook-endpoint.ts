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
  /** Optimistic-concurrency counter; the ETag is derived from it. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** One attempt to deliver an event to an endpoint. */
export interface DeliveryAttempt {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: OrderEventType;
  /** 1 for the first delivery of a message, counting up with each retry. */
  attempt: number;
  outcome: "delivered" | "retrying" | "failed" | "disabled";
  statusCode: number | null;
  /** Why no status came back (timeout, network, redirect refused); never the receiver's body. */
  error: string | null;
  durationMs: number;
  attemptedAt: Date;
  nextAttemptAt: Date | null;
}
