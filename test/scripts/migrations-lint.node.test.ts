import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** `npm run lint:migrations` on the given files (all committed migrations without): status and report. */
function lint(files: string[] = []): { status: number; output: string } {
  const result = spawnSync(process.execPath, ["scripts/lint-migrations.ts", ...files], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

function migration(sql: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "squawk-")), "0099_next.sql");
  writeFileSync(file, sql);
  return file;
}

const TIMEOUTS = "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '30s';\n";

describe("migration linting (squawk, and the SET rule)", () => {
  it("passes the committed migrations, whose exceptions are explicit", () => {
    const result = lint();
    expect(result.output).not.toMatch(/warning\[|error\[/);
    expect(result.status).toBe(0);
  });

  it.each([
    ["dropping a column", 'ALTER TABLE "orders" DROP COLUMN "total";', "ban-drop-column"],
    ["renaming a column", 'ALTER TABLE "orders" RENAME COLUMN "total" TO "amount";', "renaming-column"],
    [
      "a blocking index build",
      'CREATE INDEX "orders_total_idx" ON "orders" ("total");',
      "require-concurrent-index-creation",
    ],
  ])("fails a migration %s, which the running version would trip over", (_label, sql, rule) => {
    const result = lint([migration(`${TIMEOUTS}${sql}\n`)]);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(rule);
  });

  it("passes an expand step written the safe way", () => {
    expect(lint([migration(`${TIMEOUTS}ALTER TABLE "orders" ADD COLUMN IF NOT EXISTS "note" text;\n`)]).status).toBe(0);
  });

  it("fails a session-wide SET: the timeout belongs to the migration's transaction (SET LOCAL)", () => {
    const result = lint([migration(`SET lock_timeout = '2s';\nSET LOCAL statement_timeout = '30s';\nSELECT 1;\n`)]);
    expect(result.status).toBe(1);
    expect(result.output).toContain("`SET lock_timeout` must be `SET LOCAL lock_timeout`");
  });

  it("passes CREATE INDEX CONCURRENTLY in a migration without a transaction, and refuses a SET there", () => {
    const index =
      '-- migrate:no-transaction\n-- squawk-ignore-file require-lock-timeout, require-statement-timeout\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "orders_total_idx" ON "orders" ("total");\n';
    const ok = lint([migration(index)]);
    expect(ok.output).not.toMatch(/warning\[|error\[/);
    expect(ok.status).toBe(0);
    const withSet = lint([migration(index.replace("CREATE", "SET LOCAL lock_timeout = '2s';\nCREATE"))]);
    expect(withSet.status).toBe(1);
    expect(withSet.output).toContain("reaches no other statement: this migration has no transaction");
  });
});
