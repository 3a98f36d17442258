import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlServer } from "../../../dev/sql-server/server.ts";
import { httpConnection } from "../../../scripts/migrations/connections.ts";
import { runMigrations } from "../../../scripts/migrations/migrator.ts";
import { migrationsUpTo } from "../../support/node/migrations-up-to.ts";
import { startTestSqlServer } from "../../support/node/sql-server.ts";

/**
 * The end of the move from customer_id to customer_subject (0009–0012) on the real migrations, as a
 * deployment lives through it: a database at 0008 holding rows of the versions before, then the release
 * that ships 0009 (the contract step 0012 waits), then the release after it. On PGlite, and on PostgreSQL
 * when TEST_DATABASE_URL is set.
 */
let server: SqlServer;

beforeAll(async () => {
  server = await startTestSqlServer();
});
afterAll(() => server.close());

const ALICE = "11111111-1111-4111-8111-111111111111";
const BOB = "22222222-2222-4222-8222-222222222222";

describe("the customer subject's contract step", () => {
  it("waits a release after 0009, then leaves every order its subject and customer_id gone", async () => {
    const url = `postgres://owner:pw@localhost/ot_subject_${process.pid}`;
    const connect = () => httpConnection(url, server.url);
    const run = async (statement: string, params: string[] = []) => connect().scalar({ query: statement, params });
    const order = (id: string, columns: string, values: string) =>
      run(
        `INSERT INTO orders (id, ${columns}, currency, total, item_count) VALUES ('${id}', ${values}, 'USD', 100, 1)`,
      );
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];

    expect((await runMigrations(connect(), migrationsUpTo("0008_idempotency_one_unique_key"))).after).toBe(9);
    // The version before 0004 writes customer_id only (0004's trigger fills the subject); the version
    // before 0009 writes both, and its idempotency records carry customer_id and the response columns.
    await order(ids[0] ?? "", "customer_id", `'${ALICE}'`);
    await order(ids[1] ?? "", "customer_id, customer_subject", `'${BOB}', '${BOB}'`);
    await run(
      `INSERT INTO idempotency_keys (customer_subject, customer_id, key, request_hash, order_id, response_status, expires_at)
       VALUES ('${BOB}', '${BOB}', 'k1', 'h', '${ids[1]}', NULL, now() + interval '1 day')`,
    );

    // The release that ships 0009: the version before it still serves, so its columns stay.
    // migrations/ up to 0015: the story of this move, told without the migrations after it.
    const folder = migrationsUpTo("0015_webhook_previous_secrets");
    const release = await runMigrations(connect(), folder);
    expect(release.applied).toEqual([
      "0009_customer_subject_not_null_check",
      "0010_customer_subject_check_validated",
      "0011_customer_id_indexes_dropped",
    ]);
    // The contract step waits, and every migration after it, to keep their order.
    expect(release.deferred).toEqual([
      "0012_customer_id_dropped",
      "0013_event_commit_order",
      "0014_event_commit_order_index",
      "0015_webhook_previous_secrets",
    ]);
    await order(ids[2] ?? "", "customer_id", `'${ALICE}'`);
    await order(ids[3] ?? "", "customer_subject", "'auth0|carol'");
    await expect(order(crypto.randomUUID(), "customer_subject", "NULL")).rejects.toThrow(
      /orders_customer_subject_not_null/,
    );

    // The release after it.
    const next = await runMigrations(connect(), folder);
    expect(next.applied).toEqual([
      "0012_customer_id_dropped",
      "0013_event_commit_order",
      "0014_event_commit_order_index",
      "0015_webhook_previous_secrets",
    ]);
    expect(next.deferred).toEqual([]);
    expect(
      await run(
        "SELECT string_agg(table_name || '.' || column_name || ':' || is_nullable, ',' ORDER BY table_name) " +
          "FROM information_schema.columns WHERE column_name IN ('customer_id', 'customer_subject', 'response_status', 'response_body') " +
          "AND table_name IN ('orders', 'idempotency_keys')",
      ),
    ).toBe("idempotency_keys.customer_subject:NO,orders.customer_subject:NO");
    expect(await run("SELECT count(*)::int FROM pg_trigger WHERE tgname LIKE '%customer_subject%'")).toBe(0);
    expect(
      await run(`SELECT string_agg(customer_subject, ',' ORDER BY array_position($1::uuid[], id)) FROM orders`, [
        `{${ids.join(",")}}`,
      ]),
    ).toBe(`${ALICE},${BOB},${ALICE},auth0|carol`);
    expect(await run("SELECT order_id::text FROM idempotency_keys WHERE customer_subject = $1", [BOB])).toBe(ids[1]);
  });
});
