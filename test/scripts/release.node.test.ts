import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProvider } from "../../dev/sql-server/provider.ts";
import { type SqlServer, startSqlServer } from "../../dev/sql-server/server.ts";

let server: SqlServer;
beforeAll(async () => {
  // An empty database behind the local server speaking Neon's protocol: what a release meets.
  server = await startSqlServer({ provider: createProvider({ createDatabases: true, dropCreatedOnClose: true }) });
});
afterAll(() => server.close());

function release(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["scripts/release.ts", ...args],
      { env: { ...process.env, DATABASE_URL: "", ...env }, encoding: "utf8" },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

describe("npm run release", () => {
  it("refuses an unknown environment and a missing URL before touching anything", async () => {
    expect(await release(["--env", "prod", "--url", "http://x.test"], {})).toMatchObject({
      code: 1,
      output: expect.stringContaining("--env must be one of staging, production"),
    });
    expect((await release(["--env", "staging"], {})).output).toContain("--url (or RELEASE_URL)");
  });

  it("stops at the migrations, clearly, without the environment's DATABASE_URL", async () => {
    const { code, output } = await release(["--env", "staging", "--url", "http://127.0.0.1:9", "--skip-checks"], {});
    expect(code).toBe(1);
    expect(output).toContain("▶ [2/5] migrations");
    expect(output).toContain("✘ release stopped: DATABASE_URL is not set for staging");
    expect(output).not.toContain("[3/5]");
  });

  it("applies pending migrations over the HTTP driver, once, then stops when the smoke test fails", async () => {
    const env = {
      DATABASE_URL: `postgres://release:release@localhost/ot_release_${process.pid}`,
      DATABASE_HTTP_ENDPOINT: server.url,
      JWT_SECRET: "release-test-secret-of-at-least-32-bytes",
    };
    const args = ["--env", "staging", "--url", "http://127.0.0.1:9", "--dry-run", "--skip-checks"];
    const { entries } = JSON.parse(readFileSync("migrations/meta/_journal.json", "utf8")) as { entries: unknown[] };
    const n = entries.length;
    const first = await release(args, env);
    expect(first.output).toContain(`${n} pending migration(s) applied; ${n} in the journal`);
    expect(first.output).toContain("dry run: nothing uploaded");
    expect(first.output).toContain("▶ [5/5] smoke");
    expect(first.output).toContain("FAIL  GET /healthz is 200");
    expect(first.output).toContain("✘ release stopped: the smoke test failed against http://127.0.0.1:9");
    expect(first.output).toContain("npm run wrangler -- rollback --env staging");
    expect(first.code).toBe(1);

    const again = await release(args, env);
    expect(again.output).toContain(`0 pending migration(s) applied; ${n} in the journal`);
  });
});
