/**
 * Applies pending migrations over Neon's HTTP driver — the way a release reaches Neon, no TCP
 * connection needed — keeping drizzle's journal (`drizzle.__drizzle_migrations`). `httpEndpoint`
 * sends the SQL to another server speaking Neon's protocol (the local one, in tests and CI).
 */
import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-http";
import { migrate } from "drizzle-orm/neon-http/migrator";

export interface MigrationOutcome {
  /** Migrations recorded in the journal before and after. */
  before: number;
  after: number;
}

export async function migrateOverHttp(url: string, httpEndpoint?: string): Promise<MigrationOutcome> {
  if (httpEndpoint) neonConfig.fetchEndpoint = httpEndpoint;
  const sql = neon(url);
  const journal = async () => {
    const rows = (await sql.query(
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'drizzle' AND tablename = '__drizzle_migrations'",
    )) as { n: number }[];
    if (!rows[0]?.n) return 0;
    return (
      ((await sql.query('SELECT count(*)::int AS n FROM "drizzle"."__drizzle_migrations"')) as { n: number }[])[0]?.n ??
      0
    );
  };
  const before = await journal();
  await migrate(drizzle({ client: sql }), { migrationsFolder: "migrations" });
  return { before, after: await journal() };
}
