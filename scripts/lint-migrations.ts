/**
 * `npm run lint:migrations`: squawk on every migration, as the runner applies it (in one transaction,
 * or statement by statement when marked `-- migrate:no-transaction`), plus the one rule squawk cannot
 * know: timeouts are set with `SET LOCAL`, for the migration's own transaction. A plain `SET` outlives
 * the transaction on a pooled connection; in a migration without a transaction, over HTTP, where each
 * statement is its own session, no `SET` reaches the next statement at all.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "./cli.ts";
import { migrationHeader } from "./migrations/header.ts";
import { settingProblems } from "./migrations/setting-problems.ts";

const { positionals } = cli("usage: npm run lint:migrations [-- file.sql …]   (default: migrations/*.sql)", {}, true);

const files =
  positionals.length > 0
    ? positionals
    : readdirSync("migrations")
        .filter((f) => f.endsWith(".sql"))
        .sort()
        .map((f) => join("migrations", f));

const transactional = files.filter((f) => migrationHeader(readFileSync(f, "utf8")).transactional);
const standalone = files.filter((f) => !transactional.includes(f));
let failed = false;
for (const [group, flag] of [
  [transactional, "--assume-in-transaction"],
  [standalone, "--no-assume-in-transaction"],
] as const) {
  if (group.length === 0) continue;
  const squawk = spawnSync("node_modules/.bin/squawk", ["--config", ".squawk.toml", flag, ...group], {
    stdio: "inherit",
  });
  if (squawk.status !== 0) failed = true;
}
for (const file of files) {
  for (const problem of settingProblems(file, readFileSync(file, "utf8"))) {
    console.error(problem);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
