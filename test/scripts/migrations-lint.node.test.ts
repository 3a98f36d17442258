import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** squawk with the project's settings (.squawk.toml), on the given files; its exit status and report. */
function squawk(files: string[]): { status: number; output: string } {
  try {
    const output = execFileSync("node_modules/.bin/squawk", ["--config", ".squawk.toml", ...files], {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    return { status: 0, output };
  } catch (err) {
    const e = err as { status: number; stdout: string };
    return { status: e.status, output: e.stdout };
  }
}

function migration(sql: string): string {
  const dir = mkdtempSync(join(tmpdir(), "squawk-"));
  const file = join(dir, "0099_next.sql");
  writeFileSync(file, sql);
  return file;
}

describe("migration linting (squawk)", () => {
  it("passes the committed migrations, whose exceptions are explicit", () => {
    const result = squawk([
      "migrations/0000_init.sql",
      "migrations/0001_keyset_index_order.sql",
      "migrations/0002_idempotency_snapshot.sql",
    ]);
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
    const result = squawk([migration(`SET lock_timeout = '2s';\nSET statement_timeout = '30s';\n${sql}\n`)]);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(rule);
  });

  it("passes an expand step written the safe way", () => {
    const sql = `SET lock_timeout = '2s';\nSET statement_timeout = '30s';\nALTER TABLE "orders" ADD COLUMN IF NOT EXISTS "note" text;\n`;
    expect(squawk([migration(sql)]).status).toBe(0);
  });
});
