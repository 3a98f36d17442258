import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import pg from "pg";
import { describe, expect, it } from "vitest";

const run = (env: Record<string, string>) =>
  execFileSync(process.execPath, ["scripts/db-migrate.ts"], {
    encoding: "utf8",
    // Captured, not echoed: a refusal's message is asserted on, not printed among the test results.
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });

describe("npm run db:migrate", () => {
  it("refuses to run without DATABASE_URL", () => {
    expect(() => run({ DATABASE_URL: "" })).toThrow(/DATABASE_URL is not set/);
  });

  it("refuses a provider's tokens without the provider's issuer, which existing rows would need", () => {
    let output = "";
    try {
      run({ DATABASE_URL: "postgres://owner@127.0.0.1:9/nowhere", JWT_MODES: "jwks", JWT_ISSUER: "" });
    } catch (err) {
      output = String((err as { stderr?: string }).stderr);
    }
    expect(output).toContain("JWT_ISSUER must name the provider");
  });

  it("prints no part of a connection string it cannot use", () => {
    let output = "";
    try {
      run({ DATABASE_URL: "postgres://owner:s3cret-Pa55@127.0.0.1:9/nowhere" });
    } catch (err) {
      output = String((err as { stderr?: string }).stderr);
    }
    expect(output).toContain("db:migrate stopped");
    expect(output).not.toMatch(/s3cret|Pa55|owner:/);
  });

  it.runIf(process.env.TEST_DATABASE_URL)("applies every migration to a PostgreSQL, once", async () => {
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    const name = `ot_migrate_${process.pid}_${Date.now().toString(36)}`;
    await admin.query(`CREATE DATABASE "${name}"`);
    try {
      const url = new URL(process.env.TEST_DATABASE_URL ?? "");
      url.pathname = `/${name}`;
      const journal = JSON.parse(readFileSync("migrations/meta/_journal.json", "utf8")) as { entries: unknown[] };
      const n = journal.entries.length;
      expect(run({ DATABASE_URL: url.toString() })).toContain(`${n} migration(s) applied; ${n} in the journal`);
      expect(run({ DATABASE_URL: url.toString() })).toContain(`0 migration(s) applied; ${n} in the journal`);
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      const tables = await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
      const applied = await client.query('SELECT count(*)::int AS n FROM "drizzle"."__drizzle_migrations"');
      await client.end();
      expect(tables.rows.map((r) => r.tablename)).toEqual([
        "idempotency_keys",
        "order_events",
        "order_items",
        "orders",
        "webhook_attempts",
        "webhook_endpoints",
      ]);
      expect(applied.rows[0].n).toBe(n);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});
