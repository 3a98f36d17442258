import { getTableColumns, sql } from "drizzle-orm";
import type { Order } from "../domain/order";
import type { EventStamp } from "../domain/order-event";
import { orderItems, orders } from "./schema";

export type OrderRow = typeof orders.$inferSelect;
/** An item as the reads return it: `[sku, quantity, unit_price, line_total]`. */
export type ItemTuple = [string, number, number, number];

/**
 * An order's items, by position, as one JSON array of arrays beside its columns. Mapping these is
 * ours to do in one pass: drizzle's relational queries (`with: { items }`) map every nested field
 * through its column, a large share of a list page's CPU (`npm run bench:profile`). Amounts
 * arrive as JSON numbers, exact because the schema caps them at 2^53 - 1.
 */
export const itemsOfOrder = sql<ItemTuple[]>`coalesce((
  SELECT json_agg(json_build_array(${orderItems.sku}, ${orderItems.quantity}, ${orderItems.unitPrice}, ${orderItems.lineTotal}) ORDER BY ${orderItems.position})
  FROM ${orderItems} WHERE ${orderItems.orderId} = ${orders.id}), '[]'::json)`;

/** An order's columns with its items. */
export const withItems = { ...getTableColumns(orders), items: itemsOfOrder };

export function toOrder(row: OrderRow & { items?: ItemTuple[] }): Order {
  const order: Order = {
    id: row.id,
    customerId: row.customerSubject,
    customerIssuer: row.customerIssuer,
    status: row.status,
    currency: row.currency,
    itemCount: row.itemCount,
    total: row.total,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
  if (row.items) {
    order.items = row.items.map(([sku, quantity, unitPrice, lineTotal]) => ({ sku, quantity, unitPrice, lineTotal }));
  }
  return order;
}

/** Where an event came from, as its row holds it: the request's id and trace context, or nulls. */
export const eventOrigin = (event: EventStamp) => ({
  requestId: event.requestId ?? null,
  traceparent: event.trace?.traceparent ?? null,
  tracestate: event.trace?.tracestate ?? null,
});
