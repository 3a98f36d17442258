import { env } from "cloudflare:workers";
import { fillPlaceholders, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createDatabase, createSqlClient, type Database } from "../../src/repositories/database";
import { listOrdersQuery, listParams, shapeOf } from "../../src/repositories/postgres-order-repository";
import type { ListQuery } from "../../src/services/order-repository";
import { freshDatabase } from "../support/database";

const customer = "11111111-1111-4111-8111-111111111111";
let db: Database;
let url: string;

beforeAll(async () => {
  let ownerUrl: string;
  ({ db, url, ownerUrl } = await freshDatabase("plan", 30_000));
  // ANALYZE is the owner's (autovacuum's, in production); the worker's role may not run it.
  const owner = createDatabase({ url: ownerUrl, httpEndpoint: env.DATABASE_HTTP_ENDPOINT, timeoutMs: 30_000 });
  // Enough rows that a sort of all of them would be the planner's choice if the index did not fit.
  await db.execute(sql`
    INSERT INTO orders (id, customer_subject, customer_issuer, status, currency, total, item_count, created_at)
    SELECT gen_random_uuid(), CASE WHEN g % 10 = 0 THEN gen_random_uuid()::text ELSE ${customer} END, '',
           (ARRAY['pending','paid','shipped','cancelled'])[1 + g % 4]::order_status, 'USD', 100, 1,
           now() - g * interval '1 second'
    FROM generate_series(1, 3000) g`);
  await owner.execute(sql`ANALYZE orders`);
});

async function plan(query: ListQuery): Promise<string> {
  // The SQL the repository prepares for this shape, with this query's values filled in.
  const { sql: text, params } = listOrdersQuery(db, shapeOf(query)).toSQL();
  const rows = (await createSqlClient({ url, httpEndpoint: env.DATABASE_HTTP_ENDPOINT, timeoutMs: 30_000 }).query(
    `EXPLAIN ${text}`,
    fillPlaceholders(params, listParams(query)),
  )) as { "QUERY PLAN": string }[];
  return rows.map((r) => r["QUERY PLAN"]).join("\n");
}

describe("the list query's plan", () => {
  it.each([
    ["a customer's first page with items", { customer: { id: customer, issuer: "" }, limit: 51, includeItems: true }],
    [
      "a later page",
      {
        customer: { id: customer, issuer: "" },
        limit: 21,
        includeItems: false,
        after: { createdAt: new Date(), id: customer },
      },
    ],
    [
      "filtered by status",
      { customer: { id: customer, issuer: "" }, status: "paid" as const, limit: 21, includeItems: true },
    ],
    ["everyone's, for an admin", { limit: 21, includeItems: false }],
  ])("reads %s from an index in order, without sorting", async (_label, query) => {
    const text = await plan(query);
    // Everything from the Limit down to the scan of orders: a Sort there would mean every matching
    // order is read and sorted before the page is cut. (Each order's items are sorted by position
    // inside their own aggregate; that is below the scan and bounded by 100.)
    const scan = /Index (Only )?Scan(?: Backward)? using orders_\w+ on orders/.exec(text);
    expect(scan, text).not.toBeNull();
    expect(text.slice(0, scan?.index)).not.toMatch(/\bSort\b/);
  });
});
