import type { Customer } from "../../src/domain/caller";
import type { Order, OrderStatus } from "../../src/domain/order";
import type { EventStamp, OrderEventType } from "../../src/domain/order-event";
import { pageOf } from "../../src/services/keyset-page";
import type { OrderRepository } from "../../src/services/order-repository";
import { rendered, renderedPage } from "../support/orders";
import { newestFirst, olderThan } from "./fake-keyset";

const createdAt = (o: Order) => o.createdAt;

interface FakeKeyRecord {
  requestHash: string;
  snapshot: Order;
  eventId: string;
  orderId: string;
  expiresAt: Date;
}

/** An event as the real repository writes it beside its change: order_events' columns. */
export interface StoredEvent {
  id: string;
  type: OrderEventType;
  orderId: string;
  customer: Customer;
  orderVersion: number;
  status: OrderStatus;
  previousStatus?: OrderStatus;
  requestId?: string;
  trace?: EventStamp["trace"];
  createdAt: Date;
  /** Where its write committed among the others (the txid column's order). */
  committed: number;
  dispatchedAt: Date | null;
  sweptAt: Date | null;
}

/** An in-memory OrderRepository with the real one's semantics, for service unit tests. */
export function fakeOrderRepository() {
  const orders = new Map<string, Order>();
  const keys = new Map<string, FakeKeyRecord>();
  const calls: string[] = [];
  /** The events written with each change, as the real repository writes them (one per change). */
  const events: StoredEvent[] = [];
  let commits = 0;
  /** Writes an event's row, as the real repository's statement does beside its change. */
  const record = (type: OrderEventType, order: Order, stamp: EventStamp, previousStatus?: OrderStatus) =>
    events.push({
      id: stamp.id,
      type,
      orderId: order.id,
      customer: { id: order.customerId, issuer: order.customerIssuer },
      orderVersion: order.version,
      status: order.status,
      ...(previousStatus ? { previousStatus } : {}),
      requestId: stamp.requestId,
      trace: stamp.trace,
      createdAt: order.updatedAt,
      committed: ++commits,
      dispatchedAt: null,
      sweptAt: null,
    });
  const keyOf = (caller: Customer, key: string) => JSON.stringify([caller.issuer, caller.id, key]);
  const owns = (customer: Customer | undefined, o: Order) =>
    !customer || (o.customerId === customer.id && o.customerIssuer === customer.issuer);
  const visible = (id: string, customer?: Customer) => {
    const o = orders.get(id);
    return o && owns(customer, o) ? structuredClone(o) : null;
  };

  const repository: OrderRepository = {
    async create(order, claim, event) {
      calls.push("create");
      if (claim) {
        const existing = keys.get(keyOf(claim.caller, claim.key));
        // Like the real one: a live record keeps the key; an expired one is replaced.
        if (existing && existing.expiresAt > order.createdAt) {
          return {
            kind: "key-taken",
            record: {
              requestHash: existing.requestHash,
              snapshot: structuredClone(existing.snapshot),
              // Null once the event is purged, as the real one's join finds nothing.
              eventId: events.some((e) => e.id === existing.eventId) ? existing.eventId : null,
            },
          };
        }
        keys.set(keyOf(claim.caller, claim.key), {
          requestHash: claim.requestHash,
          snapshot: structuredClone(order),
          eventId: event.id,
          orderId: order.id,
          expiresAt: claim.expiresAt,
        });
      }
      orders.set(order.id, structuredClone(order));
      record("order.created", order, event);
      return { kind: "created", order: structuredClone(order) };
    },
    async purgeExpiredIdempotencyRecords(before, limit) {
      calls.push("purgeExpiredIdempotencyRecords");
      const expired = [...keys.entries()]
        .filter(([, record]) => record.expiresAt < before)
        .sort(([, a], [, b]) => a.expiresAt.getTime() - b.expiresAt.getTime())
        .slice(0, limit);
      for (const [k] of expired) keys.delete(k);
      return expired.length;
    },
    async findById(id, customer) {
      calls.push("findById");
      const order = visible(id, customer);
      return order && rendered(order);
    },
    async list({ customer, status, limit, after, includeItems }) {
      calls.push("list");
      const matching = [...orders.values()]
        .filter((o) => owns(customer, o) && (!status || o.status === status))
        .filter(olderThan(createdAt, after))
        .sort(newestFirst(createdAt))
        .slice(0, limit + 1);
      const page = pageOf(matching, limit, (o) => o.createdAt);
      return renderedPage(page.items, { includeItems, next: page.next });
    },
    async transition({ id, customer, to, from, expectedVersion, event }) {
      calls.push("transition");
      const current = visible(id, customer);
      if (!current) return { updated: null, current: null };
      if (!from.includes(current.status) || (expectedVersion !== undefined && current.version !== expectedVersion)) {
        return { updated: null, current };
      }
      const next = {
        ...current,
        status: to,
        version: current.version + 1,
        // The database's now(), as the real one sets it (and never before the last change).
        updatedAt: new Date(Math.max(Date.now(), current.updatedAt.getTime() + 1)),
      };
      orders.set(id, next);
      record("order.status_changed", next, event, current.status);
      return { updated: structuredClone(next), current: structuredClone(next) };
    },
  };
  return { repository, orders, keys, calls, events, record };
}
