import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** Every npm script of ours that runs a file: `--help` prints its usage and exits 0, before doing anything. */
const scripts = Object.entries(
  (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts,
)
  .map(([name, command]) => [name, /^node ([\w/.-]+\.ts)$/.exec(command)?.[1]] as const)
  .filter(
    (entry): entry is readonly [string, string] => entry[1] !== undefined && entry[1] !== "scripts/docs-assets.ts",
  );

describe("every script answers --help", () => {
  it("covers the release, smoke, token and migration scripts", () => {
    expect(scripts.map(([name]) => name)).toEqual(
      expect.arrayContaining(["release", "deploy", "smoke", "token", "db:migrate"]),
    );
  });

  it.each(scripts)("npm run %s -- --help", (_name, file) => {
    const result = spawnSync(process.execPath, [file, "--help"], { encoding: "utf8", env: { PATH: process.env.PATH } });
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^usage: /);
    expect(result.status).toBe(0);
  });

  it("and an unknown option is a usage error, not a stack trace", () => {
    const result = spawnSync(process.execPath, ["scripts/release.ts", "--bogus"], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Unknown option '--bogus'");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
