/**
 * `npm run db:migrate`: applies migrations/ to DATABASE_URL, each migration atomically and under the
 * runner's lock (scripts/migrations/migrator.ts): Neon (or, with DATABASE_HTTP_ENDPOINT, any server
 * speaking its protocol) through the HTTP driver, the production path; any other PostgreSQL through `pg`.
 * Run it as the role that owns the schema (docs/deploying.md, "Database roles").
 */
import { cli } from "./cli.ts";
import { migrateDatabase } from "./migrations/connections.ts";
import { describeRun } from "./migrations/migrator.ts";
import { tokenIssuersOf } from "./migrations/token-issuers.ts";
import { redact } from "./release/redact.ts";

const USAGE = `usage: DATABASE_URL=… npm run db:migrate

Applies pending migrations (migrations/) to DATABASE_URL, each in one transaction with its journal row,
under an advisory lock: a second run at the same time waits, then finds nothing left to do.
  DATABASE_URL            the schema owner's connection string (Neon, or any PostgreSQL)
  DATABASE_HTTP_ENDPOINT  optional: send the SQL over HTTP to this endpoint instead of Neon's
  JWT_MODES, JWT_ISSUER   the tokens the deployment takes, as the worker's settings say (default hs256):
                          a migration that gives existing rows their customer's issuer reads them`;

cli(USAGE, {});

const url = process.env.DATABASE_URL;
if (!url) {
  console.error(`DATABASE_URL is not set: export it (Neon or any PostgreSQL) and run again.\n\n${USAGE}`);
  process.exit(2);
}

try {
  const issuers = tokenIssuersOf(process.env);
  const run = await migrateDatabase(url, process.env.DATABASE_HTTP_ENDPOINT || undefined, undefined, { issuers });
  console.log(describeRun(run));
} catch (err) {
  console.error(`db:migrate stopped: ${redact(err instanceof Error ? err.message : String(err), [url])}`);
  process.exit(1);
}
