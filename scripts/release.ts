/**
 * `npm run release -- --env <staging|production> --url <base-url> [options]`: one release, step by step,
 * stopping at the first failure with a message that carries no secret. See USAGE below and
 * docs/deploying.md ("Releasing").
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "./cli.ts";
import { markDatabaseShipped, migrateDatabase, setWorkerTimeoutsAt } from "./migrations/connections.ts";
import { describeRun } from "./migrations/migrator.ts";
import { tokenIssuersOf } from "./migrations/token-issuers.ts";
import { childEnv } from "./release/child-env.ts";
import { readEnvironment } from "./release/environment.ts";
import { redact } from "./release/redact.ts";
import { literalSecretsFile } from "./release/secrets-file.ts";
import { ReleaseError, type Serving, type ShipContext, servingFrom, shipFirst, shipGradually } from "./release/ship.ts";
import { refusedWith, WRANGLER_REFUSALS, type Wrangler, wranglerFor } from "./release/wrangler.ts";
import { formatReport, mintSmokeToken, runSmoke } from "./smoke-checks.ts";

const USAGE = `usage: npm run release -- --env <staging|production> --url <base-url> [options]

  1. preflight   what Cloudflare serves now (deployments status); a gradual rollout still in progress stops here;
                 the environment's queues, created where missing (queues info, queues create)
  2. checks      type check, lint, generated types, OpenAPI and migration lint, this environment's bundle
  3. migrations  pending migrations, each in one transaction under an advisory lock (MIGRATION_DATABASE_URL)
  4. ship        first deploy or a Durable Object migration: wrangler deploy (100 % at once); otherwise upload
                 a version, deploy it at 0 %, smoke-test it through the version-override header, then ramp
                 through --percentage, smoke-testing at each stage and stopping back on the old version if it fails

options:
  --env <name>           staging or production (required)
  --url <base-url>       the environment's base URL for the smoke test (or RELEASE_URL)
  --percentage <list>    stages of the ramp, ascending, e.g. 10,50,100 (default 100)
  --ramp-wait <seconds>  wait at each stage below 100 % before smoke-testing again (default 60)
  --secrets-file <path>  the Worker's secrets (JSON, or NAME=value lines taken literally), required by the
                         first deploy only
  --message <text>       the version's message (default: release <time>)
  --config <path>        wrangler configuration (default wrangler.toml)
  --dry-run              build the bundle instead of uploading; deploy nothing
  --skip-checks          skip step 2 (CI runs it before)
  -h, --help             this text

environment:
  MIGRATION_DATABASE_URL  the schema owner's connection string, for the migrations (required); named
                          apart from the Worker's DATABASE_URL, which the owner's must never become
  DATABASE_HTTP_ENDPOINT  optional: send the migrations' SQL to this endpoint speaking Neon's protocol
  CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID   for wrangler (or a wrangler login)
  SMOKE_SECRET            the smoke key: signs tokens for the environment's SMOKE_CUSTOMER_ID only
  SMOKE_TOKEN             or a ready token for the smoke test
Every child process gets only the variables it needs; no secret is passed on a command line.`;

const ENVIRONMENTS = ["staging", "production"];

const { values } = cli(USAGE, {
  env: { type: "string" },
  url: { type: "string" },
  percentage: { type: "string", default: "100" },
  "ramp-wait": { type: "string", default: "60" },
  "secrets-file": { type: "string" },
  message: { type: "string" },
  config: { type: "string", default: "wrangler.toml" },
  "dry-run": { type: "boolean", default: false },
  "skip-checks": { type: "boolean", default: false },
});

function fail(message: string): never {
  throw new ReleaseError(message);
}

const log = (line: string) => console.log(line);

/** `10,50,100` → [10, 50, 100]: whole percentages from 1 to 100, ascending. */
function stagesFrom(text: string): number[] {
  const stages = text.split(",").map((s) => Number(s.trim()));
  const valid =
    stages.every((p) => Number.isInteger(p) && p >= 1 && p <= 100) &&
    stages.every((p, i) => i === 0 || p > (stages[i - 1] ?? 0));
  if (!valid) fail("--percentage must be ascending whole percentages from 1 to 100, e.g. 10,50,100");
  return stages;
}

