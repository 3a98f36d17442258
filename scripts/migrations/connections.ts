/** The runner's connections: Neon's HTTP driver (how a release reaches Neon) and `pg` (any PostgreSQL). */
import { neon, neonConfig } from "@neondatabase/serverless";
import pg from "pg";
import {
  type MigrationConnection,
  type MigrationRun,
  markShipped,
  type RunOptions,
  runMigrations,
} from "./migrator.ts";
import { provisionWorkerRole, setWorkerTimeouts } from "./worker-role.ts";

/**
 * Over HTTP every request is its own session; `transaction()` sends the statements as one
 * non-interactive transaction, which Neon runs all-or-nothing
 * (https://neon.com/docs/serverless/serverless-driver#transaction). `httpEndpoint` sends the SQL to
 * another server speaking Neon's protocol (the local one of `npm run dev`, in tests and CI).
 */
export function httpConnection(url: string, httpEndpoint?: string): MigrationConnection {
  if (httpEndpoint) neonConfig.fetchEndpoint = httpEndpoint;
  const sql = neon(url);
  return {
    async transaction(statements) {
      await sql.transaction(statements.map((s) => sql.query(s.query, s.params)));
    },
    async scalar({ query, params }) {
      const rows = (await sql.query(query, params, { arrayMode: true })) as unknown[][];
      return rows[0]?.[0];
    },
  };
}

/** A `pg` client, connected: BEGIN … COMMIT on its one session, ROLLBACK on the first error. */
export function pgConnection(client: pg.Client): MigrationConnection {
  return {
    async transaction(statements) {
      await client.query("BEGIN");
      try {
        for (const { query, params } of statements) await client.query(query, params);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      }
    },
    async scalar({ query, params }) {
      const result = await client.query({ text: query, values: params, rowMode: "array" });
      return (result.rows[0] as unknown[] | undefined)?.[0];
    },
  };
}

/**
 * A connection for a connection string: over HTTP for Neon (or any server speaking its protocol, given
 * `httpEndpoint`), through `pg` for any other PostgreSQL (closed when `use` is done).
 */
async function withConnection<T>(
  url: string,
  httpEndpoint: string | undefined,
  use: (connection: MigrationConnection) => Promise<T>,
): Promise<T> {
  if (new URL(url).hostname.endsWith(".neon.tech") || httpEndpoint) return use(httpConnection(url, httpEndpoint));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(pgConnection(client));
  } finally {
    await client.end();
  }
}

/** Runs the migrations against a connection string. */
export function migrateDatabase(
  url: string,
  httpEndpoint?: string,
  folder?: string,
  options?: RunOptions,
): Promise<MigrationRun> {
  return withConnection(url, httpEndpoint, (connection) => runMigrations(connection, folder, options));
}

/** Records, in that database, that `versionId` now serves all traffic with these migrations. */
export function markDatabaseShipped(
  url: string,
  httpEndpoint: string | undefined,
  versionId: string,
  folder?: string,
): Promise<void> {
  return withConnection(url, httpEndpoint, (connection) => markShipped(connection, versionId, folder));
}

/** Makes (or rotates the password of) the worker's role, as the owner of that database. */
export function provisionWorkerRoleAt(
  url: string,
  httpEndpoint: string | undefined,
  password: string,
): Promise<"created" | "updated"> {
  return withConnection(url, httpEndpoint, (connection) => provisionWorkerRole(connection, password));
}

/** Sets the worker's role's statement and lock timeouts, as the owner of that database. */
export function setWorkerTimeoutsAt(url: string, httpEndpoint: string | undefined, timeoutMs: number): Promise<void> {
  return withConnection(url, httpEndpoint, (connection) => setWorkerTimeouts(connection, timeoutMs));
}
