import { readMigrationFiles } from "drizzle-orm/migrator";
import type { Backend } from "./backend.ts";

/**
 * Applies drizzle-kit's migrations to a backend, bookkept in the same `drizzle.__drizzle_migrations`
 * table as drizzle-orm's own migrator (so `npm run db:migrate` and this agree on what ran).
 * Each migration and its bookkeeping row commit together.
 */
export async function applyMigrations(backend: Backend, migrationsFolder: string): Promise<number> {
  const migrations = readMigrationFiles({ migrationsFolder });
  await backend.query({ query: 'CREATE SCHEMA IF NOT EXISTS "drizzle"', params: [] });
  await backend.query({
    query:
      'CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)',
    params: [],
  });
  const last = await backend.query({
    query: 'SELECT created_at FROM "drizzle"."__drizzle_migrations" ORDER BY created_at DESC LIMIT 1',
    params: [],
  });
  const lastApplied = Number(last.rows[0]?.[0] ?? 0);
  let applied = 0;
  for (const migration of migrations) {
    if (migration.folderMillis <= lastApplied) continue;
    await backend.batch(
      [
        ...migration.sql.filter((s) => s.trim()).map((query) => ({ query, params: [] })),
        {
          query: 'INSERT INTO "drizzle"."__drizzle_migrations" (hash, created_at) VALUES ($1, $2)',
          params: [migration.hash, String(migration.folderMillis)],
        },
      ],
      {},
    );
    applied++;
  }
  return applied;
}
