import { describe, expect, it, vi } from "vitest";
import type { Caller } from "../../src/domain/caller";
import type { OrderEvent } from "../../src/domain/order-event";
import type { EventListQuery, EventRepository } from "../../src/services/event-repository";
import { createEventService } from "../../src/services/event-service";
import { emptyOrder } from "../support/orders";

const NOW = Date.parse("2026-12-02T10:00:00Z");
const ADMIN: Caller = { id: "admin-1", issuer: "", role: "admin" };
const CUSTOMER: Caller = { id: "6f1b2c4e-0000-4000-8000-000000000001", issuer: "", role: "customer" };

const event = (id: string, createdAt: number): OrderEvent => ({
  id,
  type: "order.created",
  order: emptyOrder(CUSTOMER.id),
  requestId: null,
  trace: null,
  createdAt: new Date(createdAt),
});

function serviceWith(rows: OrderEvent[]) {
  const list = vi.fn<EventRepository["list"]>(async () => rows);
  const service = createEventService({ repository: { list } as unknown as EventRepository });
  const asked = (): EventListQuery | undefined => list.mock.calls[0]?.[0];
  return { service, asked };
}

describe("the events feed", () => {
  it("shows a customer the events of their own orders only, and an admin everyone's", async () => {
    const mine = serviceWith([]);
    await mine.service.list(CUSTOMER, { limit: 10, direction: "desc" });
    expect(mine.asked()?.customer).toEqual({ id: CUSTOMER.id, issuer: "" });
    const all = serviceWith([]);
    await all.service.list(ADMIN, { limit: 10, direction: "desc" });
    expect(all.asked()).not.toHaveProperty("customer", expect.anything());
  });

  it("newest first: passes the filters on, asks for one more row, and has no next page after the last", async () => {
    const rows = [event("c", NOW - 1_000), event("b", NOW - 2_000), event("a", NOW - 3_000)];
    const after = { createdAt: new Date(NOW), id: "z" };
    const { service, asked } = serviceWith(rows);
    const page = await service.list(ADMIN, {
      limit: 2,
      direction: "desc",
      after,
      type: "order.created",
      orderId: "o-1",
    });
    expect(asked()).toEqual({
      customerId: undefined,
      type: "order.created",
      orderId: "o-1",
      direction: "desc",
      after,
      limit: 3,
    });
    expect(page).toEqual({ items: rows.slice(0, 2), next: { createdAt: new Date(NOW - 2_000), id: "b" } });
    const last = serviceWith(rows.slice(0, 2));
    expect((await last.service.list(ADMIN, { limit: 2, direction: "desc" })).next).toBeNull();
  });

  it("oldest first: the cursor always keeps its place, after the last event seen or where it was", async () => {
    const rows = [event("a", NOW - 30_000), event("b", NOW - 25_000), event("c", NOW - 20_000)];
    const seen = serviceWith(rows);
    expect(await seen.service.list(ADMIN, { limit: 5, direction: "asc" })).toEqual({
      items: rows,
      next: { createdAt: new Date(NOW - 20_000), id: "c" },
    });
    const after = { createdAt: new Date(NOW - 20_000), id: "b" };
    const nothingNew = serviceWith([]);
    expect(await nothingNew.service.list(ADMIN, { limit: 5, direction: "asc", after })).toEqual({
      items: [],
      next: after,
    });
    const fromStart = serviceWith([]);
    expect(await fromStart.service.list(ADMIN, { limit: 5, direction: "asc" })).toEqual({ items: [], next: null });
  });

  it("oldest first: a full page continues after its last event, not after the extra row", async () => {
    const rows = [event("a", NOW - 30_000), event("b", NOW - 25_000), event("c", NOW - 20_000)];
    const { service } = serviceWith(rows);
    const page = await service.list(ADMIN, { limit: 2, direction: "asc" });
    expect(page).toEqual({ items: rows.slice(0, 2), next: { createdAt: new Date(NOW - 25_000), id: "b" } });
  });
});
