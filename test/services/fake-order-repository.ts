import type { Customer } from "../../src/domain/caller";
import type { Order } from "../../src/domain/order";
import { pageOf } from "../../src/services/keyset-page";
import type { OrderRepository } from "../../src/services/order-repository";
import { rendered, renderedPage } from "../support/orders";

interface FakeKeyRecord {
  requestHash: string;
  snapshot: Order;
  eventId: string;
  orderId: string;
  expiresAt: Date;
}

/** An in-memory OrderRepository with the real one's semantics, for service unit tests. */
export function fakeOrderRepository() {
  const orders = new Map<string, Order>();
  const keys = new Map<string, FakeKeyRecord>();
  const calls: string[] = [];
  /** The events written with each change, as the real repository writes them (one per change). */
  const events: { id: string; type: string; orderId: string; requestId?: string }[] = [];
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
              eventId: existing.eventId,
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
      events.push({ id: event.id, type: "order.created", orderId: order.id, requestId: event.requestId });
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
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
        .filter(
          (o) =>
            !after ||
            o.createdAt < after.createdAt ||
            (o.createdAt.getTime() === after.createdAt.getTime() && o.id < after.id),
        )
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
        updatedAt: new Date(current.updatedAt.getTime() + 1),
      };
      orders.set(id, next);
      events.push({ id: event.id, type: "order.status_changed", orderId: id, requestId: event.requestId });
      return { updated: structuredClone(next), current: structuredClone(next) };
    },
  };
  return { repository, orders, keys, calls, events };
}
