import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { experimental_readRawConfig, unstable_startWorker } from "wrangler";
import type { SqlServer } from "../../dev/sql-server/server.ts";
import { type Edge, startEdge } from "../support/node/edge.ts";
import { startTestSqlServer } from "../support/node/sql-server.ts";
import type { DoubleState } from "../support/node/wrangler-double.ts";

/**
 * `npm run release` end to end, offline: wrangler is the double (test/support/node/wrangler-double.ts),
 * Cloudflare's edge is edge.ts in front of the real worker (wrangler's local runtime), the database is
 * the local SQL server over Neon's protocol. Each scenario asserts the exact wrangler commands, in order,
 * and that nothing ran past a failure.
 */
const WORKER = "order-service-staging";
const SMOKE_SECRET = "smoke-key-of-the-release-tests-0123456789";
const JWT_SECRET = "jwt-secret-only-the-worker-holds-0123456789";
const WEBHOOK_ENCRYPTION_KEY = "webhook-key-only-the-worker-holds-0123456789";
const dir = mkdtempSync(join(tmpdir(), "release-test-"));
const database = `ot_release_${process.pid}`;

let sql: SqlServer;
let worker: Awaited<ReturnType<typeof unstable_startWorker>>;
let edge: Edge;
let statePath = "";
let baseConfig: Record<string, unknown>;

beforeAll(async () => {
  sql = await startTestSqlServer();
  baseConfig = experimental_readRawConfig({ config: "wrangler.toml" }).rawConfig as Record<string, unknown>;
  worker = await unstable_startWorker({
    config: "wrangler.toml",
    env: "staging",
    bindings: {
      JWT_SECRET: { type: "plain_text", value: JWT_SECRET },
      WEBHOOK_ENCRYPTION_KEY: { type: "plain_text", value: WEBHOOK_ENCRYPTION_KEY },
      SMOKE_SECRET: { type: "plain_text", value: SMOKE_SECRET },
      DATABASE_URL: { type: "plain_text", value: `postgres://order_service_app:app@localhost/${database}` },
      DATABASE_HTTP_ENDPOINT: { type: "plain_text", value: sql.url },
    },
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, logLevel: "none" },
  });
  await worker.ready;
  edge = await startEdge({ statePath: () => statePath, workerName: WORKER, origin: (await worker.url).toString() });
}, 120_000);
afterAll(async () => {
  await edge?.close();
  await worker?.dispose();
  await sql?.close();
});

/** Staging's queues (wrangler.toml), which a serving account has and an empty one lacks. */
const QUEUES = ["order-events-staging", "order-events-staging-slow", "order-events-staging-dlq"];

/** The account as a test starts it: empty, or with one version serving everything. */
function account(kind: "empty" | "serving", extra: Partial<DoubleState> = {}): void {
  const serving: DoubleState["workers"] = {
    [WORKER]: {
      versions: [
        {
          id: "00000000-0000-4000-8000-000000000001",
          migrationTag: null,
          secrets: ["DATABASE_URL", "JWT_SECRET", "WEBHOOK_ENCRYPTION_KEY"],
        },
      ],
      deployments: [{ versions: [{ version_id: "00000000-0000-4000-8000-000000000001", percentage: 100 }] }],
      migrationTag: null,
      crons: ["* * * * *", "17 * * * *"],
    },
  };
  statePath = join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
  const account = kind === "serving" ? { workers: serving, queues: QUEUES } : { workers: {}, queues: [] };
  writeFileSync(statePath, JSON.stringify({ ...account, calls: [], ...extra }));
}
const state = () => JSON.parse(readFileSync(statePath, "utf8")) as DoubleState;
/** Each wrangler invocation as `command subcommand …`, without the --env/--config every call carries. */
function commands(): string[] {
  return state().calls.map(({ argv }) => {
    const kept: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === "--env" || argv[i] === "--config") i++;
      else kept.push(argv[i] ?? "");
    }
    return kept.join(" ");
  });
}

/** A configuration the release and the double read: wrangler.toml, changed as a scenario needs. */
interface EditableConfig {
  migrations?: { tag: string; new_sqlite_classes?: string[] }[];
  env: { staging: { triggers?: { crons: string[] } } };
}

