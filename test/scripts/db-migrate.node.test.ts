import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import pg from "pg";
import { describe, expect, it } from "vitest";

const run = (env: Record<string, string>) =>
  execFileSync(process.execPath, ["scripts/db-migrate.ts"], { encoding: "utf8", env: { ...process.env, ...env } });

describe("npm run db:migrate", () => {
  it("refuses to run without DATABASE_URL", () => {
    expect(() => run({ DATABASE_URL: "" })).toThrow(/DATABASE_URL is not set/);
  });

  it.runIf(process.env.TEST_DATABASE_URL)("applies every migration to a PostgreSQL, once", async () => {
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    const name = `ot_migrate_${process.pid}_${Date.now().toString(36)}`;
    await admin.query(`CREATE DATABASE "${name}"`);
    try {
      const url = new URL(process.env.TEST_DATABASE_URL ?? "");
      url.pathname = `/${name}`;
      expect(run({ DATABASE_URL: url.toString() })).toContain("migrations applied");
      expect(run({ DATABASE_URL: url.toString() })).toContain("migrations applied");
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      const tables = await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
      const applied = await client.query('SELECT count(*)::int AS n FROM "drizzle"."__drizzle_migrations"');
      await client.end();
      expect(tables.rows.map((r) => r.tablename)).toEqual(["idempotency_keys", "order_items", "orders"]);
      const journal = JSON.parse(readFileSync("migrations/meta/_journal.json", "utf8")) as { entries: unknown[] };
      expect(applied.rows[0].n).toBe(journal.entries.length);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});
