import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { neon, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { SqlServer } from "../../dev/sql-server/server.ts";
import { startTestSqlServer } from "../support/node/sql-server.ts";
import type { DoubleState } from "../support/node/wrangler-double.ts";

/**
 * .github/workflows/preview.yml's deploy job, run step by step as a runner would on a pull request:
 * Neon's branch is a database of the local SQL server (its owner's connection string is what
 * neondatabase/create-branch-action@v6 outputs as `db_url` for its default role, `neondb_owner`),
 * Cloudflare is the wrangler double, and each `run:` script runs in bash with the step's env. Steps that
 * need GitHub or a deployed Worker (checkout, npm ci, the smoke test, the comment) are left out.
 */
interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
const workflow = parse(readFileSync(".github/workflows/preview.yml", "utf8")) as {
  env: Record<string, string>;
  jobs: { deploy: { steps: Step[] } };
};
const steps = workflow.jobs.deploy.steps;
const PR = "42";
const database = `ot_preview_${process.pid}`;
const runnerTemp = mkdtempSync(join(tmpdir(), "runner-temp-"));
const statePath = join(runnerTemp, "cloudflare.json");
let server: SqlServer;

beforeAll(async () => {
  server = await startTestSqlServer();
  writeFileSync(statePath, JSON.stringify({ workers: {}, calls: [], queues: [] } satisfies DoubleState));
});
afterAll(() => server.close());

const OWNER_URL = `postgres://neondb_owner:owner-pw@localhost/${database}`;

/** `${{ … }}` as GitHub would expand it for this pull request. */
function expand(text: string, outputs: Record<string, string>): string {
  const context: Record<string, string> = {
    "github.event.pull_request.number": PR,
    "runner.temp": runnerTemp,
    "secrets.PREVIEW_JWT_SECRET": "preview-jwt-secret-of-the-tests-0123456789",
    "steps.branch.outputs.db_url": OWNER_URL,
    ...outputs,
  };
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_all, name: string) => {
    const value = name.startsWith("env.") ? workflow.env[name.slice(4)] : context[name];
    if (value === undefined) throw new Error(`the test does not know ${name}`);
    return expand(value, outputs);
  });
}

const exec = promisify(execFile);
const env = (step: Step, outputs: Record<string, string>) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  RUNNER_TEMP: runnerTemp,
  GITHUB_OUTPUT: join(runnerTemp, "github-output"),
  DATABASE_HTTP_ENDPOINT: server.url,
  ...Object.fromEntries(Object.entries(workflow.env).map(([k, v]) => [k, expand(v, outputs)])),
  ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, outputs)])),
});

async function runJob(): Promise<void> {
  const outputs: Record<string, string> = {};
  for (const step of steps) {
    if (step.run && step.run !== "npm ci" && step.name !== "Smoke test" && !step.run.includes("gh pr comment")) {
      await exec("bash", ["-eo", "pipefail", "-c", step.run], { env: env(step, outputs) });
      const written = readFileSync(join(runnerTemp, "github-output"), { encoding: "utf8", flag: "a+" });
      for (const line of written.split("\n").filter(Boolean)) {
        const [key = "", ...value] = line.split("=");
        if (step.id) outputs[`steps.${step.id}.outputs.${key}`] = value.join("=");
      }
      writeFileSync(join(runnerTemp, "github-output"), "");
    }
    if (step.uses?.startsWith("cloudflare/wrangler-action@")) {
      const args = expand(step.with?.command ?? "", outputs).split(/\s+/);
      await exec(process.execPath, ["test/support/node/wrangler-double.ts", ...args], {
        env: { ...env(step, outputs), WRANGLER_DOUBLE_STATE: statePath, CLOUDFLARE_API_TOKEN: "cf-token" },
      });
    }
  }
}

describe("the preview workflow", () => {
  it("asks Neon for the branch once, as the action's default role, the project's owner", () => {
    const branches = steps.filter((s) => s.uses?.startsWith("neondatabase/create-branch-action@v6"));
    expect(branches).toHaveLength(1);
    // create-branch-action v6's `role` defaults to neondb_owner (its action.yml), the owner of the schema.
    expect(branches[0]?.with).not.toHaveProperty("role");
    expect(branches[0]?.id).toBe("branch");
  });

  it("migrates the branch, makes the worker's role, and deploys a preview with its own secrets and counters", async () => {
    await runJob();

    const state = JSON.parse(readFileSync(statePath, "utf8")) as DoubleState;
    const worker = state.workers[`order-service-pr-${PR}`];
    expect(worker?.versions[0]?.secrets.sort()).toEqual(["DATABASE_URL", "JWT_SECRET", "WEBHOOK_ENCRYPTION_KEY"]);

    // The Worker connects as the worker's role, with the password this preview gave its branch.
    const secrets = JSON.parse(readFileSync(join(runnerTemp, "preview.json"), "utf8")) as Record<string, string>;
    expect(secrets.JWT_SECRET).toBe("preview-jwt-secret-of-the-tests-0123456789");
    expect(new URL(secrets.DATABASE_URL ?? "").username).toBe("order_service_app");
    neonConfig.fetchEndpoint = server.url;
    const sql = neon(secrets.DATABASE_URL ?? "");
    expect(await sql.query("SELECT current_user AS who, count(*)::int AS n FROM orders")).toEqual([
      { who: "order_service_app", n: 0 },
    ]);
    await expect(sql.query('SELECT * FROM "drizzle"."__drizzle_migrations"')).rejects.toThrow(/permission denied/);

    // Rate-limit namespaces of this pull request's own, none of another environment's.
    const config = JSON.parse(readFileSync("wrangler.preview.json", "utf8")) as {
      env: { preview: { ratelimits: { namespace_id: string }[] } };
    };
    expect(config.env.preview.ratelimits.map((r) => r.namespace_id)).toEqual(["1000420", "1000421"]);
  });
});
