import { neon, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WORKER_ROLE } from "../../../dev/sql-server/backend.ts";
import type { SqlServer } from "../../../dev/sql-server/server.ts";
import { startTestSqlServer } from "../../support/node/sql-server.ts";

/**
 * The two database roles, on the real migrations: the schema owner migrates; the worker's role
 * (migrations/0003_worker_role.sql) reads and writes rows and nothing else. On PGlite, and on
 * PostgreSQL when TEST_DATABASE_URL is set, where privileges are checked as Neon checks them.
 */
let server: SqlServer;
const database = `ot_roles_${process.pid}`;

beforeAll(async () => {
  server = await startTestSqlServer({ migrationsFolder: "migrations" });
  neonConfig.fetchEndpoint = server.url;
});
afterAll(() => server.close());

const worker = () => neon(`postgres://${WORKER_ROLE}:pw@localhost/${database}`);

describe("the worker's database role", () => {
  it("reads and writes rows", async () => {
    const sql = worker();
    const id = crypto.randomUUID();
    await sql.query(
      "INSERT INTO orders (id, customer_subject, customer_issuer, currency, total, item_count) VALUES ($1, $2, '', 'USD', 100, 1)",
      [id, crypto.randomUUID()],
    );
    await sql.query("UPDATE orders SET status = 'paid' WHERE id = $1", [id]);
    expect(await sql.query("SELECT status FROM orders WHERE id = $1", [id])).toEqual([{ status: "paid" }]);
    await sql.query("DELETE FROM orders WHERE id = $1", [id]);
    expect(await sql.query("SELECT current_user AS who")).toEqual([{ who: WORKER_ROLE }]);
  });

  it.each([
    ["DROP TABLE", "DROP TABLE orders", /must be owner of table orders/],
    ["ALTER TABLE", "ALTER TABLE orders ADD COLUMN note text", /must be owner of table orders/],
    ["CREATE TABLE", "CREATE TABLE mine (id int)", /permission denied for schema public/],
    ["TRUNCATE", "TRUNCATE orders CASCADE", /permission denied for table/],
    [
      "read the migration journal",
      'SELECT * FROM "drizzle"."__drizzle_migrations"',
      /permission denied for schema drizzle/,
    ],
  ])("cannot %s", async (_label, statement, refusal) => {
    await expect(worker().query(statement)).rejects.toThrow(refusal);
  });

  it("and the schema owner still can: the refusals are the role's, not the database's", async () => {
    const owner = neon(`postgres://owner:pw@localhost/${database}`);
    expect(await owner.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'orders'")).toEqual([
      { n: 1 },
    ]);
    await owner.query("CREATE TABLE owned_here (id int)");
    await owner.query("DROP TABLE owned_here");
  });
});
