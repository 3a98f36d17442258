import type { TestProject } from "vitest/node";
import { createProvider } from "../dev/sql-server/provider.ts";
import { startSqlServer } from "../dev/sql-server/server.ts";
import { startJwksServer } from "./support/node/jwks-server.ts";
import { startWebhookReceivers } from "./support/node/webhook-receiver.ts";

declare module "vitest" {
  export interface ProvidedContext {
    sqlEndpoint: string;
    sqlBackend: "pglite" | "postgres";
    databaseUrl: string;
    jwksEndpoint: string;
    webhookReceivers: string;
  }
}

/**
 * Starts the local SQL-over-HTTP server for the workers tests: embedded PGlite by default, this
 * machine's PostgreSQL when TEST_DATABASE_URL is set. Every database a test names is created and
 * migrated on first use, and (on Postgres) dropped at the end. And a local identity provider's JWKS
 * endpoint (support/node/jwks-server.ts), and webhook receivers (support/node/webhook-receiver.ts).
 */
export default async function setup(project: TestProject) {
  const provider = createProvider({
    databaseUrl: process.env.TEST_DATABASE_URL || undefined,
    migrationsFolder: "migrations",
    createDatabases: true,
    dropCreatedOnClose: true,
  });
  const server = await startSqlServer({ provider });
  // The worker's own database, unique to this run and migrated before any test asks for it.
  const database = `ot_app_${Date.now().toString(36)}_${process.pid}`;
  await provider.get(database);
  project.provide("databaseUrl", `postgres://order_service_app:test@localhost/${database}`);
  project.provide("sqlEndpoint", server.url);
  project.provide("sqlBackend", provider.kind);
  const jwks = await startJwksServer();
  project.provide("jwksEndpoint", jwks.url);
  const receivers = await startWebhookReceivers();
  project.provide("webhookReceivers", receivers.url);
  return async () => {
    await receivers.close();
    await jwks.close();
    await server.close();
  };
}
