import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SqlServer } from "../../dev/sql-server/server.ts";
import { createDatabase } from "../../src/repositories/database.ts";
import { createPostgresEventRepository } from "../../src/repositories/postgres-event-repository.ts";
import { createPostgresOrderRepository } from "../../src/repositories/postgres-order-repository.ts";
import type { EventRepository } from "../../src/services/event-repository.ts";
import type { ListPosition } from "../../src/services/keyset-page.ts";
import type { OrderRepository } from "../../src/services/order-repository.ts";
import { startTestSqlServer } from "../support/node/sql-server.ts";
import { newOrder } from "../support/order-repository-contract.ts";

/**
 * The forward feed's guarantee, against the repository over the HTTP driver: a reader paging forward
 * from any cursor collects every committed event exactly once, whatever commits late. On PostgreSQL
 * (TEST_DATABASE_URL) a second connection holds a transaction open, as a write waiting on a row lock
 * does; PGlite is one session, where the concurrent writers are the case that applies.
 */
const postgresUrl = process.env.TEST_DATABASE_URL;
const database = `ot_commit_order_${process.pid}`;
let server: SqlServer;
let events: EventRepository;
let orders: OrderRepository;

beforeAll(async () => {
  server = await startTestSqlServer({ migrationsFolder: "migrations" });
  const db = createDatabase({
    url: `postgres://order_service_app:test@localhost/${database}`,
    httpEndpoint: server.url,
    timeoutMs: 30_000,
  });
  events = createPostgresEventRepository(db);
  orders = createPostgresOrderRepository(db);
}, 60_000);
afterAll(() => server.close());

/**
 * Polls until `count` events more are shown, and returns them. An event shows once every transaction
 * before it on the server has finished, in any database: those of the files run beside this one
 * (maxWorkers, vitest.config.ts) can hold the last ones back for a poll or two.
 */
async function pollFor(feed: ReturnType<typeof reader>, count: number): Promise<string[]> {
  const shown: string[] = [];
  await vi.waitFor(
    async () => {
      shown.push(...(await feed.poll()));
      if (shown.length < count) throw new Error(`${shown.length} of ${count} shown`);
    },
    { timeout: 30_000, interval: 50 },
  );
  return shown;
}

/** A forward reader: pages from its cursor until it is caught up, and keeps its place. */
function reader() {
  let after: ListPosition | undefined;
  const seen: string[] = [];
  return {
    seen,
    async poll(): Promise<string[]> {
      const read: string[] = [];
      for (;;) {
        const page = await events.list({ direction: "asc", limit: 7, after });
        if (page.length === 0) return read;
        const last = page.at(-1);
        if (last) after = { createdAt: last.createdAt, id: last.id };
        read.push(...page.map((e) => e.id));
        seen.push(...page.map((e) => e.id));
      }
    },
  };
}

const create = async () => {
  const event = crypto.randomUUID();
  await orders.create(newOrder(crypto.randomUUID()), undefined, { id: event });
  return event;
};

describe("the forward feed", () => {
  it("collects every event of concurrent writers exactly once, while they write", async () => {
    const feed = reader();
    await feed.poll();
    const before = feed.seen.length;
    let writing = true;
    const polling = (async () => {
      while (writing) await feed.poll();
    })();
    const written = (await Promise.all([0, 1, 2, 3].map(() => Promise.all(Array.from({ length: 15 }, create))))).flat();
    writing = false;
    await polling;
    await pollFor(feed, written.length - (feed.seen.length - before));
    const collected = feed.seen.slice(before);
    expect(new Set(collected).size).toBe(collected.length);
    expect([...collected].sort()).toEqual([...written].sort());
  });

  it.runIf(postgresUrl)(
    "shows nothing behind a transaction still open, then its event before the later one, once each",
    async () => {
      const feed = reader();
      await feed.poll();
      const url = new URL(postgresUrl ?? "");
      url.pathname = `/${database}`;
      const held = new pg.Client({ connectionString: url.toString() });
      await held.connect();
      try {
        // As a write waiting on a row lock: its transaction began, and its event is written, uncommitted.
        const order = newOrder(crypto.randomUUID());
        const late = crypto.randomUUID();
        await held.query("BEGIN");
        await held.query(
          "INSERT INTO orders (id, customer_subject, customer_issuer, currency, total, item_count, created_at, updated_at) VALUES ($1, $2, '', 'USD', 100, 1, $3, $3)",
          [order.id, order.customerId, order.createdAt],
        );
        await held.query(
          "INSERT INTO order_events (id, type, order_id, customer_subject, customer_issuer, order_version, status, created_at) VALUES ($1, 'order.created', $2, $3, '', 1, 'pending', $4)",
          [late, order.id, order.customerId, order.createdAt],
        );
        const committedFirst = await create();
        // Committed, but behind a transaction still running: not shown yet, and the cursor stays put.
        expect(await feed.poll()).toEqual([]);
        await held.query("COMMIT");
        expect(await pollFor(feed, 2)).toEqual([late, committedFirst]);
        expect(await feed.poll()).toEqual([]);
      } finally {
        await held.end();
      }
    },
  );
});
