import { type MigrationConnection, type MigrationRun, runMigrations } from "../../scripts/migrations/migrator.ts";
import type { Backend } from "./backend.ts";

/** The local server's backend as a migration connection: its `batch` is one transaction. */
function backendConnection(backend: Backend): MigrationConnection {
  return {
    async transaction(statements) {
      await backend.batch(statements, {});
    },
    async scalar(statement) {
      return (await backend.query(statement)).rows[0]?.[0];
    },
  };
}

/** Applies the migrations to a database the local server opens, as a release applies them to Neon. */
export async function applyMigrations(backend: Backend, migrationsFolder: string): Promise<MigrationRun> {
  return await runMigrations(backendConnection(backend), migrationsFolder);
}
