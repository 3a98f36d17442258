import { describe, expect, it } from "vitest";
import type { Caller } from "../../src/domain/caller";
import type { OrderEvent } from "../../src/domain/order-event";
import { createEventService } from "../../src/services/event-service";
import { newOrder } from "../support/order-repository-contract";
import { fakeEventRepository } from "./fake-event-repository";
import { fakeOrderRepository } from "./fake-order-repository";

const ADMIN: Caller = { id: "admin-1", issuer: "", role: "admin" };
const CUSTOMER: Caller = { id: "6f1b2c4e-0000-4000-8000-000000000001", issuer: "", role: "customer" };
const OTHER = "6f1b2c4e-0000-4000-8000-000000000002";

/** The feed over the in-memory repositories, and a way to write orders (each with its event) into them. */
function feed() {
  const orders = fakeOrderRepository();
  const service = createEventService({ repository: fakeEventRepository(orders) });
  async function write(customer: string) {
    const order = newOrder(customer);
    const event = { id: crypto.randomUUID() };
    await orders.repository.create(order, undefined, event);
    return { orderId: order.id, id: event.id };
  }
  return { service, orders, write };
}

const ids = (page: { items: OrderEvent[] }) => page.items.map((e) => e.id);
const positionOf = (event: OrderEvent | undefined) => event && { createdAt: event.createdAt, id: event.id };

describe("the events feed", () => {
  it("shows a customer the events of their own orders only, and an admin everyone's", async () => {
    const { service, write } = feed();
    const mine = await write(CUSTOMER.id);
    const theirs = await write(OTHER);
    expect(ids(await service.list(CUSTOMER, { limit: 10, direction: "desc" }))).toEqual([mine.id]);
    expect(ids(await service.list(ADMIN, { limit: 10, direction: "desc" }))).toEqual([theirs.id, mine.id]);
  });

  it("newest first: a page at a time, filtered, with no next page after the last", async () => {
    const { service, orders, write } = feed();
    const [a, b, c] = [await write(CUSTOMER.id), await write(CUSTOMER.id), await write(CUSTOMER.id)];
    const first = await service.list(ADMIN, { limit: 2, direction: "desc" });
    expect(ids(first)).toEqual([c.id, b.id]);
    expect(first.next).toEqual(positionOf(first.items[1]));
    const rest = await service.list(ADMIN, { limit: 2, direction: "desc", after: first.next ?? undefined });
    expect(rest).toMatchObject({ next: null });
    expect(ids(rest)).toEqual([a.id]);

    const change = { id: crypto.randomUUID() };
    await orders.repository.transition({ id: b.orderId, to: "paid", from: ["pending"], event: change });
    const changes = await service.list(ADMIN, { limit: 2, direction: "desc", type: "order.status_changed" });
    expect(ids(changes)).toEqual([change.id]);
    const ofB = await service.list(ADMIN, { limit: 5, direction: "desc", orderId: b.orderId });
    expect(ids(ofB)).toEqual([change.id, b.id]);
  });

  it("oldest first: a full page continues after its last event, and the cursor keeps its place when nothing is new", async () => {
    const { service, write } = feed();
    expect(await service.list(ADMIN, { limit: 5, direction: "asc" })).toEqual({ items: [], next: null });
    const [a, b, c] = [await write(CUSTOMER.id), await write(CUSTOMER.id), await write(CUSTOMER.id)];
    const first = await service.list(ADMIN, { limit: 2, direction: "asc" });
    expect(ids(first)).toEqual([a.id, b.id]);
    expect(first.next).toEqual(positionOf(first.items[1]));
    const rest = await service.list(ADMIN, { limit: 2, direction: "asc", after: first.next ?? undefined });
    expect(ids(rest)).toEqual([c.id]);
    expect(rest.next).toEqual(positionOf(rest.items[0]));
    const after = rest.next ?? undefined;
    expect(await service.list(ADMIN, { limit: 2, direction: "asc", after })).toEqual({ items: [], next: after });
    const d = await write(CUSTOMER.id);
    expect(ids(await service.list(ADMIN, { limit: 2, direction: "asc", after }))).toEqual([d.id]);
  });

  it("reads one event as the feed shows it to the caller: another customer's is NOT_FOUND", async () => {
    const { service, write } = feed();
    const mine = await write(CUSTOMER.id);
    const theirs = await write(OTHER);
    expect(await service.get(CUSTOMER, mine.id)).toMatchObject({ id: mine.id, order: { id: mine.orderId } });
    expect(await service.get(ADMIN, theirs.id)).toMatchObject({ id: theirs.id, order: { id: theirs.orderId } });
    await expect(service.get(CUSTOMER, theirs.id)).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "event not found",
    });
    await expect(service.get(ADMIN, crypto.randomUUID())).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "event not found",
    });
  });
});