/** Mints a fresh five-minute token per smoke test (a ramp outlasts one), or uses SMOKE_TOKEN. */
function smokeTokens(vars: Record<string, string>): () => Promise<string> {
  const given = process.env.SMOKE_TOKEN;
  if (given) return () => Promise.resolve(given);
  const secret = process.env.SMOKE_SECRET;
  const subject = vars.SMOKE_CUSTOMER_ID;
  if (!secret || !subject) {
    fail(
      "the smoke test needs SMOKE_SECRET and the environment's SMOKE_CUSTOMER_ID var (or SMOKE_TOKEN); " +
        'docs/deploying.md, "The smoke credential"',
    );
  }
  return () => mintSmokeToken({ secret, subject, issuer: vars.JWT_ISSUER, audience: vars.JWT_AUDIENCE });
}

function checks(env: string, config: string): void {
  if (values["skip-checks"]) {
    log("  skipped (--skip-checks)");
    return;
  }
  const npm = spawnSync("npm", ["run", "-s", "check"], { stdio: "inherit", env: childEnv(["npm_config_cache"]) });
  if (npm.status !== 0) fail("`npm run check` failed");
  const outdir = mkdtempSync(join(tmpdir(), "release-bundle-"));
  const bundle = spawnSync(
    process.execPath,
    [
      "node_modules/wrangler/bin/wrangler.js",
      "deploy",
      "--dry-run",
      "--env",
      env,
      "--config",
      config,
      "--outdir",
      outdir,
    ],
    { stdio: "inherit", env: childEnv([], { WRANGLER_SEND_METRICS: "false" }) },
  );
  if (bundle.status !== 0) fail(`the ${env} bundle did not build`);
}

/**
 * The environment's queues exist before anything is migrated or uploaded: wrangler will not bind a
 * Worker to a queue that does not exist, and a new account has none. A missing one is created
 * (`wrangler queues create`, https://developers.cloudflare.com/queues/configuration/); any other
 * answer to the lookup stops the release.
 */
function ensureQueues(wrangler: Wrangler, queues: string[]): void {
  for (const name of queues) {
    const lookup = wrangler.attempt(["queues", "info", name]);
    if (lookup.ok) continue;
    if (!refusedWith(lookup, WRANGLER_REFUSALS.missingQueue)) {
      log(lookup.output.trimEnd().replace(/^/gm, "    "));
      fail(`could not look up the queue ${name}`);
    }
    wrangler.run(["queues", "create", name]);
    log(`  created the queue ${name}`);
  }
}

/** The environment's database as the schema owner reaches it. */
function databaseOf(env: string): { url: string; httpEndpoint: string | undefined } {
  const url = process.env.MIGRATION_DATABASE_URL;
  if (!url) {
    fail(
      `MIGRATION_DATABASE_URL is not set for ${env}: export the ${env} schema owner's connection string and run again`,
    );
  }
  return { url, httpEndpoint: process.env.DATABASE_HTTP_ENDPOINT || undefined };
}

/**
 * Migrates, telling the runner which version serves all traffic (none on a first deploy or a dry run)
 * and which tokens the environment takes (JWT_MODES, JWT_ISSUER: whose customers existing rows are); then the worker's role gets the environment's DB_TIMEOUT_MS as its statement and lock timeouts.
 */
async function migrations(env: string, serving: Serving, vars: Record<string, string>): Promise<void> {
  const servingVersion = serving.kind === "one" ? serving.versionId : undefined;
  const { url, httpEndpoint } = databaseOf(env);
  const run = await migrateDatabase(url, httpEndpoint, undefined, { servingVersion, issuers: tokenIssuersOf(vars) });
  log(`  ${describeRun(run)}`);
  const timeoutMs = Number(vars.DB_TIMEOUT_MS ?? 5_000);
  await setWorkerTimeoutsAt(url, httpEndpoint, timeoutMs);
  log(`  the database stops the worker's statements after ${timeoutMs} ms (DB_TIMEOUT_MS), lock waits included`);
}

/**
 * The new version serves all traffic: no version from before this release's migrations is left, so
 * the contract steps after them may run from the next release on (scripts/migrations/migrator.ts).
 */
async function recordShipped(env: string, versionId: string): Promise<void> {
  const { url, httpEndpoint } = databaseOf(env);
  await markDatabaseShipped(url, httpEndpoint, versionId);
  log(`  recorded in the database: ${versionId} serves all traffic with every migration of this release`);
}

