import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/app-error";
import { priceItems } from "../../src/domain/order";
import { createDatabase, type Database } from "../../src/repositories/database";
import { createOrderRepository } from "../../src/repositories/order-repository";
import { orderItems, orders } from "../../src/repositories/schema";
import type { NewOrder, OrderRepository } from "../../src/services/order-repository";
import { clearFaults, freshDatabase, injectFaults, serverStats } from "../support/database";

let db: Database;
let repo: OrderRepository;
let dbName: string;

beforeAll(async () => {
  const fresh = await freshDatabase("repo");
  db = fresh.db;
  dbName = fresh.name;
  repo = createOrderRepository(db);
});

afterEach(() => clearFaults());

let clock = Date.parse("2026-01-01T00:00:00.000Z");
function newOrder(customerId: string, overrides: Partial<NewOrder> = {}): NewOrder {
  const { items, total } = priceItems([
    { sku: "SKU-1", quantity: 2, unitPrice: 1999 },
    { sku: "SKU-2", quantity: 1, unitPrice: 500 },
  ]);
  clock += 1000;
  return {
    id: crypto.randomUUID(),
    customerId,
    currency: "USD",
    items,
    total,
    createdAt: new Date(clock),
    ...overrides,
  };
}

async function roundTrips(work: () => Promise<unknown>): Promise<number> {
  const before = (await serverStats()).byDatabase[dbName]?.roundTrips ?? 0;
  await work();
  return ((await serverStats()).byDatabase[dbName]?.roundTrips ?? 0) - before;
}

