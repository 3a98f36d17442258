import { AppError } from "../domain/app-error";
import { type Caller, scopeOf } from "../domain/caller";
import type { OrderEvent, OrderEventType } from "../domain/order-event";
import type { EventRepository } from "./event-repository";
import { type ListPosition, type Page, pageOf } from "./keyset-page";

export interface EventFeedInput {
  limit: number;
  /**
   * `desc` (default): newest first. `asc`: in the order the events committed, each shown once no
   * transaction still running can commit one behind it; the cursor keeps its place for polling.
   */
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
}

export function createEventService({ repository }: EventServiceDeps): EventService {
  return {
    async list(caller, { limit, direction, after, type, orderId }) {
      const forward = direction === "asc";
      const rows = await repository.list({
        customer: scopeOf(caller),
        type,
        orderId,
        direction,
        after,
        // One row more than the page tells whether another page exists, in the same query.
        limit: limit + 1,
      });
      const page = pageOf(rows, limit, (event) => event.createdAt);
      if (!forward) return page;
      const last = page.items.at(-1);
      return { items: page.items, next: last ? { createdAt: last.createdAt, id: last.id } : (after ?? null) };
    },

    async get(caller, id) {
      const event = await repository.findById(id, scopeOf(caller));
      if (!event) throw new AppError("NOT_FOUND", { message: "event not found" });
      return event;
    },
  };
}
