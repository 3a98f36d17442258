import type { Customer } from "../domain/caller";
import type { Order, OrderStatus } from "../domain/order";
import type { EventStamp } from "../domain/order-event";
import type { ListPosition } from "./keyset-page";

/** What the service needs from storage. Owned here, implemented in src/repositories. */

/** Stores the new order under the caller's Idempotency-Key, unless the key is already taken. */
export interface IdempotencyClaim {
  /** Who sent the key (the caller, not the order's customer: keys are scoped to the caller). */
  caller: Customer;
  key: string;
  /** SHA-256 hex of the canonical request. */
  requestHash: string;
  /** A record that expired by this time is replaced, in the same statement. */
  expiresAt: Date;
}

/** What a key holds: the request it was first used with, and the order that request created. */
export interface StoredIdempotencyRecord {
  requestHash: string;
  /** The order as it was created; null for a record written before snapshots were stored. */
  snapshot: Order | null;
  /** The id of that order's `order.created` event; null once the event is purged. */
  eventId: string | null;
}

export type CreateResult =
  | { kind: "created"; order: Order }
  /** The key was taken (maybe a moment ago, by a racing request): what it holds, or null if it vanished. */
  | { kind: "key-taken"; record: StoredIdempotencyRecord | null };

/**
 * An order in the API's JSON representation (docs/API.md, "Order"), rendered by the database so that a
 * read passes the text through (docs/benchmarks.md): the JSON, and its version for the answer's ETag.
 */
export interface RenderedOrder {
  version: number;
  /** `{id, customer_id, status, currency, items, item_count, total, created_at, updated_at}`, compact. */
  json: string;
}

/** A page of orders the database rendered: their JSON array, newest first, and where the next page starts. */
export interface RenderedPage {
  json: string;
  /** Null on the last page. */
  next: ListPosition | null;
}

export interface ListQuery {
  /** Only this customer's orders; every customer's when absent (admins). */
  customer?: Customer;
  status?: OrderStatus;
  /** The page's size: one more is read to tell whether another page follows. */
  limit: number;
  after?: ListPosition;
  includeItems: boolean;
}

export interface TransitionInput {
  id: string;
  /** Only if the order belongs to this customer; any order when absent (admins). */
  customer?: Customer;
  to: OrderStatus;
  /** Statuses the order must currently be in. */
  from: OrderStatus[];
  /** Only if the order is still at this version (If-Match). */
  expectedVersion?: number;
  /** The `order.status_changed` event written with the change (and only if it happens). */
  event: EventStamp;
}

export interface TransitionResult {
  /** The order after the change, or null when the guard did not hold. */
  updated: Order | null;
  /** The order as it is now (after the change, if any), with items; null when missing or not visible. */
  current: Order | null;
}

export interface OrderRepository {
  /**
   * Order, items, its `order.created` event and (when given) the idempotency record, atomically, in
   * one round trip: either the order is created, or nothing is and the key's existing record comes
   * back in the same answer.
   */
  create(order: Order, idempotency: IdempotencyClaim | undefined, event: EventStamp): Promise<CreateResult>;
  /** With items, in one query. */
  findById(id: string, customer?: Customer): Promise<RenderedOrder | null>;
  list(query: ListQuery): Promise<RenderedPage>;
  /** Conditional status change, its event and the resulting row, in one round trip. */
  transition(input: TransitionInput): Promise<TransitionResult>;
  /** Deletes up to `limit` records that expired before `before`, oldest first; returns how many. */
  purgeExpiredIdempotencyRecords(before: Date, limit: number): Promise<number>;
}