describe("create and find", () => {
  it("stores an order with its items in one round trip and reads it back in one", async () => {
    const customer = crypto.randomUUID();
    const input = newOrder(customer);
    let created: Awaited<ReturnType<OrderRepository["create"]>> | undefined;
    expect(await roundTrips(async () => (created = await repo.create(input)))).toBe(1);
    expect(created).toMatchObject({ kind: "created", order: { id: input.id, status: "pending", version: 1 } });

    let found: Awaited<ReturnType<OrderRepository["findById"]>> = null;
    expect(await roundTrips(async () => (found = await repo.findById(input.id)))).toBe(1);
    expect(found).toEqual({
      id: input.id,
      customerId: customer,
      status: "pending",
      currency: "USD",
      items: [
        { sku: "SKU-1", quantity: 2, unitPrice: 1999, lineTotal: 3998 },
        { sku: "SKU-2", quantity: 1, unitPrice: 500, lineTotal: 500 },
      ],
      itemCount: 2,
      total: 4498,
      version: 1,
      createdAt: input.createdAt,
      updatedAt: input.createdAt,
    });
  });

  it("hides another customer's order", async () => {
    const input = newOrder(crypto.randomUUID());
    await repo.create(input);
    expect(await repo.findById(input.id, crypto.randomUUID())).toBeNull();
    expect(await repo.findById(input.id, input.customerId)).not.toBeNull();
    expect(await repo.findById(crypto.randomUUID())).toBeNull();
  });

  it("keeps amounts beyond 32 bits exact", async () => {
    const { items, total } = priceItems(
      Array.from({ length: 100 }, (_, i) => ({ sku: `BIG-${i}`, quantity: 1000, unitPrice: 100_000_000 })),
    );
    const input = newOrder(crypto.randomUUID(), { items, total });
    await repo.create(input);
    expect((await repo.findById(input.id))?.total).toBe(10_000_000_000_000);
  });

  it("answers a duplicate id with CONFLICT", async () => {
    const input = newOrder(crypto.randomUUID());
    await repo.create(input);
    await expect(repo.create(input)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("leaves nothing behind when the second statement of the batch fails", async () => {
    const input = newOrder(crypto.randomUUID());
    // Quantity 0 violates order_items' CHECK: the items insert fails after the order insert ran.
    const bad = { ...input, items: [{ sku: "SKU-1", quantity: 0, unitPrice: 1, lineTotal: 0 }] };
    const err = await repo.create(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "VALIDATION_ERROR" });
    expect(JSON.stringify({ message: (err as AppError).message })).not.toContain("order_items");
    const rows = await db.select().from(orders).where(sql`${orders.id} = ${input.id}`);
    expect(rows).toEqual([]);
    const items = await db.select().from(orderItems).where(sql`${orderItems.orderId} = ${input.id}`);
    expect(items).toEqual([]);
  });
});

describe("idempotency records", () => {
  const record = (customerId: string, key: string, hash = "a".repeat(64)) => ({
    customerId,
    key,
    requestHash: hash,
    responseStatus: 201,
    responseBody: { data: { id: "x" } },
    expiresAt: new Date(clock + 86_400_000),
  });

  it("stores the record with the order and reports a second use of the key", async () => {
    const customer = crypto.randomUUID();
    const first = newOrder(customer);
    expect(await roundTrips(() => repo.create(first, record(customer, "key-1")))).toBe(1);
    expect(await repo.findIdempotencyRecord(customer, "key-1")).toMatchObject({
      requestHash: "a".repeat(64),
      responseStatus: 201,
      responseBody: { data: { id: "x" } },
    });
    const second = newOrder(customer);
    expect(await repo.create(second, record(customer, "key-1"))).toEqual({ kind: "duplicate-key" });
    expect(await repo.findById(second.id)).toBeNull();
  });

  it("scopes keys to the caller", async () => {
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    expect((await repo.create(newOrder(a), record(a, "shared"))).kind).toBe("created");
    expect((await repo.create(newOrder(b), record(b, "shared"))).kind).toBe("created");
  });

  it("replaces an expired record under the same key", async () => {
    const customer = crypto.randomUUID();
    const expired = { ...record(customer, "old"), expiresAt: new Date(clock - 1) };
    await repo.create(newOrder(customer), expired);
    const again = newOrder(customer);
    expect((await repo.create(again, record(customer, "old", "b".repeat(64)))).kind).toBe("created");
    expect((await repo.findIdempotencyRecord(customer, "old"))?.requestHash).toBe("b".repeat(64));
  });
});

describe("list", () => {
  it("pages newest first by (created_at, id) with no duplicates or gaps, in one round trip a page", async () => {
    const customer = crypto.randomUUID();
    const created: string[] = [];
    const sameInstant = new Date(clock + 500_000);
    for (let i = 0; i < 12; i++) {
      // Half share one timestamp, so the id must break ties.
      const input = newOrder(customer, i % 2 ? { createdAt: sameInstant } : {});
      await repo.create(input);
      created.push(input.id);
    }
    const seen: string[] = [];
    let after: { createdAt: Date; id: string } | undefined;
    for (;;) {
      let page: Awaited<ReturnType<OrderRepository["list"]>> = [];
      expect(
        await roundTrips(
          async () => (page = await repo.list({ customerId: customer, limit: 5, after, includeItems: false })),
        ),
      ).toBe(1);
      seen.push(...page.map((o) => o.id));
      const last = page.at(-1);
      if (page.length < 5 || !last) break;
      after = { createdAt: last.createdAt, id: last.id };
    }
    expect(seen).toHaveLength(12);
    expect(new Set(seen)).toEqual(new Set(created));
    const all = await repo.list({ customerId: customer, limit: 100, includeItems: false });
    for (let i = 1; i < all.length; i++) {
      const [prev, cur] = [all[i - 1], all[i]];
      if (!prev || !cur) continue;
      const ordered =
        prev.createdAt > cur.createdAt || (prev.createdAt.getTime() === cur.createdAt.getTime() && prev.id > cur.id);
      expect(ordered).toBe(true);
    }
  });

  it("includes items only when asked, and filters by status and customer", async () => {
    const customer = crypto.randomUUID();
    const a = newOrder(customer);
    const b = newOrder(customer);
    await repo.create(a);
    await repo.create(b);
    await repo.create(newOrder(crypto.randomUUID()));
    await repo.transition({ id: a.id, to: "paid", from: ["pending"] });

    const bare = await repo.list({ customerId: customer, limit: 10, includeItems: false });
    expect(bare.map((o) => o.id)).toEqual([b.id, a.id]);
    expect(bare[0]).not.toHaveProperty("items");

    const withItems = await repo.list({ customerId: customer, limit: 10, includeItems: true });
    expect(withItems[0]?.items).toHaveLength(2);

    const paid = await repo.list({ customerId: customer, status: "paid", limit: 10, includeItems: false });
    expect(paid.map((o) => o.id)).toEqual([a.id]);
  });
});

describe("transition", () => {
  it("changes status under its guard and returns the new row with items, in one round trip", async () => {
    const input = newOrder(crypto.randomUUID());
    await repo.create(input);
    let result: Awaited<ReturnType<OrderRepository["transition"]>> | undefined;
    const trips = await roundTrips(async () => {
      result = await repo.transition({
        id: input.id,
        customerId: input.customerId,
        to: "paid",
        from: ["pending"],
        expectedVersion: 1,
      });
    });
    expect(trips).toBe(1);
    expect(result?.updated).toMatchObject({ status: "paid", version: 2 });
    expect(result?.updated?.items).toHaveLength(2);
    expect(result?.updated?.updatedAt.getTime()).toBeGreaterThanOrEqual(input.createdAt.getTime());
  });

  it("reports the current row when the status guard, version or owner does not hold", async () => {
    const input = newOrder(crypto.randomUUID());
    await repo.create(input);
    const wrongStatus = await repo.transition({ id: input.id, to: "shipped", from: ["paid"] });
    expect(wrongStatus.updated).toBeNull();
    expect(wrongStatus.current).toMatchObject({ status: "pending", version: 1 });

    const stale = await repo.transition({ id: input.id, to: "paid", from: ["pending"], expectedVersion: 7 });
    expect(stale.updated).toBeNull();
    expect(stale.current?.version).toBe(1);

    const stranger = await repo.transition({
      id: input.id,
      customerId: crypto.randomUUID(),
      to: "cancelled",
      from: ["pending"],
    });
    expect(stranger).toEqual({ updated: null, current: null });

    expect(await repo.transition({ id: crypto.randomUUID(), to: "paid", from: ["pending"] })).toEqual({
      updated: null,
      current: null,
    });
  });
});

describe("failures of the database", () => {
  it("maps a dropped connection to SERVICE_UNAVAILABLE", async () => {
    await injectFaults({ drop: true, database: dbName });
    await expect(repo.findById(crypto.randomUUID())).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
  });

  it("maps an HTTP 503 from the SQL endpoint to SERVICE_UNAVAILABLE", async () => {
    await injectFaults({ status: 503, database: dbName });
    await expect(repo.findById(crypto.randomUUID())).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
  });

  it("gives up at the database deadline", async () => {
    const fresh = await freshDatabase("deadline");
    // The driver's deadline is per isolate: tighten it for this test, then put it back.
    const slow = createOrderRepository(
      createDatabase({ url: fresh.url, httpEndpoint: env.DATABASE_HTTP_ENDPOINT, timeoutMs: 300 }),
    );
    try {
      await injectFaults({ latencyMs: 2_000, database: fresh.name });
      const started = Date.now();
      await expect(slow.findById(crypto.randomUUID())).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      createDatabase({ url: fresh.url, httpEndpoint: env.DATABASE_HTTP_ENDPOINT, timeoutMs: 5_000 });
    }
  });
});
