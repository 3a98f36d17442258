import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { neon, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlServer } from "../../dev/sql-server/server.ts";
import { workerUrlFrom } from "../../scripts/migrations/worker-role.ts";
import { startTestSqlServer } from "../support/node/sql-server.ts";

/**
 * `npm run db:worker-role` against the local SQL server over Neon's protocol (PGlite; PostgreSQL with
 * TEST_DATABASE_URL): the role, its password, and the Worker's secrets file. Its privileges on a Neon-like
 * PostgreSQL are in migrations/neon-roles.node.test.ts.
 */
let server: SqlServer;
const database = `ot_worker_role_${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), "worker-role-"));
const OWNER = `postgres://owner:owner-pw@localhost/${database}`;

beforeAll(async () => {
  server = await startTestSqlServer({ migrationsFolder: "migrations" });
});
afterAll(() => server.close());

async function run(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["scripts/db-worker-role.ts", ...args], {
      env: { ...process.env, MIGRATION_DATABASE_URL: OWNER, DATABASE_HTTP_ENDPOINT: server.url, ...env },
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
    return { code, output: stdout + stderr };
  }
}

describe("npm run db:worker-role", () => {
  it("sets DATABASE_URL in the Worker's secrets file, keeping the others, readable by its owner alone", async () => {
    const file = join(dir, "staging.worker.json");
    writeFileSync(file, JSON.stringify({ JWT_SECRET: "kept-as-it-was" }));
    const first = await run(["--secrets-file", file]);
    expect(first.code).toBe(0);
    expect(first.output).toMatch(
      /order_service_app (created|has a new password); its connection string is DATABASE_URL in /,
    );
    const secrets = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
    expect(secrets.JWT_SECRET).toBe("kept-as-it-was");
    const url = new URL(secrets.DATABASE_URL ?? "");
    expect([url.username, url.host, url.pathname]).toEqual(["order_service_app", "localhost", `/${database}`]);
    expect(url.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.output).not.toContain(url.password);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // The worker connects with it, as itself, and reaches rows only.
    neonConfig.fetchEndpoint = server.url;
    const worker = neon(secrets.DATABASE_URL ?? "");
    expect(await worker.query("SELECT current_user AS who, count(*)::int AS n FROM orders")).toEqual([
      { who: "order_service_app", n: 0 },
    ]);
    await expect(worker.query("CREATE TABLE mine (id int)")).rejects.toThrow(/permission denied for schema public/);

    // Again: a new password (rotation), the same role.
    expect((await run(["--secrets-file", file])).output).toMatch(/order_service_app has a new password/);
    expect(JSON.parse(readFileSync(file, "utf8")).DATABASE_URL).not.toBe(secrets.DATABASE_URL);
  });

  it("refuses without the owner's MIGRATION_DATABASE_URL or a secrets file, and a secrets file that is not a JSON object", async () => {
    expect(await run(["--secrets-file", join(dir, "x.json")], { MIGRATION_DATABASE_URL: "" })).toMatchObject({
      code: 2,
    });
    expect((await run([])).output).toMatch(/--secrets-file is missing/);
    const dotenv = join(dir, "worker.env");
    writeFileSync(dotenv, "JWT_SECRET=x\n");
    const refused = await run(["--secrets-file", dotenv]);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/db:worker-role stopped: .* is not a JSON object/);
    expect(refused.output).not.toContain("JWT_SECRET=x");
    expect(readFileSync(dotenv, "utf8")).toBe("JWT_SECRET=x\n");
  });

  it("gives the worker Neon's pooled host, and keeps the owner's options", () => {
    const owner = "postgresql://neondb_owner:pw@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb?sslmode=require";
    expect(workerUrlFrom(owner, "p4ss")).toBe(
      "postgresql://order_service_app:p4ss@ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require",
    );
    const pooled = "postgresql://neondb_owner:pw@ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech/neondb";
    expect(new URL(workerUrlFrom(pooled, "p4ss")).hostname).toBe(
      "ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech",
    );
  });
});
