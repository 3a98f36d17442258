import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgConnection } from "../../../scripts/migrations/connections.ts";
import { runMigrations } from "../../../scripts/migrations/migrator.ts";
import { setWorkerTimeouts, WorkerRoleError } from "../../../scripts/migrations/worker-role.ts";

/**
 * A write the worker has given up on does not commit later: the worker's role has DB_TIMEOUT_MS as its
 * statement and lock timeouts (set by every release), so a statement waiting on a row lock held past
 * that is stopped by the database. On PostgreSQL (TEST_DATABASE_URL), where a role logs in as Neon's
 * endpoint logs the worker's in. Roles are the cluster's, and releases tested beside this one set the
 * worker's: this test gives a role of its own the worker's grants on orders.
 */
const postgresUrl = process.env.TEST_DATABASE_URL;
const database = `ot_timeouts_${process.pid}`;
const urlAs = (user: string) => {
  const url = new URL(postgresUrl ?? "postgres://localhost/x");
  url.pathname = `/${database}`;
  url.username = user;
  return url.toString();
};
let admin: pg.Client;
const ROLE = `ot_timeouts_${process.pid}`;

beforeAll(async () => {
  if (!postgresUrl) return;
  admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.query(`DROP ROLE IF EXISTS ${ROLE}`);
  await admin.query(`CREATE ROLE ${ROLE} LOGIN`);
  const owner = new pg.Client({ connectionString: urlAs(new URL(postgresUrl).username || "postgres") });
  await owner.connect();
  await runMigrations(pgConnection(owner), "migrations");
  await owner.query(`GRANT USAGE ON SCHEMA public TO ${ROLE}`);
  await owner.query(`GRANT SELECT, UPDATE ON orders TO ${ROLE}`);
  await owner.end();
}, 60_000);
afterAll(async () => {
  if (!postgresUrl) return;
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.query(`DROP ROLE IF EXISTS ${ROLE}`);
  await admin.end();
});

describe("the worker's statement and lock timeouts", () => {
  it("refuse a timeout outside 1 ms – 10 min before changing anything", async () => {
    const connection = { transaction: async () => {}, scalar: async () => undefined };
    await expect(setWorkerTimeouts(connection, 0)).rejects.toThrow(WorkerRoleError);
    await expect(setWorkerTimeouts(connection, 1.5)).rejects.toThrow(WorkerRoleError);
  });

  it.runIf(postgresUrl)("stop a write waiting on a row lock held past them: it never commits", async () => {
    const owner = new pg.Client({ connectionString: urlAs(new URL(postgresUrl ?? "").username || "postgres") });
    await owner.connect();
    await setWorkerTimeouts(pgConnection(owner), 300, ROLE);
    const id = crypto.randomUUID();
    await owner.query(
      "INSERT INTO orders (id, customer_subject, customer_issuer, currency, total, item_count) VALUES ($1, 'someone', '', 'USD', 100, 1)",
      [id],
    );
    // Another transaction holds the order's row, as a concurrent change does.
    await owner.query("BEGIN");
    await owner.query("SELECT id FROM orders WHERE id = $1 FOR UPDATE", [id]);
    const worker = new pg.Client({ connectionString: urlAs(ROLE) });
    await worker.connect();
    try {
      const cancel = worker.query("UPDATE orders SET status = 'cancelled' WHERE id = $1", [id]);
      await expect(cancel).rejects.toMatchObject({ code: expect.stringMatching(/^(55P03|57014)$/) });
      await owner.query("COMMIT");
      const { rows } = await owner.query("SELECT status FROM orders WHERE id = $1", [id]);
      expect(rows).toEqual([{ status: "pending" }]);
    } finally {
      await worker.end();
      await owner.end();
    }
  });
});
