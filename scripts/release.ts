/**
 * `npm run release -- --env <staging|production> --url <base-url> [--percentage N] [--dry-run] [--skip-checks]`
 *
 * One release, step by step, stopping at the first failure with a clear message:
 *   1. checks        type check, lint, generated types, OpenAPI and migration lint, and the bundle of
 *                    this environment (`wrangler deploy --dry-run --env …`)
 *   2. migrations    pending migrations applied to the environment's DATABASE_URL over Neon's HTTP
 *                    driver (expand/contract only, so the running version keeps working)
 *   3. upload        `wrangler versions upload --env …`: a new version, not yet serving
 *   4. deploy        `wrangler versions deploy`: 100 % of traffic, or --percentage N for a gradual
 *                    rollout (the rest stays on the version serving now)
 *   5. smoke         `npm run smoke` against --url
 * --dry-run builds instead of uploading and deploys nothing (steps 3–4), for CI without an account.
 * --only checks,migrations runs just those steps (a CI workflow that deploys with wrangler's action).
 * Environment: DATABASE_URL (required), DATABASE_HTTP_ENDPOINT (optional), CLOUDFLARE_API_TOKEN and
 * CLOUDFLARE_ACCOUNT_ID for wrangler, JWT_SECRET (or SMOKE_TOKEN) for the smoke test's token.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { migrateOverHttp } from "./migrate-over-http.ts";
import { formatReport, mintSmokeToken, runSmoke } from "./smoke-checks.ts";

const ENVIRONMENTS = ["staging", "production"];

class ReleaseError extends Error {}

const { values } = parseArgs({
  options: {
    env: { type: "string" },
    url: { type: "string" },
    percentage: { type: "string", default: "100" },
    message: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    "skip-checks": { type: "boolean", default: false },
    only: { type: "string" },
  },
});

function fail(message: string): never {
  throw new ReleaseError(message);
}

/** Runs a command, echoing it; its output goes to the terminal unless captured. */
function run(command: string, args: string[], { capture = false } = {}): string {
  console.log(`  $ ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, {
    encoding: "utf8",
    stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (result.status !== 0) fail(`\`${[command, ...args].join(" ")}\` exited with ${result.status ?? result.signal}`);
  return result.stdout ?? "";
}

const wrangler = (args: string[], options?: { capture?: boolean }) =>
  run(process.execPath, ["node_modules/wrangler/bin/wrangler.js", ...args], options);

async function smokeToken(): Promise<string> {
  if (process.env.SMOKE_TOKEN) return process.env.SMOKE_TOKEN;
  const secret = process.env.JWT_SECRET;
  if (!secret) fail("neither SMOKE_TOKEN nor JWT_SECRET is set: the smoke test has no token to call the API with");
  return mintSmokeToken({ secret, issuer: process.env.JWT_ISSUER, audience: process.env.JWT_AUDIENCE });
}

async function release(): Promise<void> {
  const env = values.env;
  if (!env || !ENVIRONMENTS.includes(env)) fail(`--env must be one of ${ENVIRONMENTS.join(", ")}`);
  const only = values.only?.split(",").map((s) => s.trim());
  const url = values.url ?? process.env.RELEASE_URL ?? "";
  if ((!only || only.includes("smoke")) && !/^https?:\/\//.test(url)) {
    fail("--url (or RELEASE_URL) must be the environment's base URL, for the smoke test");
  }
  const percentage = Number(values.percentage);
  if (!Number.isInteger(percentage) || percentage < 1 || percentage > 100) fail("--percentage must be 1 to 100");
  const dryRun = values["dry-run"];
  const steps: [string, () => Promise<void> | void][] = [
    [
      "checks",
      () => {
        if (values["skip-checks"]) return console.log("  skipped (--skip-checks)");
        run("npm", ["run", "-s", "check"]);
        wrangler(["deploy", "--dry-run", "--env", env, "--outdir", mkdtempSync(join(tmpdir(), "release-bundle-"))]);
      },
    ],
    [
      "migrations",
      async () => {
        const databaseUrl = process.env.DATABASE_URL;
        if (!databaseUrl) {
          fail(
            `DATABASE_URL is not set for ${env}: export the ${env} database's connection string (Neon) and run again`,
          );
        }
        const { before, after } = await migrateOverHttp(databaseUrl, process.env.DATABASE_HTTP_ENDPOINT || undefined);
        console.log(`  ${after - before} pending migration(s) applied; ${after} in the journal`);
      },
    ],
    [
      "upload",
      () => {
        if (dryRun) return console.log("  dry run: nothing uploaded");
        const message = values.message ?? `release ${new Date().toISOString()}`;
        const out = wrangler(["versions", "upload", "--env", env, "--message", message], { capture: true });
        process.stdout.write(out);
        const id = /Worker Version ID:\s*([0-9a-f-]{36})/i.exec(out)?.[1];
        if (!id) fail("wrangler did not report the uploaded version's id");
        uploaded = id;
      },
    ],
    [
      "deploy",
      () => {
        if (dryRun) return console.log(`  dry run: would send ${percentage} % of ${env}'s traffic to the new version`);
        if (percentage === 100) {
          wrangler(["versions", "deploy", `${uploaded}@100%`, "--env", env, "--yes"]);
          return;
        }
        const status = JSON.parse(wrangler(["deployments", "status", "--env", env, "--json"], { capture: true })) as {
          versions?: { version_id: string }[];
        };
        const current = status.versions?.[0]?.version_id;
        if (!current) fail(`no version serves ${env} yet: the first release takes 100 %`);
        wrangler([
          "versions",
          "deploy",
          `${uploaded}@${percentage}%`,
          `${current}@${100 - percentage}%`,
          "--env",
          env,
          "--yes",
        ]);
      },
    ],
    [
      "smoke",
      async () => {
        const report = await runSmoke({ baseUrl: url, token: await smokeToken() });
        console.log(
          formatReport(report, url)
            .split("\n")
            .map((l) => `  ${l}`)
            .join("\n"),
        );
        if (!report.ok)
          fail(`the smoke test failed against ${url}: roll back with \`npm run wrangler -- rollback --env ${env}\``);
      },
    ],
  ];
  let uploaded = "";
  const unknown = only?.filter((name) => !steps.some(([step]) => step === name)) ?? [];
  if (unknown.length > 0) fail(`--only knows ${steps.map(([name]) => name).join(", ")}; not ${unknown.join(", ")}`);
  for (const [index, [name, step]] of steps.entries()) {
    if (only && !only.includes(name)) continue;
    console.log(`▶ [${index + 1}/${steps.length}] ${name}${dryRun ? " (dry run)" : ""}`);
    await step();
    console.log(`✔ ${name}`);
  }
  console.log(`release to ${env} done${dryRun ? " (dry run)" : ""}`);
}

try {
  await release();
} catch (err) {
  const message = err instanceof ReleaseError ? err.message : `${(err as Error).name}: ${(err as Error).message}`;
  console.error(`✘ release stopped: ${message}`);
  process.exit(1);
}
