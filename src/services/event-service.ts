import { AppError } from "../domain/app-error";
import { type Caller, isAdmin } from "../domain/caller";
import type { OrderEvent, OrderEventType } from "../domain/order-event";
import type { EventRepository } from "./event-repository";
import { type ListPosition, type Page, pageOf } from "./keyset-page";

/**
 * How long the forward feed waits before it shows an event. An event's time is taken before its
 * write commits (the service's clock for a create, the transaction's start for a status change), so
 * an event can become visible after a later one; a reader polling forward would step past it. Each
 * write is one round trip under the database deadline (DB_TIMEOUT_MS, 5 s by default): after this
 * window, every event older than it that will ever commit has.
 */
export const FORWARD_SETTLE_MS = 15_000;

export interface EventFeedInput {
  limit: number;
  /** `desc` (default): newest first. `asc`: oldest first, and the cursor keeps its place for polling. */
  direction: "asc" | "desc";
  after?: ListPosition;
  type?: OrderEventType;
  orderId?: string;
}

/**
 * A page of events. Newest first, `next` is null on the last page; oldest first, it is always the
 * position after the last event seen (the cursor given when there was none), to poll from later.
 */
export type EventPage = Page<OrderEvent>;

export interface EventService {
  /** Admins read every event; a customer only the events of their own orders. */
  list(caller: Caller, input: EventFeedInput): Promise<EventPage>;
  /** One event, as the feed shows it to this caller: another customer's is NOT_FOUND, as for orders. */
  get(caller: Caller, id: string): Promise<OrderEvent>;
}

export interface EventServiceDeps {
  repository: EventRepository;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

export function createEventService({ repository, now = Date.now }: EventServiceDeps): EventService {
  return {
    async list(caller, { limit, direction, after, type, orderId }) {
      const forward = direction === "asc";
      const rows = await repository.list({
        customerId: isAdmin(caller) ? undefined : caller.id,
        type,
        orderId,
        direction,
        after,
        // One row more than the page tells whether another page exists, in the same query.
        limit: limit + 1,
        before: forward ? new Date(now() - FORWARD_SETTLE_MS) : undefined,
      });
      const page = pageOf(rows, limit, (event) => event.createdAt);
      if (!forward) return page;
      const last = page.items.at(-1);
      return { items: page.items, next: last ? { createdAt: last.createdAt, id: last.id } : (after ?? null) };
    },

    async get(caller, id) {
      const event = await repository.findById(id, isAdmin(caller) ? undefined : caller.id);
      if (!event) throw new AppError("NOT_FOUND", { message: "event not found" });
      return event;
    },
  };
}
