import type { Order } from "../domain/order";

/** The API's Order representation (snake_case, RFC 3339 UTC timestamps, minor-unit integers). */
export type OrderJson = ReturnType<typeof orderJson>;

export function orderJson(order: Order) {
  return {
    id: order.id,
    customer_id: order.customerId,
    status: order.status,
    currency: order.currency,
    ...(order.items
      ? {
          items: order.items.map((i) => ({
            sku: i.sku,
            quantity: i.quantity,
            unit_price: i.unitPrice,
            line_total: i.lineTotal,
          })),
        }
      : {}),
    item_count: order.itemCount,
    total: order.total,
    created_at: order.createdAt.toISOString(),
    updated_at: order.updatedAt.toISOString(),
  };
}
