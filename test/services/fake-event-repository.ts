import type { Customer } from "../../src/domain/caller";
import type { OrderEvent } from "../../src/domain/order-event";
import type { DeliveryAttempt } from "../../src/domain/webhook-endpoint";
import type { EventListQuery, EventRepository } from "../../src/services/event-repository";
import { newestFirst, olderThan } from "./fake-keyset";
import type { fakeOrderRepository, StoredEvent } from "./fake-order-repository";

const at = (e: { createdAt: Date }) => e.createdAt;
const oldestFirst = <T extends { id: string; createdAt: Date }>(a: T, b: T) => newestFirst<T>(at)(b, a);
/** The forward feed's order: where each write committed (the txid column), then time and id. */
const inCommitOrder = <T extends { id: string; createdAt: Date; committed: number }>(a: T, b: T) =>
  a.committed - b.committed || oldestFirst(a, b);

const ownedBy = (customer: Customer | undefined) => (e: StoredEvent) =>
  !customer || (e.customer.id === customer.id && e.customer.issuer === customer.issuer);

/**
 * An in-memory EventRepository over the order fake's events and orders (the real one reads the
 * order_events rows the order repository writes) and, for what an endpoint missed and for the purge,
 * the webhook fake's attempts. Held to test/support/event-repository-contract.ts.
 */
export function fakeEventRepository(
  orders: ReturnType<typeof fakeOrderRepository>,
  attempts: DeliveryAttempt[] = [],
): EventRepository {
  const { events } = orders;
  const byId = (id: string) => events.find((e) => e.id === id);
  const render = (e: StoredEvent): OrderEvent => {
    const order = orders.orders.get(e.orderId);
    if (!order) throw new Error(`event ${e.id} names no order`);
    return {
      id: e.id,
      type: e.type,
      order: structuredClone({ ...order, status: e.status, version: e.orderVersion, updatedAt: e.createdAt }),
      ...(e.previousStatus ? { previousStatus: e.previousStatus } : {}),
      requestId: e.requestId ?? null,
      trace: e.trace ? structuredClone(e.trace) : null,
      createdAt: e.createdAt,
    };
  };
  /** The feed's page: newest first by (time, id), or in commit order after the event a cursor names. */
  const page = ({ direction, after }: EventListQuery): StoredEvent[] => {
    if (direction === "desc")
      return events.filter(olderThan<StoredEvent>(at, after)).sort(newestFirst<StoredEvent>(at));
    // A purged event's place is before every kept one, as the real one's is.
    const place = after && { ...after, committed: byId(after.id)?.committed ?? 0 };
    return events.filter((e) => !place || inCommitOrder(e, place) > 0).sort(inCommitOrder);
  };
  const attemptsAt = (endpointId: string, eventId: string) =>
    attempts.filter((a) => a.endpointId === endpointId && a.eventId === eventId);

  return {
    async list(query) {
      return page(query)
        .filter(ownedBy(query.customer))
        .filter(
          (e) => (query.type === undefined || e.type === query.type) && (query.orderId ?? e.orderId) === e.orderId,
        )
        .slice(0, query.limit)
        .map(render);
    },
    async findById(id, customer) {
      const event = byId(id);
      return event && ownedBy(customer)(event) ? render(event) : null;
    },
    async routeOf(id) {
      const event = byId(id);
      if (!event) return null;
      const { type, createdAt, trace, dispatchedAt } = event;
      return { type, createdAt, traceparent: trace?.traceparent, dispatched: dispatchedAt !== null };
    },
    async claimForSweep({ createdBefore, sweptBefore, at, limit }) {
      const due = events
        .filter((e) => e.dispatchedAt === null && e.createdAt < createdBefore && (e.sweptAt ?? 0) < sweptBefore)
        .sort(oldestFirst)
        .slice(0, limit);
      for (const e of due) e.sweptAt = at;
      return due.map((e) => ({ id: e.id, traceparent: e.trace?.traceparent }));
    },
    async releaseSweepClaim(ids, at) {
      for (const e of events) if (ids.includes(e.id) && e.sweptAt?.getTime() === at.getTime()) e.sweptAt = null;
    },
    async markDispatched(id, at) {
      const event = byId(id);
      if (event) event.dispatchedAt ??= at;
    },
    async oldestUndispatched() {
      return events.filter((e) => e.dispatchedAt === null).sort(oldestFirst)[0]?.createdAt ?? null;
    },
    async missedBy(endpointId, { from, types, limit }) {
      return events
        .filter((e) => e.createdAt >= from && types.includes(e.type))
        .filter((e) => !attemptsAt(endpointId, e.id).some((a) => a.outcome === "delivered"))
        .sort(oldestFirst)
        .slice(0, limit)
        .map((e) => ({
          id: e.id,
          attemptsMade: Math.max(0, ...attemptsAt(endpointId, e.id).map((a) => a.attempt)),
          ...(e.trace ? { traceparent: e.trace.traceparent } : {}),
        }));
    },
    async purgeOlderThan(before, limit) {
      const gone = new Set(
        events
          .filter((e) => e.createdAt < before)
          .sort(oldestFirst)
          .slice(0, limit)
          .map((e) => e.id),
      );
      const keep = <T>(rows: T[], kept: (row: T) => boolean) => rows.splice(0, rows.length, ...rows.filter(kept));
      keep(events, (e) => !gone.has(e.id));
      keep(attempts, (a) => a.eventId === null || !gone.has(a.eventId));
      return gone.size;
    },
  };
}
