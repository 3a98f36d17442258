/**
 * Runs the local SQL-over-HTTP server on its own.
 *   node dev/sql-server/main.ts [--port 4444] [--data-dir .data/pglite] [--database-url postgres://…] [--migrate]
 *     [--create-databases] [--drop-created-on-close]
 * Prints one line `ready <url>` when it listens; stops cleanly on SIGINT/SIGTERM.
 */
import { cli } from "../../scripts/cli.ts";
import { createProvider } from "./provider.ts";
import { startSqlServer } from "./server.ts";

const { values } = cli(
  "usage: npm run sql-server -- [--port 4444] [--data-dir .data/pglite] [--database-url postgres://…] [--migrate]\n" +
    "       [--create-databases] [--drop-created-on-close]   (the local SQL-over-HTTP server on its own)",
  {
    port: { type: "string", default: "0" },
    "data-dir": { type: "string" },
    "database-url": { type: "string" },
    migrate: { type: "boolean", default: false },
    "create-databases": { type: "boolean", default: false },
    "drop-created-on-close": { type: "boolean", default: false },
  },
);

const server = await startSqlServer({
  port: Number(values.port),
  provider: createProvider({
    databaseUrl: values["database-url"],
    dataDir: values["data-dir"],
    migrationsFolder: values.migrate ? "migrations" : undefined,
    createDatabases: values["create-databases"],
    dropCreatedOnClose: values["drop-created-on-close"],
  }),
});
console.log(`ready ${server.url}`);

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
