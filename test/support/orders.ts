import type { Order } from "../../src/domain/order";

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
