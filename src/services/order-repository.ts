import type { Currency, Order, OrderItem, OrderStatus } from "../domain/order";

/** What the service needs from storage. Owned here, implemented in src/repositories. */
export interface NewOrder {
  id: string;
  customerId: string;
  currency: Currency;
  items: OrderItem[];
  total: number;
  createdAt: Date;
}

export interface NewIdempotencyRecord {
  key: string;
  /** SHA-256 hex of the canonical request. */
  requestHash: string;
  responseStatus: number;
  responseBody: unknown;
  expiresAt: Date;
}

export interface StoredIdempotencyRecord {
  requestHash: string;
  responseStatus: number;
  responseBody: unknown;
  expiresAt: Date;
}

export type CreateResult = { kind: "created"; order: Order } | { kind: "duplicate-key" };

/** Keyset position: orders strictly older than this one, newest first. */
export interface ListPosition {
  createdAt: Date;
  id: string;
}

export interface ListQuery {
  /** Only this customer's orders; every customer's when absent (admins). */
  customerId?: string;
  status?: OrderStatus;
  limit: number;
  after?: ListPosition;
  includeItems: boolean;
}

export interface TransitionInput {
  id: string;
  /** Only if the order belongs to this customer; any order when absent (admins). */
  customerId?: string;
  to: OrderStatus;
  /** Statuses the order must currently be in. */
  from: OrderStatus[];
  /** Only if the order is still at this version (If-Match). */
  expectedVersion?: number;
}

export interface TransitionResult {
  /** The order after the change, or null when the guard did not hold. */
  updated: Order | null;
  /** The order as it is now (after the change, if any), with items; null when missing or not visible. */
  current: Order | null;
}

export interface OrderRepository {
  /** Order, items and (when given) the idempotency record, atomically, in one round trip. */
  create(order: NewOrder, idempotency?: NewIdempotencyRecord & { customerId: string }): Promise<CreateResult>;
  findIdempotencyRecord(customerId: string, key: string): Promise<StoredIdempotencyRecord | null>;
  /** With items, in one query. */
  findById(id: string, customerId?: string): Promise<Order | null>;
  list(query: ListQuery): Promise<Order[]>;
  /** Conditional status change and the resulting row, in one round trip. */
  transition(input: TransitionInput): Promise<TransitionResult>;
}
