import { AppError } from "../domain/app-error";
import { type Caller, requireAdmin } from "../domain/caller";
import type { OrderEvent } from "../domain/order-event";
import { deliveries, type EventQueue, senderTo } from "./event-messages";
import type { EventRepository } from "./event-repository";
import type { WebhookRepository } from "./webhook-repository";

export interface EventRedeliveryDeps {
  events: Pick<EventRepository, "findById">;
  webhooks: Pick<WebhookRepository, "subscribedEndpoints" | "findEndpoint" | "attemptsMade">;
  queue: EventQueue | undefined;
}

/** Admins: deliver an event again, to one endpoint or to every endpoint that takes it; the endpoints it went to. */
export type EventRedelivery = (caller: Caller, eventId: string, endpointId?: string) => Promise<string[]>;

export function createEventRedelivery({ events, webhooks, queue }: EventRedeliveryDeps): EventRedelivery {
  const send = senderTo(queue);
  const endpointsFor = async (event: OrderEvent, endpointId: string | undefined): Promise<string[]> => {
    const { type } = event;
    // To all: the endpoints the event went to, as the fan-out chose them; to one, any that takes it.
    if (endpointId === undefined) return webhooks.subscribedEndpoints(type, event.createdAt);
    const endpoint = await webhooks.findEndpoint(endpointId);
    if (!endpoint) throw new AppError("NOT_FOUND", { message: "webhook endpoint not found" });
    if (endpoint.disabled) throw new AppError("CONFLICT", { message: "the webhook endpoint is disabled" });
    if (!endpoint.events.includes(type)) {
      throw new AppError("CONFLICT", { message: `the webhook endpoint does not take ${type} events` });
    }
    return [endpoint.id];
  };
  return async (caller, eventId, endpointId) => {
    requireAdmin(caller);
    const event = await events.findById(eventId);
    if (!event) throw new AppError("NOT_FOUND", { message: "event not found" });
    const endpoints = await endpointsFor(event, endpointId);
    // Attempts are numbered on, so a redelivery never looks like a first delivery.
    const made = endpoints.length > 0 ? await webhooks.attemptsMade(eventId) : new Map<string, number>();
    await send(deliveries(eventId, endpoints, event.trace?.traceparent, made));
    return endpoints;
  };
}
