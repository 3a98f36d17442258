import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/app-error";
import { type Order, priceItems } from "../../src/domain/order";
import { createDatabase, type Database } from "../../src/repositories/database";
import { createPostgresOrderRepository } from "../../src/repositories/postgres-order-repository";
import { idempotencyKeys, orderItems, orders } from "../../src/repositories/schema";
import type { IdempotencyClaim, OrderRepository } from "../../src/services/order-repository";
import { clearFaults, freshDatabase, injectFaults, serverStats } from "../support/database";

let db: Database;
let repo: OrderRepository;
let dbName: string;

beforeAll(async () => {
  const fresh = await freshDatabase("repo");
  db = fresh.db;
  dbName = fresh.name;
  repo = createPostgresOrderRepository(db);
});

afterEach(() => clearFaults());

let clock = Date.parse("2026-01-01T00:00:00.000Z");
function newOrder(customerId: string, overrides: Partial<Order> = {}): Order {
  const { items, total } = priceItems([
    { sku: "SKU-1", quantity: 2, unitPrice: 1999 },
    { sku: "SKU-2", quantity: 1, unitPrice: 500 },
  ]);
  clock += 1000;
  const createdAt = new Date(clock);
  const order: Order = {
    id: crypto.randomUUID(),
    customerId,
    status: "pending",
    currency: "USD",
    items,
    itemCount: items.length,
    total,
    version: 1,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
  return { ...order, itemCount: order.items?.length ?? 0, updatedAt: order.createdAt };
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
  const claim = (callerId: string, key: string, hash = "a".repeat(64), expiresAt = new Date(clock + 86_400_000)) =>
    ({ callerId, key, requestHash: hash, expiresAt }) satisfies IdempotencyClaim;

  it("stores the record with the order, and answers a second use with the first order, one round trip each", async () => {
    const customer = crypto.randomUUID();
    const first = newOrder(customer);
    let result: Awaited<ReturnType<OrderRepository["create"]>> | undefined;
    expect(await roundTrips(async () => (result = await repo.create(first, claim(customer, "key-1"))))).toBe(1);
    expect(result).toEqual({ kind: "created", order: first });
    const second = newOrder(customer);
    expect(
      await roundTrips(async () => (result = await repo.create(second, claim(customer, "key-1", "b".repeat(64))))),
    ).toBe(1);
    expect(result).toEqual({ kind: "key-taken", record: { requestHash: "a".repeat(64), snapshot: first } });
    expect(await repo.findById(second.id)).toBeNull();
  });

  it("keeps the snapshot as first created, whatever happens to the order later", async () => {
    const customer = crypto.randomUUID();
    const first = newOrder(customer);
    await repo.create(first, claim(customer, "k"));
    await repo.transition({ id: first.id, to: "paid", from: ["pending"] });
    const again = await repo.create(newOrder(customer), claim(customer, "k"));
    expect(again).toEqual({ kind: "key-taken", record: { requestHash: "a".repeat(64), snapshot: first } });
  });

  it("lets exactly one of two racing requests with one key create, and gives the other its order", async () => {
    const customer = crypto.randomUUID();
    const [a, b] = [newOrder(customer), newOrder(customer)];
    const results = await Promise.all([
      repo.create(a, claim(customer, "race")),
      repo.create(b, claim(customer, "race")),
    ]);
    const created = results.filter((r) => r.kind === "created");
    expect(created).toHaveLength(1);
    const winner = created[0]?.kind === "created" ? created[0].order : undefined;
    expect(results.find((r) => r.kind === "key-taken")).toEqual({
      kind: "key-taken",
      record: { requestHash: "a".repeat(64), snapshot: winner },
    });
    const rows = await db.select().from(orders).where(sql`${orders.customerId} = ${customer}`);
    expect(rows).toHaveLength(1);
  });

  it("scopes keys to the caller", async () => {
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    expect((await repo.create(newOrder(a), claim(a, "shared"))).kind).toBe("created");
    expect((await repo.create(newOrder(b), claim(b, "shared"))).kind).toBe("created");
  });

  it("replaces an expired record under the same key", async () => {
    const customer = crypto.randomUUID();
    await repo.create(newOrder(customer), claim(customer, "old", "a".repeat(64), new Date(clock - 1)));
    const again = newOrder(customer);
    expect(await repo.create(again, claim(customer, "old", "b".repeat(64)))).toEqual({ kind: "created", order: again });
    const third = await repo.create(newOrder(customer), claim(customer, "old", "c".repeat(64)));
    expect(third).toEqual({ kind: "key-taken", record: { requestHash: "b".repeat(64), snapshot: again } });
  });

  it("purges expired records oldest first, in batches of the given size, and keeps live ones", async () => {
    const fresh = await freshDatabase("purge");
    const purgeRepo = createPostgresOrderRepository(fresh.db);
    const customer = crypto.randomUUID();
    const base = Date.parse("2026-03-01T00:00:00.000Z");
    for (let i = 0; i < 5; i++) {
      await purgeRepo.create(newOrder(customer), claim(customer, `expired-${i}`, "a".repeat(64), new Date(base + i)));
    }
    await purgeRepo.create(newOrder(customer), claim(customer, "live", "a".repeat(64), new Date(base + 10_000)));
    const before = new Date(base + 5_000);
    expect(await purgeRepo.purgeExpiredIdempotencyRecords(before, 2)).toBe(2);
    const left = async () =>
      (await fresh.db.select({ key: idempotencyKeys.key }).from(idempotencyKeys)).map((r) => r.key).sort();
    expect(await left()).toEqual(["expired-2", "expired-3", "expired-4", "live"]);
    expect(await purgeRepo.purgeExpiredIdempotencyRecords(before, 10)).toBe(3);
    expect(await purgeRepo.purgeExpiredIdempotencyRecords(before, 10)).toBe(0);
    expect(await left()).toEqual(["live"]);
    // The orders stay: only the stored answers expire.
    expect(await fresh.db.select().from(orders)).toHaveLength(6);
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

  it("gives up at the database deadline, and clients with other deadlines keep theirs", async () => {
    const fresh = await freshDatabase("deadline");
    const slow = createPostgresOrderRepository(
      createDatabase({ url: fresh.url, httpEndpoint: env.DATABASE_HTTP_ENDPOINT, timeoutMs: 50 }),
    );
    // A second client (the shared one of this file, deadline 5 s) is created after it: no overwriting.
    await injectFaults({ latencyMs: 1_000, database: fresh.name, times: 1 });
    const err = await slow.findById(crypto.randomUUID()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect((err as AppError).detail).toContain("TimeoutError");
    await injectFaults({ latencyMs: 200, database: dbName, times: 1 });
    await expect(repo.findById(crypto.randomUUID())).resolves.toBeNull();
  });
});
