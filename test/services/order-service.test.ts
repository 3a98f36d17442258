import { beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/app-error";
import type { Caller } from "../../src/domain/caller";
import type { EventStamp } from "../../src/domain/order-event";
import { createOrderService, IDEMPOTENCY_TTL_MS, type OrderService } from "../../src/services/order-service";
import { ordersIn, rendered } from "../support/orders";
import { fakeOrderRepository } from "./fake-order-repository";

const alice: Caller = { id: "00000000-0000-4000-8000-00000000000a", issuer: "", role: "customer" };
const bob: Caller = { id: "00000000-0000-4000-8000-00000000000b", issuer: "", role: "customer" };
const admin: Caller = { id: "00000000-0000-4000-8000-0000000000ad", issuer: "", role: "admin" };
/** Where a page that ends with this order continues. */
const positionOf = (order?: { created_at: string; id: string }) =>
  order && { createdAt: new Date(order.created_at), id: order.id };

const input = {
  currency: "EUR" as const,
  items: [
    { sku: "A", quantity: 2, unitPrice: 150 },
    { sku: "B", quantity: 1, unitPrice: 99 },
  ],
};
let fake: ReturnType<typeof fakeOrderRepository>;
let service: OrderService;
let clock: number;
let ids: number;

beforeEach(() => {
  fake = fakeOrderRepository();
  clock = Date.parse("2026-11-25T12:00:00.000Z");
  ids = 0;
  service = createOrderService({
    repository: fake.repository,
    now: () => clock,
    newId: () => `00000000-0000-4000-9000-${String(++ids).padStart(12, "0")}`,
  });
});

describe("create", () => {
  it("prices the order on the server and assigns it to the caller", async () => {
    const outcome = await service.create(alice, input);
    expect(outcome.replayed).toBe(false);
    expect(outcome.order).toMatchObject({
      customerId: alice.id,
      status: "pending",
      total: 399,
      itemCount: 2,
      version: 1,
    });
    expect(outcome.order.items?.map((i) => i.lineTotal)).toEqual([300, 99]);
    expect(fake.keys.size).toBe(0);
  });

  it("lets an admin create for a customer, and nobody else", async () => {
    const outcome = await service.create(admin, { ...input, customerId: bob.id });
    expect(outcome.order.customerId).toBe(bob.id);
    await expect(service.create(alice, { ...input, customerId: bob.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("creates for a customer of the admin's own issuer: ours by a UUID however cased, a provider's as written", async () => {
    const ours = await service.create(admin, { ...input, customerId: bob.id.toUpperCase() });
    expect(ours.order).toMatchObject({ customerId: bob.id, customerIssuer: "" });
    const providerAdmin: Caller = { id: "auth0|admin", issuer: "https://idp.example/", role: "admin" };
    const theirs = await service.create(providerAdmin, { ...input, customerId: bob.id.toUpperCase() });
    expect(theirs.order).toMatchObject({ customerId: bob.id.toUpperCase(), customerIssuer: "https://idp.example/" });
    const carol: Caller = { id: bob.id.toUpperCase(), issuer: "https://idp.example/", role: "customer" };
    expect(ordersIn(await service.list(carol, { limit: 10, includeItems: false })).map((o) => o.id)).toEqual([
      theirs.order.id,
    ]);
    expect(ordersIn(await service.list(bob, { limit: 10, includeItems: false })).map((o) => o.id)).toEqual([
      ours.order.id,
    ]);
    await expect(service.get(carol, ours.order.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("replays the order as first created for the same key and body, creating nothing", async () => {
    const first = await service.create(alice, input, "k1");
    await service.setStatus(admin, first.order.id, "paid");
    const second = await service.create(alice, input, "k1");
    expect(second).toEqual({ replayed: true, order: first.order });
    expect(second.order.status).toBe("pending");
    expect(fake.orders.size).toBe(1);
  });

  it("refuses the same key with a different body", async () => {
    await service.create(alice, input, "k1");
    const changed = { ...input, items: [{ sku: "A", quantity: 3, unitPrice: 150 }] };
    await expect(service.create(alice, changed, "k1")).rejects.toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
    });
    await expect(service.create(alice, { ...input, currency: "USD" }, "k1")).rejects.toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
    });
    expect(fake.orders.size).toBe(1);
  });

  it("scopes keys to the caller", async () => {
    await service.create(alice, input, "shared");
    const other = await service.create(bob, input, "shared");
    expect(other.replayed).toBe(false);
    expect(fake.orders.size).toBe(2);
  });

  it("keeps a key for 24 hours, then lets it be used afresh", async () => {
    await service.create(alice, input, "k");
    const [record] = fake.keys.values();
    expect(record?.expiresAt.getTime()).toBe(clock + 24 * 3600 * 1000);
    expect(IDEMPOTENCY_TTL_MS).toBe(86_400_000);
    clock += IDEMPOTENCY_TTL_MS - 1;
    expect((await service.create(alice, input, "k")).replayed).toBe(true);
    clock += 2;
    expect((await service.create(alice, input, "k")).replayed).toBe(false);
  });

  it("answers CONFLICT when the key's first request vanished in between (retry)", async () => {
    fake.repository.create = async () => ({ kind: "key-taken", record: null });
    await expect(service.create(alice, input, "k")).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("answers CONFLICT, not a guess, for a record written before snapshots were stored", async () => {
    const first = await service.create(alice, input, "old");
    fake.repository.create = async () => ({
      kind: "key-taken",
      record: { requestHash: [...fake.keys.values()][0]?.requestHash ?? "", snapshot: null, eventId: null },
    });
    await expect(service.create(alice, input, "old")).rejects.toMatchObject({
      code: "CONFLICT",
      message: "this Idempotency-Key was used before an upgrade and cannot be replayed; use a new key",
    });
    expect(first.replayed).toBe(false);
  });

  it("does not burn a key when the order is refused", async () => {
    const huge = { ...input, items: [{ sku: "A", quantity: 2, unitPrice: Number.MAX_SAFE_INTEGER }] };
    await expect(service.create(alice, huge, "k")).rejects.toMatchObject({
      code: "VALIDATION_ERROR",
    });
    expect((await service.create(alice, input, "k")).replayed).toBe(false);
  });
});

describe("get and list", () => {
  it("shows a customer their own order and hides others' as NOT_FOUND", async () => {
    const created = await service.create(alice, input);
    const id = created.order.id;
    expect(await service.get(alice, id)).toEqual(rendered(created.order));
    expect(await service.get(admin, id)).toEqual(rendered(created.order));
    await expect(service.get(bob, id)).rejects.toMatchObject({ code: "NOT_FOUND", message: "order not found" });
  });

  it("pages with one extra row to know whether more exist", async () => {
    for (let i = 0; i < 5; i++) {
      clock += 1000;
      await service.create(alice, input);
    }
    const first = await service.list(alice, { limit: 2, includeItems: false });
    expect(ordersIn(first)).toHaveLength(2);
    expect(first.next).toEqual(positionOf(ordersIn(first)[1]));
    const second = await service.list(alice, { limit: 2, includeItems: false, after: first.next ?? undefined });
    const third = await service.list(alice, { limit: 2, includeItems: false, after: second.next ?? undefined });
    expect(ordersIn(third)).toHaveLength(1);
    expect(third.next).toBeNull();
    const ids = [first, second, third].flatMap(ordersIn).map((o) => o.id);
    expect(new Set(ids).size).toBe(5);
  });

  it("scopes lists: customers to themselves, admins to anyone or one customer", async () => {
    await service.create(alice, input);
    await service.create(bob, input);
    expect(ordersIn(await service.list(alice, { limit: 10, includeItems: false })).map((o) => o.customer_id)).toEqual([
      alice.id,
    ]);
    expect(ordersIn(await service.list(admin, { limit: 10, includeItems: false }))).toHaveLength(2);
    expect(
      ordersIn(await service.list(admin, { limit: 10, includeItems: false, customerId: bob.id })).map(
        (o) => o.customer_id,
      ),
    ).toEqual([bob.id]);
    await expect(service.list(alice, { limit: 10, includeItems: false, customerId: bob.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});

describe("status changes", () => {
  async function newOrderId(caller = alice) {
    const created = await service.create(caller, input);
    return created.order.id;
  }

  it("cancels pending and paid orders, and nothing else", async () => {
    const pending = await newOrderId();
    expect((await service.cancel(alice, pending)).status).toBe("cancelled");
    await expect(service.cancel(alice, pending)).rejects.toMatchObject({ code: "CONFLICT" });

    const paid = await newOrderId();
    await service.setStatus(admin, paid, "paid");
    expect((await service.cancel(alice, paid)).status).toBe("cancelled");

    const shipped = await newOrderId();
    await service.setStatus(admin, shipped, "paid");
    await service.setStatus(admin, shipped, "shipped");
    await expect(service.cancel(alice, shipped)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("never lets a customer cancel another's order: NOT_FOUND, not FORBIDDEN", async () => {
    const id = await newOrderId();
    await expect(service.cancel(bob, id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(fake.orders.get(id)?.status).toBe("pending");
  });

  it("moves orders forward for admins only, along the machine", async () => {
    const id = await newOrderId();
    await expect(service.setStatus(alice, id, "paid")).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(service.setStatus(admin, id, "shipped")).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await service.setStatus(admin, id, "paid")).version).toBe(2);
    await expect(service.setStatus(admin, id, "paid")).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(service.setStatus(admin, crypto.randomUUID(), "paid")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("honours an expected version: a stale one is PRECONDITION_FAILED", async () => {
    const id = await newOrderId();
    await expect(service.setStatus(admin, id, "paid", 5)).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    expect((await service.setStatus(admin, id, "paid", 1)).status).toBe("paid");
    await expect(service.setStatus(admin, id, "shipped", 1)).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });
});

describe("messages and edges", () => {
  it("stores a SHA-256 hex digest of the request, never the request", async () => {
    await service.create(alice, input, "digest");
    const [record] = fake.keys.values();
    expect(record?.requestHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("hashes every item field: the same key with one quantity changed is a different request", async () => {
    await service.create(alice, input, "items");
    const changed = { ...input, items: [input.items[0], { sku: "B", quantity: 2, unitPrice: 99 }] } as typeof input;
    await expect(service.create(alice, changed, "items")).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    const priced = { ...input, items: [input.items[0], { sku: "B", quantity: 1, unitPrice: 98 }] } as typeof input;
    await expect(service.create(alice, priced, "items")).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    const renamed = { ...input, items: [input.items[0], { sku: "C", quantity: 1, unitPrice: 99 }] } as typeof input;
    await expect(service.create(alice, renamed, "items")).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
  });

  it("hashes the customer an admin creates for: another customer under the same key is a different request", async () => {
    await service.create(admin, { ...input, customerId: alice.id }, "for");
    await expect(service.create(admin, { ...input, customerId: bob.id }, "for")).rejects.toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
    });
  });

  it("says why it refuses", async () => {
    await expect(service.create(alice, { ...input, customerId: bob.id })).rejects.toMatchObject({
      message: "only admins may create orders for another customer",
    });
    await expect(service.list(alice, { limit: 1, includeItems: false, customerId: bob.id })).rejects.toMatchObject({
      message: "only admins may list another customer's orders",
    });
    const { order } = await service.create(alice, input);
    await expect(service.setStatus(alice, order.id, "paid")).rejects.toMatchObject({
      message: "requires the admin role",
    });
    await expect(service.setStatus(admin, order.id, "shipped")).rejects.toMatchObject({
      code: "CONFLICT",
      message: "cannot move a pending order to shipped",
    });
    await service.cancel(alice, order.id);
    await expect(service.cancel(alice, order.id)).rejects.toMatchObject({
      message: "a cancelled order cannot be cancelled",
    });
    fake.repository.create = async () => ({ kind: "key-taken", record: null });
    await expect(service.create(alice, input, "gone")).rejects.toMatchObject({
      message: "a request with this Idempotency-Key is in progress; retry",
    });
  });

  it("cancels only at the expected version: 412 when stale, whatever the status; CONFLICT says where it stands", async () => {
    const { order } = await service.create(alice, input);
    await service.setStatus(admin, order.id, "paid");
    await expect(service.cancel(alice, order.id, 1)).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(JSON.parse((await service.get(alice, order.id)).json).status).toBe("paid");
    expect((await service.cancel(alice, order.id, 2)).version).toBe(3);
    await expect(service.cancel(alice, order.id, 1)).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    await expect(service.cancel(alice, order.id, 3)).rejects.toMatchObject({
      code: "CONFLICT",
      details: { current_status: "cancelled" },
    });
    await expect(service.cancel(bob, order.id, 3)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(service.setStatus(admin, order.id, "shipped")).rejects.toMatchObject({
      code: "CONFLICT",
      details: { current_status: "cancelled" },
    });
  });

  it("answers CONFLICT, not PRECONDITION_FAILED, for a refused move at the expected version", async () => {
    const { order } = await service.create(alice, input);
    await expect(service.setStatus(admin, order.id, "shipped", 1)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("ends a page exactly at the limit with no next position, and points past its last order otherwise", async () => {
    for (let i = 0; i < 4; i++) {
      clock += 1000;
      await service.create(alice, input);
    }
    const exact = await service.list(alice, { limit: 4, includeItems: false });
    expect(ordersIn(exact)).toHaveLength(4);
    expect(exact.next).toBeNull();
    const cut = await service.list(alice, { limit: 3, includeItems: false });
    expect(cut.next).toEqual(positionOf(ordersIn(cut)[2]));
  });

  it("says the outcome is unknown when a write that a retry would repeat may have been applied", async () => {
    const lost = new AppError("SERVICE_UNAVAILABLE", {
      retryAfterMs: 5_000,
      mayHaveApplied: true,
      detail: "orders.x failed",
    });
    const { order } = await service.create(alice, input);
    fake.repository.create = async () => {
      throw lost;
    };
    fake.repository.transition = async () => {
      throw lost;
    };
    const unknown = (message: RegExp) => ({
      code: "OUTCOME_UNKNOWN",
      retryAfterMs: undefined,
      message: expect.stringMatching(message),
      detail: "orders.x failed",
    });
    await expect(service.create(alice, input)).rejects.toMatchObject(
      unknown(/^the order may have been created: list your orders .* send an Idempotency-Key so that a retry is safe$/),
    );
    await expect(service.cancel(alice, order.id)).rejects.toMatchObject(unknown(/read it/));
    await expect(service.setStatus(admin, order.id, "paid")).rejects.toMatchObject(unknown(/read the order/));
    // With a key, a retry replays: the client may retry as told.
    await expect(service.create(alice, input, "key")).rejects.toBe(lost);
    // Nothing can have been applied: the error stands as it is.
    const refused = new AppError("SERVICE_UNAVAILABLE", { retryAfterMs: 5_000 });
    fake.repository.create = async () => {
      throw refused;
    };
    await expect(service.create(alice, input)).rejects.toBe(refused);
  });

  it("treats a repository that claims a key nobody sent as a conflict", async () => {
    fake.repository.create = async () => ({ kind: "key-taken", record: null });
    await expect(service.create(alice, input)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("gives new orders random UUIDs and the current time by default", async () => {
    const real = createOrderService({ repository: fakeOrderRepository().repository });
    const before = Date.now();
    const { order } = await real.create(alice, input);
    expect(order.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(order.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(order.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect((await real.create(alice, input)).order.id).not.toBe(order.id);
  });
});

describe("events", () => {
  let announced: string[];
  beforeEach(() => {
    announced = [];
    service = createOrderService({
      repository: fake.repository,
      now: () => clock,
      announce: (event) => {
        announced.push(event.id);
      },
    });
  });

  it("writes each change's event with the write, with the request's id, and announces it after the commit", async () => {
    const { order } = await service.create(alice, input, "k-events", { requestId: "req-1" });
    await service.setStatus(admin, order.id, "paid", undefined, { requestId: "req-2" });
    await service.cancel(alice, order.id, undefined, { requestId: "req-3" });
    expect(fake.events.map((e) => [e.type, e.orderId, e.requestId])).toEqual([
      ["order.created", order.id, "req-1"],
      ["order.status_changed", order.id, "req-2"],
      ["order.status_changed", order.id, "req-3"],
    ]);
    expect(announced).toEqual(fake.events.map((e) => e.id));
    expect(new Set(announced).size).toBe(3);
  });

  it("hands a replay's event over again (its first request may have stopped before), and a refused key's not", async () => {
    await service.create(alice, input, "k-replay");
    const created = fake.events[0]?.id;
    await service.create(alice, input, "k-replay");
    expect(announced).toEqual([created, created]);
    await expect(service.create(alice, { ...input, currency: "USD" }, "k-replay")).rejects.toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
    });
    expect(announced).toEqual([created, created]);
  });

  it("hands nothing over for a replay whose first request wrote no event (a key from before events)", async () => {
    await service.create(alice, input, "k-before-events");
    announced = [];
    const [first] = [...fake.keys.values()];
    if (!first) throw new Error("the first create stored no key");
    fake.repository.create = async () => ({
      kind: "key-taken",
      record: { requestHash: first.requestHash, snapshot: first.snapshot, eventId: null },
    });
    expect((await service.create(alice, input, "k-before-events")).replayed).toBe(true);
    expect(announced).toEqual([]);
  });

  it("announces a create made without an Idempotency-Key too", async () => {
    const { order } = await service.create(alice, input);
    expect(fake.events.map((e) => [e.type, e.orderId])).toEqual([["order.created", order.id]]);
    expect(announced).toEqual([fake.events[0]?.id]);
  });

  it("stamps each event with the request's trace, and none when the request had none", async () => {
    const stamps: EventStamp[] = [];
    const traced = createOrderService({
      repository: fake.repository,
      announce: (event) => {
        stamps.push(event);
      },
    });
    const trace = { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: "rojo=1" };
    const { order } = await traced.create(alice, input, undefined, { requestId: "req-1", trace });
    await traced.cancel(alice, order.id, undefined, { requestId: "req-2" });
    expect(stamps).toEqual([
      { id: expect.any(String), requestId: "req-1", trace },
      { id: expect.any(String), requestId: "req-2" },
    ]);
  });

  /** Every create and status change fails with `err` after its event was stamped; the stamped ids. */
  const writesFailingWith = (err: AppError) => {
    const stamped: string[] = [];
    fake.repository.create = async (_order, _claim, event) => {
      stamped.push(event.id);
      throw err;
    };
    fake.repository.transition = async ({ event }) => {
      stamped.push(event.id);
      throw err;
    };
    return stamped;
  };

  it("announces the event of a write whose answer was lost, which may have committed it (the fan-out waits for it)", async () => {
    const { order } = await service.create(alice, input);
    announced = [];
    const lost = new AppError("SERVICE_UNAVAILABLE", { mayHaveApplied: true });
    const stamped = writesFailingWith(lost);
    await expect(service.create(alice, input)).rejects.toMatchObject({ code: "OUTCOME_UNKNOWN" });
    await expect(service.create(alice, input, "k-lost")).rejects.toBe(lost);
    await expect(service.cancel(alice, order.id)).rejects.toMatchObject({ code: "OUTCOME_UNKNOWN" });
    await expect(service.setStatus(admin, order.id, "paid")).rejects.toMatchObject({ code: "OUTCOME_UNKNOWN" });
    expect(stamped).toHaveLength(4);
    expect(announced).toEqual(stamped);
  });

  it("announces the event of a write its request gave up on after sending it, and lets the cancellation stand", async () => {
    const { order } = await service.create(alice, input);
    announced = [];
    const cut = new AppError("SERVICE_UNAVAILABLE", { cancelled: true, mayHaveApplied: true });
    const stamped = writesFailingWith(cut);
    // The request is over (answered 504, or its client gone): no OUTCOME_UNKNOWN for anyone to read.
    await expect(service.create(alice, input)).rejects.toBe(cut);
    await expect(service.create(alice, input, "k-cut")).rejects.toBe(cut);
    await expect(service.cancel(alice, order.id)).rejects.toBe(cut);
    await expect(service.setStatus(admin, order.id, "paid")).rejects.toBe(cut);
    expect(stamped).toHaveLength(4);
    expect(announced).toEqual(stamped);
    // Cancelled before it was sent: nothing can have been applied, nothing is announced.
    const unsent = new AppError("SERVICE_UNAVAILABLE", { cancelled: true });
    fake.repository.create = async () => {
      throw unsent;
    };
    await expect(service.create(alice, input)).rejects.toBe(unsent);
    expect(announced).toEqual(stamped);
  });

  it("announces no new event for a replay (only its first again), a refused change or a failed write", async () => {
    const { order } = await service.create(alice, input, "k-once");
    await service.create(alice, input, "k-once");
    await service.cancel(alice, order.id);
    await expect(service.cancel(alice, order.id)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(service.setStatus(admin, order.id, "paid", 1)).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    await expect(service.cancel(bob, order.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    fake.repository.create = async () => {
      throw new AppError("SERVICE_UNAVAILABLE");
    };
    await expect(service.create(alice, input)).rejects.toBeInstanceOf(AppError);
    const [created, cancelled] = fake.events.map((e) => e.id);
    expect(fake.events).toHaveLength(2);
    expect(announced).toEqual([created, created, cancelled]);
  });
});
