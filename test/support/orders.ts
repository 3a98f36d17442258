import type { Order } from "../../src/domain/order";
import { type OrderJson, orderJson } from "../../src/handlers/order-json";
import type { ListPosition } from "../../src/services/keyset-page";
import type { RenderedOrder, RenderedPage } from "../../src/services/order-repository";

/** A pending order with no items, owned by `customerId`: what a mocked service returns to auth tests. */
export const emptyOrder = (customerId: string): Order => ({
  id: "5d2f1c3b-0000-4000-8000-000000000001",
  customerId,
  customerIssuer: "",
  status: "pending",
  currency: "USD",
  items: [],
  itemCount: 0,
  total: 0,
  version: 1,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

/**
 * The order as a read returns it: the API's representation as `orderJson` writes it, which the database's
 * rendering must equal byte for byte (with items, or without the key when a list leaves them out).
 */
export function rendered(order: Order, { includeItems = true } = {}): RenderedOrder {
  const { items, ...rest } = order;
  return {
    version: order.version,
    json: JSON.stringify(orderJson(includeItems ? { ...rest, items: items ?? [] } : rest)),
  };
}

/** A page as a list returns it: these orders' JSON array, as `orderJson` writes each. */
export const renderedPage = (
  orders: Order[],
  { includeItems = true, next = null }: { includeItems?: boolean; next?: ListPosition | null } = {},
): RenderedPage => ({ json: `[${orders.map((o) => rendered(o, { includeItems }).json).join(",")}]`, next });

/** The orders of a rendered page, parsed. */
export const ordersIn = (page: RenderedPage): OrderJson[] => JSON.parse(page.json);
