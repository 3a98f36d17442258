import { createProvider } from "../../../dev/sql-server/provider.ts";
import { type SqlServer, startSqlServer } from "../../../dev/sql-server/server.ts";

/**
 * The local SQL server for a Node test: PostgreSQL when TEST_DATABASE_URL is set, PGlite otherwise. Each
 * database a test names is made on first use (with the real migrations when `migrationsFolder` is given)
 * and dropped when the server closes.
 */
export const startTestSqlServer = ({ migrationsFolder }: { migrationsFolder?: string } = {}): Promise<SqlServer> =>
  startSqlServer({
    provider: createProvider({
      databaseUrl: process.env.TEST_DATABASE_URL,
      migrationsFolder,
      createDatabases: true,
      dropCreatedOnClose: true,
    }),
  });
