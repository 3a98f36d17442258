import type { Order, OrderStatus } from "./order";

export const ORDER_EVENT_TYPES = ["order.created", "order.status_changed"] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

/**
 * Something that happened to an order, written in the same transaction as the change itself (the
 * transactional outbox), so neither exists without the other.
 */
export interface OrderEvent {
  id: string;
  type: OrderEventType;
  /** The order as it was at this event's version (status, version and updated_at of that moment). */
  order: Order;
  /** For a status change: the status it left. */
  previousStatus?: OrderStatus;
  /** The X-Request-Id of the request that caused it. */
  requestId: string | null;
  /** The W3C trace context of that request (its `traceparent` names the request's span as the parent). */
  trace: EventTrace | null;
  createdAt: Date;
}

/** A W3C trace context as carried on an event: onto its queue messages and its webhook deliveries. */
export interface EventTrace {
  traceparent: string;
  tracestate?: string;
}

/** What a write needs to record its event: a new id, and the request that caused it. */
export interface EventStamp {
  id: string;
  requestId?: string;
  trace?: EventTrace;
}
