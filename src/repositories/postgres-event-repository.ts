import { and, asc, desc, eq, getTableColumns, gte, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Customer } from "../domain/caller";
import type { OrderStatus } from "../domain/order";
import type { OrderEvent, OrderEventType } from "../domain/order-event";
import type { EventListQuery, EventRepository, SweepClaim } from "../services/event-repository";
import type { ListPosition } from "../services/keyset-page";
import type { Database } from "./database";
import { runQuery } from "./database-errors";
import { deleteOldestBefore } from "./oldest-first-delete";
import { toOrder, withItems } from "./order-rows";
import { orderEvents, orders, webhookAttempts } from "./schema";

/**
 * An event with its order. What an order can change (status, version, updated_at) is the event's;
 * everything else (customer, currency, items, totals, created_at) never changes after the create,
 * so the order's row gives it exactly as it was at that version.
 */
const eventWithOrder = {
  event: getTableColumns(orderEvents),
  order: withItems,
};

type EventRow = {
  event: typeof orderEvents.$inferSelect;
  order: Parameters<typeof toOrder>[0];
};

function toEvent({ event, order }: EventRow): OrderEvent {
  return {
    id: event.id,
    type: event.type as OrderEventType,
    order: {
      ...toOrder(order),
      status: event.status,
      version: event.orderVersion,
      updatedAt: event.createdAt,
    },
    ...(event.previousStatus ? { previousStatus: event.previousStatus as OrderStatus } : {}),
    requestId: event.requestId,
    trace: event.traceparent
      ? { traceparent: event.traceparent, ...(event.tracestate ? { tracestate: event.tracestate } : {}) }
      : null,
    createdAt: event.createdAt,
  };
}

/** The forward feed's order: the writing transaction (0 for events from before migration 0013), then time, id. */
const commitOrder = sql`coalesce(${orderEvents.txid}, '0'::xid8)`;

/** The WHERE and ORDER BY of a page of the feed. */
type PageClauses = { where?: SQL; orderBy: SQL[] };

/**
 * Forward, in commit order, and only the events behind every transaction still running: a transaction
 * that has not finished has an id at or after `pg_snapshot_xmin`, and every one after it waits, so no
 * event can later commit behind the last one shown. A cursor names an event; its place in that order is
 * looked up (0 when the event has been purged: the reader, 30 days behind, reads what is kept again).
 */
function forwardPage(after: ListPosition | undefined): PageClauses {
  const settled = sql`${commitOrder} < pg_snapshot_xmin(pg_current_snapshot())`;
  const place = after
    ? sql`(coalesce((SELECT coalesce(${sql.raw("seen.txid")}, '0'::xid8) FROM ${orderEvents} seen WHERE ${sql.raw("seen.id")} = ${after.id}::uuid), '0'::xid8), ${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`
    : undefined;
  const where = place
    ? sql`${settled} AND (${commitOrder}, ${orderEvents.createdAt}, ${orderEvents.id}) > ${place}`
    : settled;
  return { where, orderBy: [asc(commitOrder), asc(orderEvents.createdAt), asc(orderEvents.id)] };
}

/** Newest first: a row comparison the (created_at, id) indexes answer in order. */
function pageClausesOf({ direction, after }: EventListQuery): PageClauses {
  if (direction === "asc") return forwardPage(after);
  const position = after ? sql`(${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)` : undefined;
  return {
    where: position ? sql`(${orderEvents.createdAt}, ${orderEvents.id}) < ${position}` : undefined,
    orderBy: [desc(orderEvents.createdAt), desc(orderEvents.id)],
  };
}

/** What the event jobs ask of the events table: ids, types and traces, never the order. */
function jobQueries(
  db: Database,
): Pick<EventRepository, "routeOf" | "claimForSweep" | "releaseSweepClaim" | "markDispatched" | "oldestUndispatched"> {
  return {
    async routeOf(id) {
      const [row] = await runQuery("events.route", () =>
        db
          .select({
            type: orderEvents.type,
            createdAt: orderEvents.createdAt,
            traceparent: orderEvents.traceparent,
            dispatchedAt: orderEvents.dispatchedAt,
          })
          .from(orderEvents)
          .where(eq(orderEvents.id, id)),
      );
      if (!row) return null;
      const { type, createdAt, traceparent, dispatchedAt } = row;
      return {
        type: type as OrderEventType,
        createdAt,
        traceparent: traceparent ?? undefined,
        dispatched: dispatchedAt !== null,
      };
    },

    claimForSweep: (claim) => claimForSweep(db, claim),

    async releaseSweepClaim(ids, at) {
      if (ids.length === 0) return;
      await runQuery("events.release-sweep-claim", () =>
        db
          .update(orderEvents)
          .set({ sweptAt: null })
          .where(and(inArray(orderEvents.id, ids), eq(orderEvents.sweptAt, at))),
      );
    },

    async markDispatched(id, at) {
      await runQuery("events.mark-dispatched", () =>
        db
          .update(orderEvents)
          .set({ dispatchedAt: at })
          .where(and(eq(orderEvents.id, id), isNull(orderEvents.dispatchedAt))),
      );
    },

    async oldestUndispatched() {
      const [row] = await runQuery("events.oldest-undispatched", () =>
        db
          .select({ createdAt: orderEvents.createdAt })
          .from(orderEvents)
          .where(isNull(orderEvents.dispatchedAt))
          .orderBy(asc(orderEvents.createdAt))
          .limit(1),
      );
      return row?.createdAt ?? null;
    },
  };
}

