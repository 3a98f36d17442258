import { AppError } from "../domain/app-error";
import { type Caller, requireAdmin } from "../domain/caller";
import { deliveries, type EventQueue, senderTo } from "./event-messages";
import type { EventRepository } from "./event-repository";
import type { WebhookRepository } from "./webhook-repository";

/** Events one recovery queues at most: a bounded answer and a bounded burst on the receiver; call again for more. */
export const RECOVER_LIMIT = 1_000;

export interface EndpointRecoveryDeps {
  events: Pick<EventRepository, "missedBy">;
  webhooks: Pick<WebhookRepository, "findEndpoint">;
  queue: EventQueue | undefined;
  limit?: number;
}

export interface Recovery {
  /** The events queued for the endpoint, oldest first. */
  eventIds: string[];
  /** More were missed than one recovery queues: call again once these are delivered. */
  more: boolean;
}

/** Admins: send an endpoint again what it has not received since `since` (Svix's recover). */
export type EndpointRecovery = (caller: Caller, endpointId: string, since: Date) => Promise<Recovery>;

/**
 * Every event since `since` (and since the endpoint's creation: it never took older ones) of the types it
 * takes that it has no delivered attempt of, queued for it with its attempts numbered on; a disabled
 * endpoint is enabled first (409), so nothing recovered is skipped.
 */
export function createEndpointRecovery({
  events,
  webhooks,
  queue,
  limit = RECOVER_LIMIT,
}: EndpointRecoveryDeps): EndpointRecovery {
  const send = senderTo(queue);
  return async (caller, endpointId, since) => {
    requireAdmin(caller);
    const endpoint = await webhooks.findEndpoint(endpointId);
    if (!endpoint) throw new AppError("NOT_FOUND", { message: "webhook endpoint not found" });
    if (endpoint.disabled) {
      throw new AppError("CONFLICT", { message: "the webhook endpoint is disabled: enable it, then recover" });
    }
    const from = new Date(Math.max(since.getTime(), endpoint.createdAt.getTime()));
    const missed = await events.missedBy(endpointId, { from, types: endpoint.events, limit: limit + 1 });
    const queued = missed.slice(0, limit);
    await send(
      queued.flatMap(({ id, traceparent, attemptsMade }) =>
        deliveries(id, [endpointId], traceparent, new Map([[endpointId, attemptsMade]])),
      ),
    );
    return { eventIds: queued.map((e) => e.id), more: missed.length > limit };
  };
}
