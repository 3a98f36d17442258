import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/app-error";
import { priceItems } from "../../src/domain/order";
import { createDatabase, type Database } from "../../src/repositories/database";
import { createPostgresOrderRepository } from "../../src/repositories/postgres-order-repository";
import { orderItems, orders } from "../../src/repositories/schema";
import type { OrderRepository } from "../../src/services/order-repository";
import { clearFaults, freshDatabase, injectFaults, serverStats } from "../support/database";
import {
  newOrder,
  orderRepositoryContract,
  type StampedRepository,
  stamped,
} from "../support/order-repository-contract";

orderRepositoryContract("Postgres (Drizzle over the Neon HTTP driver)", async () =>
  createPostgresOrderRepository((await freshDatabase("contract")).db),
);

let db: Database;
let repo: StampedRepository;
let dbName: string;

beforeAll(async () => {
  const fresh = await freshDatabase("repo");
  db = fresh.db;
  dbName = fresh.name;
  repo = stamped(createPostgresOrderRepository(db));
});

afterEach(() => clearFaults());

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
      version: 1,
      json: JSON.stringify({
        id: input.id,
        customer_id: customer,
        status: "pending",
        currency: "USD",
        items: [
          { sku: "SKU-1", quantity: 2, unit_price: 1999, line_total: 3998 },
          { sku: "SKU-2", quantity: 1, unit_price: 500, line_total: 500 },
        ],
        item_count: 2,
        total: 4498,
        created_at: input.createdAt.toISOString(),
        updated_at: input.createdAt.toISOString(),
      }),
    });
  });

  it("keeps amounts beyond 32 bits exact", async () => {
    const { items, total } = priceItems(
      Array.from({ length: 100 }, (_, i) => ({ sku: `BIG-${i}`, quantity: 1000, unitPrice: 100_000_000 })),
    );
    const input = newOrder(crypto.randomUUID(), { items, total });
    await repo.create(input);
    expect(JSON.parse((await repo.findById(input.id))?.json ?? "null").total).toBe(10_000_000_000_000);
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
