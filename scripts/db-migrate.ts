/**
 * `npm run db:migrate`: applies migrations/ to DATABASE_URL: Neon (or, with DATABASE_HTTP_ENDPOINT,
 * any server speaking its protocol) through the HTTP driver, the production path; any other
 * PostgreSQL through `pg`. Both keep drizzle's migration journal.
 */
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { migrateOverHttp } from "./migrate-over-http.ts";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set: export it (Neon or any PostgreSQL) and run again.");
  process.exit(2);
}
const migrationsFolder = "migrations";
const host = new URL(url).hostname;

const httpEndpoint = process.env.DATABASE_HTTP_ENDPOINT || undefined;
if (host.endsWith(".neon.tech") || httpEndpoint) {
  const { before, after } = await migrateOverHttp(url, httpEndpoint);
  console.log(`${after - before} pending migration(s) applied over HTTP (${after} in the journal)`);
} else {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migratePg(drizzlePg({ client }), { migrationsFolder });
  } finally {
    await client.end();
  }
}
console.log(`migrations applied to ${host}${new URL(url).pathname}`);
