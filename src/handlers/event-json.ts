import type { OrderEvent } from "../domain/order-event";
import { orderJson } from "./order-json";

/**
 * An event as the feed lists it and a webhook delivers it (the Standard Webhooks payload `type`,
 * `timestamp`, `data`, with the event's id and the request that caused it). `data.order` is the
 * order exactly as `GET /v1/orders/:id` renders it at `data.order_version`.
 */
export function eventJson(event: OrderEvent) {
  return {
    id: event.id,
    type: event.type,
    timestamp: event.createdAt.toISOString(),
    request_id: event.requestId,
    data: {
      order_id: event.order.id,
      order_version: event.order.version,
      ...(event.previousStatus ? { previous_status: event.previousStatus, status: event.order.status } : {}),
      order: orderJson(event.order),
    },
  };
}

export type EventJson = ReturnType<typeof eventJson>;
