import { deliveries, type EventQueue, senderTo } from "./event-messages";
import type { EventRepository } from "./event-repository";
import type { WebhookRepository } from "./webhook-repository";

export interface EventFanOutDeps {
  events: Pick<EventRepository, "routeOf" | "markDispatched">;
  webhooks: Pick<WebhookRepository, "subscribedEndpoints">;
  queue: EventQueue | undefined;
  now: () => number;
}

/**
 * The queue consumer's first step for an event: its deliveries, then the event marked fanned out. Returns
 * how many endpoints it went to, or null when there is no such event (yet: see the consumer).
 */
export type EventFanOut = (eventId: string) => Promise<number | null>;

/**
 * One delivery message per enabled endpoint that takes the event's type; returns how many. An event
 * fanned out already is not fanned out again: it may be handed over twice (a lost answer, the sweep).
 */
export function createEventFanOut({ events, webhooks, queue, now }: EventFanOutDeps): EventFanOut {
  const send = senderTo(queue);
  return async (eventId) => {
    // Its type, time and trace only: each delivery reads the event with its order when it is sent.
    const event = await events.routeOf(eventId);
    if (!event) return null;
    if (event.dispatched) return 0;
    // Endpoints registered after the event happened do not receive it.
    const endpoints = await webhooks.subscribedEndpoints(event.type, event.createdAt);
    await send(deliveries(eventId, endpoints, event.traceparent));
    await events.markDispatched(eventId, new Date(now()));
    return endpoints.length;
  };
}
