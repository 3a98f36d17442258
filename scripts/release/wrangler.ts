/**
 * wrangler as the release runs it: with the environment's `--env` and `--config`, its output shown,
 * and only wrangler's own variables in its environment (child-env.ts). RELEASE_WRANGLER names another
 * executable to run instead (the tests' double, test/support/node/wrangler-double.ts).
 *
 * What the release acts on it reads from wrangler's machine-readable records, not its prose: each run
 * appends ND-JSON records to WRANGLER_OUTPUT_FILE_PATH
 * (https://developers.cloudflare.com/workers/wrangler/system-environment-variables/): `deploy` and
 * `version-upload` with the `version_id`, `command-failed` with the API's error `code`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childEnv, WRANGLER_ENV } from "./child-env.ts";

/** One of wrangler's output records, as its `type` names it. */
export type WranglerRecord = { type: string; version_id?: string; code?: number; message?: string };

export interface WranglerRun {
  ok: boolean;
  /** What wrangler printed, for a person. */
  output: string;
  /** Its standard output alone: the JSON a `--json` command prints. */
  stdout: string;
  records: WranglerRecord[];
}

export interface Wrangler {
  /** Runs wrangler; a non-zero exit stops the release with its output. */
  run(args: string[]): WranglerRun;
  /** Runs wrangler and reports how it went, for answers the release acts on. */
  attempt(args: string[]): WranglerRun;
}

/** The record of a type, or undefined. */
export const recordOf = (run: WranglerRun, type: string) => run.records.find((r) => r.type === type);

/**
 * The Cloudflare API's error code of a failed run (`command-failed`'s `code`): 10007 for a Worker the
 * account does not have, 10000 for a token without the permission
 * (https://developers.cloudflare.com/fundamentals/api/troubleshooting/). Undefined for wrangler's own
 * refusals, which carry none.
 */
export const failureCode = (run: WranglerRun) => recordOf(run, "command-failed")?.code;

function readRecords(file: string): WranglerRecord[] {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as WranglerRecord);
}

/**
 * The permission of the release's API token each command needs (docs/deploying.md, step 3): Cloudflare
 * answers a token without it "Authentication error" [code: 10000]. `deploy` attaches the queue consumer.
 */
const PERMISSIONS: Record<string, string> = {
  "deployments status": "Account · Workers Scripts · Edit",
  "versions upload": "Account · Workers Scripts · Edit",
  "versions deploy": "Account · Workers Scripts · Edit",
  "triggers deploy": "Account · Workers Scripts · Edit",
  deploy: "Account · Workers Scripts · Edit and Account · Queues · Edit",
  "queues info": "Account · Queues · Edit",
  "queues create": "Account · Queues · Edit",
};
const AUTHENTICATION_ERROR = 10000;

export function wranglerFor({
  env,
  config,
  log,
  fail,
}: {
  env: string;
  config: string;
  log: (line: string) => void;
  fail: (message: string) => never;
}): Wrangler {
  const entry = process.env.RELEASE_WRANGLER || "node_modules/wrangler/bin/wrangler.js";
  const attempt = (args: string[]): WranglerRun => {
    const full = [...args, "--env", env, "--config", config];
    log(`  $ wrangler ${full.join(" ")}`);
    const dir = mkdtempSync(join(tmpdir(), "wrangler-output-"));
    const outputFile = join(dir, "output.ndjson");
    try {
      const result = spawnSync(process.execPath, [entry, ...full], {
        encoding: "utf8",
        env: childEnv(WRANGLER_ENV, { WRANGLER_SEND_METRICS: "false", WRANGLER_OUTPUT_FILE_PATH: outputFile }),
      });
      const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
      const run = { ok: result.status === 0, output, stdout: result.stdout ?? "", records: readRecords(outputFile) };
      if (failureCode(run) === AUTHENTICATION_ERROR) {
        const command = args[0] === "deploy" ? "deploy" : args.slice(0, 2).join(" ");
        fail(
          `the API token may not \`wrangler ${command}\` (Cloudflare: Authentication error [code: 10000]): give it ${PERMISSIONS[command] ?? "the permissions"} (docs/deploying.md, step 3)`,
        );
      }
      return run;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return {
    attempt,
    run(args) {
      const result = attempt(args);
      if (result.output.trim()) log(result.output.trimEnd().replace(/^/gm, "    "));
      if (!result.ok) fail(`\`wrangler ${args.slice(0, 2).join(" ")}\` failed`);
      return result;
    },
  };
}

/**
 * wrangler's own refusals carry no code, only a message (a `UserError`), so the release knows these two
 * by a phrase of it. test/scripts/wrangler-phrases.node.test.ts holds each phrase to the installed
 * wrangler's source: an upgrade that rewords one fails `npm test`, not a release.
 */
export const WRANGLER_REFUSALS = {
  /** `versions upload` of a configuration whose Durable Object migrations the Worker has not applied. */
  pendingDurableObjectMigration: "has a pending Durable Object migration",
  /** `queues info <name>` of a queue the account does not have. */
  missingQueue: '" does not exist.',
} as const;

/** Whether a failed run is that refusal of wrangler's (not the API's, which carries a code). */
export function refusedWith(run: WranglerRun, phrase: string): boolean {
  const failure = recordOf(run, "command-failed");
  return failure !== undefined && failure.code === undefined && (failure.message ?? "").includes(phrase);
}