function config(change: (c: EditableConfig) => void = () => {}): string {
  const copy = structuredClone(baseConfig) as unknown as EditableConfig;
  change(copy);
  const path = join(dir, `wrangler-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(copy));
  return path;
}

const NEW = "00000000-0000-4000-8000-000000000002";
const OLD = "00000000-0000-4000-8000-000000000001";
const secretsFile = join(dir, "secrets.env");
writeFileSync(
  secretsFile,
  `JWT_SECRET=${JWT_SECRET}\nWEBHOOK_ENCRYPTION_KEY=${WEBHOOK_ENCRYPTION_KEY}\nDATABASE_URL=postgres://order_service_app:app@localhost/${database}\n`,
);

function release(args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["scripts/release.ts", "--env", "staging", "--url", edge.url, "--skip-checks", "--ramp-wait", "0", ...args],
      {
        encoding: "utf8",
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          RELEASE_WRANGLER: "test/support/node/wrangler-double.ts",
          WRANGLER_DOUBLE_STATE: statePath,
          CLOUDFLARE_API_TOKEN: "cf-token",
          MIGRATION_DATABASE_URL: `postgres://owner:owner@localhost/${database}`,
          DATABASE_HTTP_ENDPOINT: sql.url,
          SMOKE_SECRET,
          ...env,
        },
      },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

beforeEach(() => {
  edge.served.length = 0;
});

/** The release's database, as its schema owner. */
function owner() {
  neonConfig.fetchEndpoint = sql.url;
  return neon(`postgres://owner:owner@localhost/${database}`);
}
/** The newest migration's `when`: what a release that reached all traffic records. */
const NEWEST = Math.max(
  ...(JSON.parse(readFileSync("migrations/meta/_journal.json", "utf8")) as { entries: { when: number }[] }).entries.map(
    (e) => e.when,
  ),
);
/** What the database says the version serving all traffic shipped (0: nothing recorded). */
async function shippedThrough(): Promise<number> {
  const rows = await owner().query("SELECT through FROM drizzle.order_service_shipped WHERE id = 1");
  return Number(rows[0]?.through ?? 0);
}
async function shippedVersion(): Promise<string | null> {
  const rows = await owner().query("SELECT version_id FROM drizzle.order_service_shipped WHERE id = 1");
  return (rows[0]?.version_id as string | null | undefined) ?? null;
}
/** Forgets what earlier releases recorded, so a scenario shows what its own release records. */
async function forgetShipped(): Promise<void> {
  await owner().query(
    "DO $$ BEGIN IF to_regclass('drizzle.order_service_shipped') IS NOT NULL THEN " +
      "DELETE FROM drizzle.order_service_shipped; END IF; END $$",
  );
}

describe("npm run release, against the wrangler double", () => {
  it("refuses a first release without the Worker's secrets before migrating anything", async () => {
    account("empty");
    const { code, output } = await release(["--config", config()]);
    expect(code).toBe(1);
    expect(output).toContain(`${WORKER} does not exist yet: its first deploy needs the Worker's secrets`);
    expect(output).not.toContain("▶ [3/4] migrations");
    expect(commands()).toEqual(["deployments status --json"]);
  });

  it("makes the first release with wrangler deploy, secrets included, and smoke-tests it", async () => {
    account("empty");
    await forgetShipped();
    const { code, output } = await release(["--config", config(), "--secrets-file", secretsFile]);
    expect(output).toContain(
      "does not exist yet, and `versions upload` cannot create it: `wrangler deploy`, 100 % at once",
    );
    expect(output).toContain("smoke test passed");
    expect(code).toBe(0);
    expect(commands()).toEqual([
      "deployments status --json",
      ...QUEUES.flatMap((q) => [`queues info ${q}`, `queues create ${q}`]),
      // The secrets file as a JSON copy, which wrangler takes literally (scripts/release/secrets-file.ts).
      expect.stringMatching(
        /^deploy --minify --message release .* --secrets-file .*release-secrets-.*\/secrets\.json$/,
      ),
    ]);
    const created = state().workers[WORKER];
    expect(created?.deployments.at(-1)?.versions).toEqual([{ version_id: OLD, percentage: 100 }]);
    expect(created?.crons).toEqual(["17 * * * *"]);
    expect(created?.versions[0]?.secrets.sort()).toEqual(["DATABASE_URL", "JWT_SECRET", "WEBHOOK_ENCRYPTION_KEY"]);
    expect(state().queues).toEqual(QUEUES);
    expect(await shippedThrough()).toBe(NEWEST);
  });

  it("ships a routine release at 0 %, smoke-tests that version through the override header, then ramps to 10 %", async () => {
    account("serving");
    await forgetShipped();
    const { code, output } = await release(["--config", config(), "--percentage", "10"]);
    expect(code).toBe(0);
    expect(commands()).toEqual([
      "deployments status --json",
      ...QUEUES.map((q) => `queues info ${q}`),
      expect.stringMatching(/^versions upload --message /),
      `versions deploy ${NEW}@0% ${OLD}@100% --yes`,
      `versions deploy ${NEW}@10% ${OLD}@90% --yes`,
    ]);
    // The smoke tests at 0 % and at 10 % reached the new version, not the old one.
    expect(edge.served.length).toBeGreaterThan(10);
    expect(new Set(edge.served)).toEqual(new Set([NEW]));
    expect(output).toContain(
      `left at 10 %: finish with \`npm run wrangler -- versions deploy ${NEW}@100% --env staging --yes\``,
    );
    // The old version still serves 90 %: its contract steps must wait, so nothing is recorded.
    expect(await shippedThrough()).toBe(0);
  });

  it("ramps through every stage to 100 % and then applies the changed cron with triggers deploy", async () => {
    account("serving");
    const changed = config((c) => {
      c.env.staging.triggers = { crons: ["*/5 * * * *"] };
    });
    await forgetShipped();
    const { code, output } = await release(["--config", changed, "--percentage", "10,50,100"]);
    expect(code).toBe(0);
    expect(commands()).toEqual([
      "deployments status --json",
      ...QUEUES.map((q) => `queues info ${q}`),
      expect.stringMatching(/^versions upload /),
      `versions deploy ${NEW}@0% ${OLD}@100% --yes`,
      `versions deploy ${NEW}@10% ${OLD}@90% --yes`,
      `versions deploy ${NEW}@50% ${OLD}@50% --yes`,
      `versions deploy ${NEW}@100% --yes`,
      "triggers deploy",
    ]);
    expect(state().workers[WORKER]?.crons).toEqual(["*/5 * * * *"]);
    expect(await shippedThrough()).toBe(NEWEST);
    expect(await shippedVersion()).toBe(NEW);
    expect(output).toContain(`recorded in the database: ${NEW} serves all traffic with every migration`);
    expect(output).toContain("the database stops the worker's statements after 5000 ms (DB_TIMEOUT_MS)");
    const settings = await owner().query(
      "SELECT unnest(setconfig) AS setting FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole " +
        "WHERE r.rolname = 'order_service_app' ORDER BY 1",
    );
    expect(settings.map((r) => r.setting)).toEqual(
      expect.arrayContaining(["lock_timeout=5000ms", "statement_timeout=5000ms"]),
    );
  });

  it("forgets the database's record when another version serves than the one it names (a rollback by hand)", async () => {
    account("serving");
    await owner().query(
      "INSERT INTO drizzle.order_service_shipped (id, through, version_id) VALUES (1, $1, $2) " +
        "ON CONFLICT (id) DO UPDATE SET through = excluded.through, version_id = excluded.version_id",
      [NEWEST, "00000000-0000-4000-8000-00000000000f"],
    );
    const { code } = await release(["--config", config(), "--percentage", "10"]);
    expect(code).toBe(0);
    // OLD serves, not the version recorded: contract steps wait until a release reaches 100 % again.
    expect(await shippedThrough()).toBe(0);
    expect(await shippedVersion()).toBeNull();
  });

  it("deploys a release that adds a Durable Object class with wrangler deploy, which alone applies its migration", async () => {
    account("serving");
    const withClass = config((c) => {
      c.migrations = [{ tag: "v1", new_sqlite_classes: ["OrderEvents"] }];
    });
    const { code, output } = await release(["--config", withClass, "--percentage", "10"]);
    expect(output).toContain("this release carries a Durable Object migration, which only `wrangler deploy` applies");
    expect(code).toBe(0);
    expect(commands()).toEqual([
      "deployments status --json",
      ...QUEUES.map((q) => `queues info ${q}`),
      expect.stringMatching(/^versions upload /),
      expect.stringMatching(/^deploy --minify --message /),
    ]);
    expect(state().workers[WORKER]?.migrationTag).toBe("v1");
  });

  it("stops when the new version fails its smoke test at 0 %: the old one keeps all traffic", async () => {
    account("serving", { nextVersionBroken: true });
    await forgetShipped();
    const { code, output } = await release(["--config", config(), "--percentage", "100"]);
    expect(code).toBe(1);
    expect(commands()).toEqual([
      "deployments status --json",
      ...QUEUES.map((q) => `queues info ${q}`),
      expect.stringMatching(/^versions upload /),
      `versions deploy ${NEW}@0% ${OLD}@100% --yes`,
    ]);
    expect(output).toContain(`the smoke test of version ${NEW} failed; ${OLD} still serves all traffic`);
    expect(output).toContain(`Cloudflare-Workers-Version-Overrides: ${WORKER}="${NEW}"`);
    expect(await shippedThrough()).toBe(0);
  });

  it("stops at the migrations when one fails: nothing is uploaded", async () => {
    account("serving");
    const broken = `ot_release_broken_${process.pid}`;
    // A table the first migration creates, already there: its CREATE TABLE fails.
    const db = neon(`postgres://owner:owner@localhost/${broken}`);
    neonConfig.fetchEndpoint = sql.url;
    await db.query('CREATE TABLE "orders" (id int)');
    const { code, output } = await release(["--config", config()], {
      MIGRATION_DATABASE_URL: `postgres://owner:owner@localhost/${broken}`,
    });
    expect(code).toBe(1);
    expect(output).toContain("migration 0000_init failed and was rolled back");
    expect(commands()).toEqual(["deployments status --json", ...QUEUES.map((q) => `queues info ${q}`)]);
    expect(await db.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'order_items'")).toEqual([
      { n: 0 },
    ]);
  });

  it("refuses to start while a gradual rollout is still in progress", async () => {
    account("serving");
    const s = state();
    const w = s.workers[WORKER];
    w?.versions.push({ id: NEW, migrationTag: null, secrets: [] });
    w?.deployments.push({
      versions: [
        { version_id: NEW, percentage: 10 },
        { version_id: OLD, percentage: 90 },
      ],
    });
    writeFileSync(statePath, JSON.stringify(s));
    const { code, output } = await release(["--config", config()]);
    expect(code).toBe(1);
    expect(output).toContain(`a gradual rollout of ${WORKER} is in progress (${NEW} at 10 %, ${OLD} at 90 %)`);
    expect(commands()).toEqual(["deployments status --json"]);
  });

  it("gives wrangler its own credentials and none of the release's secrets", async () => {
    account("serving");
    await release(["--config", config()]);
    expect(state().calls.length).toBeGreaterThan(3);
    for (const call of state().calls) expect(call.secretsInEnvironment).toEqual([]);
  });

  it("prints no part of a malformed MIGRATION_DATABASE_URL", async () => {
    account("serving");
    const { code, output } = await release(["--config", config()], {
      MIGRATION_DATABASE_URL: "postgres://owner:s3cret-Pa55word@ho st:5432/db name",
    });
    expect(code).toBe(1);
    expect(output).toContain("release stopped");
    expect(output).not.toMatch(/s3cret|Pa55word|owner:/);
  });

  it("stops at preflight when the API token lacks a permission, naming it in one line, before migrating or uploading", async () => {
    // The "Edit Cloudflare Workers" template: Workers Scripts, KV, R2, Tail, Routes; no Queues
    // (https://developers.cloudflare.com/fundamentals/api/reference/template/).
    const template = [
      "Workers Scripts:Edit",
      "Workers KV Storage:Edit",
      "Workers R2 Storage:Edit",
      "Workers Tail:Read",
    ];
    account("serving", { token: { permissions: template } });
    const { code, output } = await release(["--config", config()]);
    expect(code).toBe(1);
    const stop = output.split("\n").filter((line) => line.startsWith("✘ release stopped"));
    expect(stop).toEqual([
      "✘ release stopped: the API token may not `wrangler queues info` (Cloudflare: Authentication error [code: 10000]): give it Account · Queues · Edit (docs/deploying.md, step 3)",
    ]);
    expect(output).not.toContain("▶ [3/4] migrations");
    expect(commands()).toEqual(["deployments status --json", `queues info ${QUEUES[0]}`]);

    account("serving", { token: { permissions: ["Queues:Edit"] } });
    expect((await release(["--config", config()])).output).toContain(
      "the API token may not `wrangler deployments status` (Cloudflare: Authentication error [code: 10000]): give it Account · Workers Scripts · Edit",
    );
  });

  it("releases with the token docs/deploying.md lists", async () => {
    account("serving", { token: { permissions: ["Workers Scripts:Edit", "Queues:Edit", "Account Settings:Read"] } });
    const { code } = await release(["--config", config(), "--percentage", "10"]);
    expect(code).toBe(0);
  });

  it("reads the version ids from wrangler's records, whatever its prose says", async () => {
    account("serving", { reworded: true });
    await forgetShipped();
    const { code, output } = await release(["--config", config()]);
    expect(output).not.toContain("Worker Version ID");
    expect(code).toBe(0);
    expect(await shippedVersion()).toBe(NEW);
  });

  it("refuses a bad --percentage, --env and --url before asking anything", async () => {
    account("serving");
    for (const [args, message] of [
      [["--percentage", "50,10"], "--percentage must be ascending whole percentages"],
      [["--percentage", "0"], "--percentage must be ascending"],
      [["--env", "prod"], "--env must be one of staging, production"],
      [["--url", "ftp://x"], "--url (or RELEASE_URL) must be the environment's base URL"],
    ] as const) {
      const { code, output } = await release(["--config", config(), ...args]);
      expect(code).toBe(1);
      expect(output).toContain(message);
    }
    expect(commands()).toEqual([]);
  });
});
