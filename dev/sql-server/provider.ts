import type { MigrationRun } from "../../scripts/migrations/migrator.ts";
import type { BackendProvider } from "./backend.ts";
import { applyMigrations } from "./migrate.ts";
import { pgProvider } from "./pg-backend.ts";
import { pgliteProvider } from "./pglite-backend.ts";

export interface ProviderOptions {
  /** A Postgres URL: use that server through `pg`. Absent: embedded PGlite. */
  databaseUrl?: string;
  /** PGlite only: keep data in this folder (in memory when absent). */
  dataDir?: string;
  /** Apply these migrations to each database when first opened. */
  migrationsFolder?: string;
  /** Told what each database's migration run did: `npm run dev` prints it. */
  onMigrated?: (database: string, run: MigrationRun) => void;
  /** Postgres only: create missing databases (tests use one per file). */
  createDatabases?: boolean;
  /** Postgres only: drop the databases it created on close. */
  dropCreatedOnClose?: boolean;
  statementTimeoutMs?: number;
}

export function createProvider(options: ProviderOptions): BackendProvider {
  const { migrationsFolder, onMigrated } = options;
  const onCreate = migrationsFolder
    ? async (database: string, backend: Parameters<typeof applyMigrations>[0]) => {
        const run = await applyMigrations(backend, migrationsFolder);
        onMigrated?.(database, run);
      }
    : undefined;
  if (options.databaseUrl) {
    return pgProvider({
      url: options.databaseUrl,
      createDatabases: options.createDatabases,
      dropCreatedOnClose: options.dropCreatedOnClose,
      statementTimeoutMs: options.statementTimeoutMs,
      onCreate,
    });
  }
  return pgliteProvider({ dataDir: options.dataDir, statementTimeoutMs: options.statementTimeoutMs, onCreate });
}
