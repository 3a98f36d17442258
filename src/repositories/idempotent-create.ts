import { fillPlaceholders, type SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Order } from "../domain/order";
import type { EventStamp } from "../domain/order-event";
import type { IdempotencyClaim } from "../services/order-repository";
import type { Database } from "./database";
import { eventOrigin } from "./order-rows";
import { encodeSnapshot } from "./order-snapshot";
import { idempotencyKeys, orderEvents, orderItems, orders } from "./schema";

const value = (name: string) => sql.placeholder(name);
const itemValue = (position: number, field: string) => value(`item${position}_${field}`);

/** One row of VALUES per item, typed: untyped parameters would arrive as text. */
const itemRows = (count: number) =>
  sql.join(
    Array.from(
      { length: count },
      (_, i) =>
        sql`(${i}::smallint, ${itemValue(i, "sku")}::varchar, ${itemValue(i, "quantity")}::integer, ${itemValue(i, "unit_price")}::bigint, ${itemValue(i, "line_total")}::bigint)`,
    ),
    sql`, `,
  );

/**
 * Claims the key and inserts order and items in one statement. The key goes first: on conflict
 * with a live record nothing is inserted (a racing duplicate waits for the first to commit, then
 * inserts nothing); an expired record is replaced. Foreign keys are checked at the end of the
 * statement, when the order exists.
 */
const claimAndInsert = (items: number): SQL => sql`
    WITH claimed AS (
      INSERT INTO ${idempotencyKeys} (customer_subject, customer_issuer, key, request_hash, order_id, order_snapshot, created_at, expires_at)
      VALUES (${value("subject")}, ${value("issuer")}, ${value("key")}, ${value("requestHash")}, ${value("orderId")}::uuid,
              ${value("snapshot")}, ${value("createdAt")}::timestamptz, ${value("expiresAt")}::timestamptz)
      ON CONFLICT (customer_issuer, customer_subject, key) DO UPDATE SET
        request_hash = excluded.request_hash, order_id = excluded.order_id, order_snapshot = excluded.order_snapshot,
        created_at = excluded.created_at, expires_at = excluded.expires_at
      WHERE ${idempotencyKeys}.expires_at <= excluded.created_at
      RETURNING order_id
    ), new_order AS (
      INSERT INTO ${orders} (id, customer_subject, customer_issuer, status, currency, total, item_count, version, created_at, updated_at)
      SELECT order_id, ${value("customerId")}, ${value("customerIssuer")}, 'pending', ${value("currency")}::currency, ${value("total")}::bigint,
             ${value("itemCount")}::smallint, 1, ${value("createdAt")}::timestamptz, ${value("createdAt")}::timestamptz
      FROM claimed
      RETURNING id
    ), new_event AS (
      INSERT INTO ${orderEvents} (id, type, order_id, customer_subject, customer_issuer, order_version, status, request_id, traceparent, tracestate, created_at)
      SELECT ${value("eventId")}::uuid, 'order.created', id, ${value("customerId")}, ${value("customerIssuer")}, 1, 'pending', ${value("requestId")},
             ${value("traceparent")}, ${value("tracestate")}, ${value("createdAt")}::timestamptz
      FROM new_order
    )
    INSERT INTO ${orderItems} (order_id, position, sku, quantity, unit_price, line_total)
    SELECT new_order.id, v.position, v.sku, v.quantity, v.unit_price, v.line_total
    FROM new_order CROSS JOIN (VALUES ${itemRows(items)}) AS v(position, sku, quantity, unit_price, line_total)`;

/** Runs after the claim in the same transaction: sees our record, or the one that was there first. */
const readClaim = sql`
    SELECT k.order_id, k.request_hash, k.order_snapshot,
           (SELECT e.id FROM ${orderEvents} e WHERE e.order_id = k.order_id AND e.type = 'order.created' LIMIT 1) AS event_id
    FROM ${idempotencyKeys} k
    WHERE k.customer_subject = ${value("subject")} AND k.customer_issuer = ${value("issuer")} AND k.key = ${value("key")}`;

/** The values the placeholders take, for this order, key and event. */
function valuesOf(order: Order, claim: IdempotencyClaim, event: EventStamp): Record<string, unknown> {
  const values: Record<string, unknown> = {
    subject: claim.caller.id,
    issuer: claim.caller.issuer,
    key: claim.key,
    requestHash: claim.requestHash,
    orderId: order.id,
    snapshot: encodeSnapshot(order),
    createdAt: order.createdAt.toISOString(),
    expiresAt: claim.expiresAt.toISOString(),
    customerId: order.customerId,
    customerIssuer: order.customerIssuer,
    currency: order.currency,
    total: order.total,
    itemCount: order.itemCount,
    eventId: event.id,
    ...eventOrigin(event),
  };
  (order.items ?? []).forEach((item, i) => {
    values[`item${i}_sku`] = item.sku;
    values[`item${i}_quantity`] = item.quantity;
    values[`item${i}_unit_price`] = item.unitPrice;
    values[`item${i}_line_total`] = item.lineTotal;
  });
  return values;
}

/** What the claim's read gives: the key's record as it is after the claim. */
export interface ClaimRow {
  order_id: string;
  request_hash: string;
  order_snapshot: string | null;
  event_id: string | null;
}

/**
 * The idempotent create, its two statements compiled to SQL text once per item count (building them
 * with Drizzle on every request was the largest part of Drizzle's share of a create in
 * `npm run bench:profile`), their placeholders filled per call, and run as one transaction in one
 * round trip (the driver's `transaction`, as Drizzle's `batch` runs them). Returns the key's record.
 */
export function compiledIdempotentCreate(db: Database) {
  const dialect = new PgDialect();
  const read = dialect.sqlToQuery(readClaim);
  const claims = new Map<number, ReturnType<PgDialect["sqlToQuery"]>>();
  return async (order: Order, claim: IdempotencyClaim, event: EventStamp): Promise<ClaimRow | undefined> => {
    const count = order.items?.length ?? 0;
    let insert = claims.get(count);
    if (!insert) {
      insert = dialect.sqlToQuery(claimAndInsert(count));
      claims.set(count, insert);
    }
    const values = valuesOf(order, claim, event);
    const client = db.$client;
    const [, rows] = (await client.transaction([
      client.query(insert.sql, fillPlaceholders(insert.params, values)),
      client.query(read.sql, fillPlaceholders(read.params, values)),
    ])) as [unknown, ClaimRow[]];
    return rows[0];
  };
}
