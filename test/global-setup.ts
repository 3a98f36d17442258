import type { TestProject } from "vitest/node";
import { createProvider } from "../dev/sql-server/provider.ts";
import { startSqlServer } from "../dev/sql-server/server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    sqlEndpoint: string;
    sqlBackend: "pglite" | "postgres";
  }
}

/**
 * Starts the local SQL-over-HTTP server for the workers tests: embedded PGlite by default, this
 * machine's PostgreSQL when TEST_DATABASE_URL is set. Every database a test names is created and
 * migrated on first use, and (on Postgres) dropped at the end.
 */
export default async function setup(project: TestProject) {
  const provider = createProvider({
    databaseUrl: process.env.TEST_DATABASE_URL || undefined,
    migrationsFolder: "migrations",
    createDatabases: true,
    dropCreatedOnClose: true,
  });
  const server = await startSqlServer({ provider });
  project.provide("sqlEndpoint", server.url);
  project.provide("sqlBackend", provider.kind);
  return () => server.close();
}