async function release(): Promise<void> {
  const env = values.env;
  if (!env || !ENVIRONMENTS.includes(env)) fail(`--env must be one of ${ENVIRONMENTS.join(", ")}`);
  const url = (values.url ?? process.env.RELEASE_URL ?? "").replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]/.test(url))
    fail("--url (or RELEASE_URL) must be the environment's base URL, for the smoke test");
  const stages = stagesFrom(values.percentage);
  const rampWaitSeconds = Number(values["ramp-wait"]);
  if (!Number.isFinite(rampWaitSeconds) || rampWaitSeconds < 0) fail("--ramp-wait must be a number of seconds");
  const dryRun = values["dry-run"];
  const config = values.config;
  const { workerName, vars, queues } = await readEnvironment(config, env);
  const wrangler = wranglerFor({ env, config, log, fail });
  const smokeToken = smokeTokens(vars);
  const smoke = async (versionId?: string) => {
    const headers: Record<string, string> = versionId
      ? { "Cloudflare-Workers-Version-Overrides": `${workerName}="${versionId}"` }
      : {};
    const send: typeof fetch = (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } });
    const report = await runSmoke({ baseUrl: url, token: await smokeToken(), fetch: send });
    const what = versionId ? `version ${versionId} (through the override header)` : url;
    log(`  smoke test of ${what}`);
    log(formatReport(report, url).replace(/^/gm, "    "));
    return report.ok;
  };

  let serving: Serving = { kind: "none" };
  const steps: [string, () => Promise<void> | void][] = [
    [
      "preflight",
      () => {
        if (dryRun) return log("  dry run: Cloudflare not asked");
        serving = servingFrom(wrangler);
        if (serving.kind === "split") {
          fail(
            `a gradual rollout of ${workerName} is in progress (${serving.detail}): finish it with \`npm run wrangler -- versions deploy <id>@100% --env ${env}\` or roll back, then release`,
          );
        }
        if (serving.kind === "none" && !values["secrets-file"]) {
          fail(
            `${workerName} does not exist yet: its first deploy needs the Worker's secrets in a file (--secrets-file <path>; docs/deploying.md, "First deploy")`,
          );
        }
        log(
          serving.kind === "one"
            ? `  ${workerName} serves version ${serving.versionId}`
            : `  ${workerName} does not exist yet: this is its first deploy`,
        );
        ensureQueues(wrangler, queues);
      },
    ],
    ["checks", () => checks(env, config)],
    ["migrations", () => migrations(env, serving, vars)],
    [
      "ship",
      async () => {
        if (dryRun) {
          log(`  dry run: would ship to ${workerName} in stages ${stages.join(" → ")} %`);
          if (!(await smoke())) fail(`the smoke test failed against ${url}`);
          return;
        }
        const secrets = values["secrets-file"] ? literalSecretsFile(values["secrets-file"]) : undefined;
        const ctx: ShipContext = {
          wrangler,
          workerName,
          env,
          url,
          message: values.message ?? `release ${new Date().toISOString()}`,
          stages,
          rampWaitSeconds,
          secretsFile: secrets?.path,
          smoke,
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          log,
        };
        try {
          const servingAll =
            serving.kind === "one" ? await shipGradually(ctx, serving.versionId) : await shipFirst(ctx);
          if (servingAll) await recordShipped(env, servingAll);
        } finally {
          secrets?.remove();
        }
      },
    ],
  ];
  for (const [index, [name, step]] of steps.entries()) {
    log(`▶ [${index + 1}/${steps.length}] ${name}${dryRun ? " (dry run)" : ""}`);
    await step();
    log(`✔ ${name}`);
  }
  log(`release to ${env} done${dryRun ? " (dry run)" : ""}`);
}

try {
  await release();
} catch (err) {
  const text = err instanceof ReleaseError ? err.message : `${(err as Error).name}: ${(err as Error).message}`;
  const secrets = [
    process.env.MIGRATION_DATABASE_URL,
    process.env.SMOKE_SECRET,
    process.env.SMOKE_TOKEN,
    process.env.CLOUDFLARE_API_TOKEN,
  ];
  console.error(`✘ release stopped: ${redact(text, secrets)}`);
  process.exit(1);
}
