import type { Order } from "../../src/domain/order";
import type {
  NewIdempotencyRecord,
  OrderRepository,
  StoredIdempotencyRecord,
} from "../../src/services/order-repository";

/** An in-memory OrderRepository with the real one's semantics, for service unit tests. */
export function fakeOrderRepository() {
  const orders = new Map<string, Order>();
  const keys = new Map<string, StoredIdempotencyRecord & { orderId: string }>();
  const calls: string[] = [];
  const keyOf = (customerId: string, key: string) => `${customerId}\u0000${key}`;
  const visible = (id: string, customerId?: string) => {
    const o = orders.get(id);
    return o && (!customerId || o.customerId === customerId) ? structuredClone(o) : null;
  };

  const repository: OrderRepository = {
    async create(order, idempotency?: NewIdempotencyRecord & { customerId: string }) {
      calls.push("create");
      if (idempotency) {
        const existing = keys.get(keyOf(idempotency.customerId, idempotency.key));
        if (existing && existing.expiresAt > order.createdAt) return { kind: "duplicate-key" };
      }
      const stored: Order = {
        ...order,
        status: "pending",
        itemCount: order.items.length,
        version: 1,
        updatedAt: order.createdAt,
      };
      orders.set(order.id, stored);
      if (idempotency) {
        keys.set(keyOf(idempotency.customerId, idempotency.key), {
          requestHash: idempotency.requestHash,
          responseStatus: idempotency.responseStatus,
          responseBody: structuredClone(idempotency.responseBody),
          expiresAt: idempotency.expiresAt,
          orderId: order.id,
        });
      }
      return { kind: "created", order: structuredClone(stored) };
    },
    async findIdempotencyRecord(customerId, key) {
      calls.push("findIdempotencyRecord");
      const record = keys.get(keyOf(customerId, key));
      if (!record) return null;
      const { orderId: _, ...rest } = record;
      return rest;
    },
    async findById(id, customerId) {
      calls.push("findById");
      return visible(id, customerId);
    },
    async list({ customerId, status, limit, after, includeItems }) {
      calls.push("list");
      return [...orders.values()]
        .filter((o) => (!customerId || o.customerId === customerId) && (!status || o.status === status))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
        .filter(
          (o) =>
            !after ||
            o.createdAt < after.createdAt ||
            (o.createdAt.getTime() === after.createdAt.getTime() && o.id < after.id),
        )
        .slice(0, limit)
        .map((o) => {
          const copy = structuredClone(o);
          if (!includeItems) delete copy.items;
          return copy;
        });
    },
    async transition({ id, customerId, to, from, expectedVersion }) {
      calls.push("transition");
      const current = visible(id, customerId);
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
      return { updated: structuredClone(next), current: structuredClone(next) };
    },
  };
  return { repository, orders, keys, calls };
}