/** The sweep's claim: due events, oldest first, skipping rows another sweep holds (FOR UPDATE SKIP LOCKED). */
async function claimForSweep(db: Database, { createdBefore, sweptBefore, at, limit }: SweepClaim) {
  const due = db
    .select({ id: orderEvents.id })
    .from(orderEvents)
    .where(
      and(
        isNull(orderEvents.dispatchedAt),
        lt(orderEvents.createdAt, createdBefore),
        or(isNull(orderEvents.sweptAt), lt(orderEvents.sweptAt, sweptBefore)),
      ),
    )
    .orderBy(asc(orderEvents.createdAt))
    .limit(limit)
    .for("update", { skipLocked: true });
  const rows = await runQuery("events.claim-for-sweep", () =>
    db
      .update(orderEvents)
      .set({ sweptAt: at })
      .where(inArray(orderEvents.id, due))
      .returning({ id: orderEvents.id, traceparent: orderEvents.traceparent, createdAt: orderEvents.createdAt }),
  );
  return rows
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    .map((r) => ({ id: r.id, traceparent: r.traceparent ?? undefined }));
}

/** This customer's events: their subject within their issuer. */
const ownedBy = (customer: Customer | undefined): SQL | undefined =>
  customer === undefined
    ? undefined
    : and(eq(orderEvents.customerSubject, customer.id), eq(orderEvents.customerIssuer, customer.issuer));

/** What an endpoint missed (EventRepository.missedBy): events it has no delivered attempt of. */
async function missedBy(
  db: Database,
  endpointId: string,
  { from, types, limit }: { from: Date; types: OrderEventType[]; limit: number },
) {
  // The endpoint's attempts at each event: none delivered, and how many were made (numbered on). Aliased
  // and qualified by hand: drizzle leaves a one-table query's columns unqualified, which inside a
  // subquery would name the subquery's own table.
  const attempts = (outcome?: "delivered") => sql`FROM ${webhookAttempts} a
    WHERE a.event_id = ${orderEvents}.id AND a.endpoint_id = ${endpointId}
    ${outcome ? sql`AND a.outcome = ${outcome}` : sql``}`;
  const rows = await runQuery("events.missed", () =>
    db
      .select({
        id: orderEvents.id,
        traceparent: orderEvents.traceparent,
        made: sql<number>`coalesce((SELECT max(a.attempt) ${attempts()}), 0)`.mapWith(Number),
      })
      .from(orderEvents)
      .where(
        and(
          gte(orderEvents.createdAt, from),
          inArray(orderEvents.type, types),
          sql`NOT EXISTS (SELECT 1 ${attempts("delivered")})`,
        ),
      )
      .orderBy(asc(orderEvents.createdAt), asc(orderEvents.id))
      .limit(limit),
  );
  return rows.map((r) => ({
    id: r.id,
    attemptsMade: r.made,
    ...(r.traceparent ? { traceparent: r.traceparent } : {}),
  }));
}

/** Drizzle implementation of the service's EventRepository; one round trip per method. */
export function createPostgresEventRepository(db: Database): EventRepository {
  const select = () =>
    db.select(eventWithOrder).from(orderEvents).innerJoin(orders, eq(orders.id, orderEvents.orderId));
  return {
    async list(query) {
      const page = pageClausesOf(query);
      const where = and(
        ownedBy(query.customer),
        query.type === undefined ? undefined : eq(orderEvents.type, query.type),
        query.orderId === undefined ? undefined : eq(orderEvents.orderId, query.orderId),
        page.where,
      );
      const rows = await runQuery("events.list", () =>
        select()
          .where(where)
          .orderBy(...page.orderBy)
          .limit(query.limit),
      );
      return rows.map(toEvent);
    },

    async findById(id, customer) {
      const where = and(eq(orderEvents.id, id), ownedBy(customer));
      const [row] = await runQuery("events.find", () => select().where(where));
      return row ? toEvent(row) : null;
    },

    ...jobQueries(db),
    missedBy: (endpointId, query) => missedBy(db, endpointId, query),

    purgeOlderThan: (before, limit) =>
      deleteOldestBefore(db, "events.purge", { table: orderEvents, column: orderEvents.createdAt, before, limit }),
  };
}
