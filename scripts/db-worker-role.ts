/**
 * `npm run db:worker-role -- --secrets-file <path>`: makes the worker's database role with SQL, as the
 * schema owner (MIGRATION_DATABASE_URL, as the release names it), with a new password, and writes the worker's connection string into the
 * Worker's secrets file as DATABASE_URL. Run again, it rotates the password (scripts/migrations/worker-role.ts).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { cli } from "./cli.ts";
import { provisionWorkerRoleAt } from "./migrations/connections.ts";
import { newPassword, WORKER_ROLE, workerUrlFrom } from "./migrations/worker-role.ts";
import { redact } from "./release/redact.ts";

const USAGE = `usage: MIGRATION_DATABASE_URL=… npm run db:worker-role -- --secrets-file <path>

Creates ${WORKER_ROLE} with SQL (so Neon grants it nothing but migration 0003's rows), or gives the
existing one a new password, and sets DATABASE_URL in the Worker's secrets file (a JSON object, created
with mode 600 if missing) to its connection string: the owner's host (pooled on Neon), database and options.
  MIGRATION_DATABASE_URL  the schema owner's connection string (Neon, or any PostgreSQL), as for the release
  DATABASE_HTTP_ENDPOINT  optional: send the SQL over HTTP to this endpoint instead of Neon's
  --secrets-file <path>   the Worker's secrets, JSON (what --secrets-file of npm run release takes)`;

const { values } = cli(USAGE, { "secrets-file": { type: "string" } });
const url = process.env.MIGRATION_DATABASE_URL;
const file = values["secrets-file"];
if (!url || !file) {
  console.error(`${url ? "--secrets-file" : "MIGRATION_DATABASE_URL"} is missing.\n\n${USAGE}`);
  process.exit(2);
}

/** The file's secrets; its text is never quoted in an error (JSON.parse's message would). */
function secretsOf(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${path} is not a JSON object ({"NAME": "value", …}); nothing was changed`);
  }
  return parsed as Record<string, string>;
}

const password = newPassword();
try {
  const secrets = secretsOf(file);
  const outcome = await provisionWorkerRoleAt(url, process.env.DATABASE_HTTP_ENDPOINT || undefined, password);
  writeFileSync(file, `${JSON.stringify({ ...secrets, DATABASE_URL: workerUrlFrom(url, password) }, null, 2)}\n`, {
    mode: 0o600,
  });
  chmodSync(file, 0o600);
  console.log(
    `${WORKER_ROLE} ${outcome === "created" ? "created" : "has a new password"}; its connection string is DATABASE_URL in ${file}`,
  );
} catch (err) {
  console.error(`db:worker-role stopped: ${redact(err instanceof Error ? err.message : String(err), [url, password])}`);
  process.exit(1);
}
