/**
 * `npm run db:migrate`: applies migrations/ to DATABASE_URL: Neon through its HTTP driver (the
 * production path), any other PostgreSQL through `pg`. Both keep drizzle's migration journal.
 */
import { neon } from "@neondatabase/serverless";
import { drizzle as drizzleNeon } from "drizzle-orm/neon-http";
import { migrate as migrateNeon } from "drizzle-orm/neon-http/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set: export it (Neon or any PostgreSQL) and run again.");
  process.exit(2);
}
const migrationsFolder = "migrations";
const host = new URL(url).hostname;

if (host.endsWith(".neon.tech")) {
  await migrateNeon(drizzleNeon({ client: neon(url) }), { migrationsFolder });
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
