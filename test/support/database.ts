import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { createDatabase, type Database } from "../../src/repositories/database";

/** The local SQL server's control API, next to its /sql endpoint. */
export const controlUrl = (path: string) => env.DATABASE_HTTP_ENDPOINT.replace(/\/sql$/, `/_control/${path}`);

/** Fresh databases made in the running test, and in the file outside any test (beforeAll). */
const madeInTest: string[] = [];
const madeInFile: string[] = [];

/**
 * Gives the databases back to the SQL server: an in-memory PGlite is ~250 MB, so a run that kept
 * every test's database open until the end peaked at 8.9 GB (test/support/release-databases.ts).
 */
export async function releaseDatabases(scope: "test" | "file"): Promise<void> {
  const names = (scope === "test" ? madeInTest : madeInFile).splice(0);
  await Promise.all(names.map((name) => fetch(controlUrl(`databases/${name}`), { method: "DELETE" })));
}

/**
 * A fresh, migrated database of its own, released when the test that made it ends (or, made in
 * `beforeAll`, when its file ends). The server creates and migrates it on first use, which
 * can take seconds on a busy machine: that happens here, under a generous deadline, so the
 * returned client's deadline times queries only.
 */
export async function freshDatabase(
  prefix: string,
  timeoutMs = 5_000,
): Promise<{ db: Database; url: string; name: string; ownerUrl: string }> {
  const name = `ot_${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const url = `postgres://order_service_app:test@localhost/${name}`;
  (expect.getState().currentTestName === undefined ? madeInFile : madeInTest).push(name);
  await createDatabase({ url, httpEndpoint: env.DATABASE_HTTP_ENDPOINT, timeoutMs: 60_000 }).execute(sql`SELECT 1`);
  // The worker's role (`db`, `url`) reads and writes rows; set-up that needs more (ANALYZE) uses the owner's.
  const ownerUrl = `postgres://owner:test@localhost/${name}`;
  return { db: createDatabase({ url, httpEndpoint: env.DATABASE_HTTP_ENDPOINT, timeoutMs }), url, name, ownerUrl };
}

export interface ServerStats {
  roundTrips: number;
  queries: number;
  byDatabase: Record<string, { roundTrips: number; queries: number }>;
}

export async function serverStats(): Promise<ServerStats> {
  return (await fetch(controlUrl("stats"))).json();
}

export async function injectFaults(faults: {
  latencyMs?: number;
  status?: number;
  drop?: boolean;
  commitThenDrop?: boolean;
  times?: number;
  database?: string;
}): Promise<void> {
  await fetch(controlUrl("faults"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(faults),
  });
}

export async function clearFaults(): Promise<void> {
  await fetch(controlUrl("faults"), { method: "DELETE" });
}
