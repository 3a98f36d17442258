import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { cruise } from "dependency-cruiser";
import { describe, expect, it } from "vitest";

/**
 * The layer rules (.dependency-cruiser.cjs) against src/ as it is, and against copies of it with one
 * import added: each added import that runs against the layers is reported, naming the rule it breaks.
 */
const ruleSet = createRequire(import.meta.url)(resolve(".dependency-cruiser.cjs"));

async function violationsIn(baseDir: string): Promise<string[]> {
  // preserveSymlinks: a copy's node_modules is a link to the project's, and its packages stay inside the copy.
  const options = { ...ruleSet.options, ruleSet, baseDir, validate: true, preserveSymlinks: true };
  const { output } = await cruise(["src"], options);
  const result = output as { summary: { violations: { from: string; to: string; rule: { name: string } }[] } };
  return result.summary.violations.map((v) => `${v.from} → ${v.to} (${v.rule.name})`);
}

/** src/ copied beside node_modules, with `files` added (path → contents). */
function treeWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "layers-"));
  cpSync("src", join(dir, "src"), { recursive: true });
  cpSync("tsconfig.json", join(dir, "tsconfig.json"));
  cpSync("worker-configuration.d.ts", join(dir, "worker-configuration.d.ts"));
  writeFileSync(join(dir, "package.json"), "{}");
  symlinkSync(resolve("node_modules"), join(dir, "node_modules"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe("the layers of src/", () => {
  it("hold as the code is", async () => {
    expect(await violationsIn(process.cwd())).toEqual([]);
  });

  it.each([
    ["the domain reaches for webhooks", "src/domain/probe.ts", 'export { sign } from "../webhooks/signature";'],
    ["a service imports a repository", "src/services/probe.ts", 'export * from "../repositories/database";'],
    ["a new folder imports anything", "src/reports/monthly.ts", 'export * from "../domain/order";'],
    ["the domain imports Hono", "src/domain/probe.ts", 'export { Hono } from "hono";'],
    ["tokens import Hono beyond hono/jwt", "src/tokens/probe.ts", 'export { Hono } from "hono";'],
    ["a handler imports the composition root", "src/handlers/probe.ts", 'export * from "../isolate";'],
  ])("refuse it when %s", async (_case, path, text) => {
    const violations = await violationsIn(treeWith({ [path]: text }));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(new RegExp(`^${path.replace(".", "\\.")} → .* \\(not-in-allowed\\)$`));
  });
});
