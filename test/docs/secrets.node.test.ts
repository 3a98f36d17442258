import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * No example in the README or docs/ puts a secret on a command line, where shell history and `ps`
 * keep it: secrets come from files (.dev.vars, `--secrets-file`, `set -a; . file`) or prompts.
 */
const SECRETS = [
  "JWT_SECRET",
  "JWT_SECRET_PREVIOUS",
  "DATABASE_URL",
  "MIGRATION_DATABASE_URL",
  "SMOKE_SECRET",
  "SMOKE_TOKEN",
  "METRICS_TOKEN",
  "CLOUDFLARE_API_TOKEN",
  "WEBHOOK_ENCRYPTION_KEY",
  "WEBHOOK_SECRET",
];
const onCommandLine = new RegExp(`(?:^|[\\s\`'"])(?:${SECRETS.join("|")})=\\S+.*\\b(?:npm|npx|node|wrangler|curl)\\b`);
const documents = ["README.md", ...readdirSync("docs").map((f) => `docs/${f}`)].filter((f) => f.endsWith(".md"));

describe("documentation examples", () => {
  it.each(documents)("%s puts no secret on a command line", (file) => {
    const offending = readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => onCommandLine.test(line));
    expect(offending).toEqual([]);
  });

  it("would catch one", () => {
    expect(
      onCommandLine.test("DATABASE_URL='postgres://u:p@h/db' JWT_SECRET='x' npm run release -- --env staging"),
    ).toBe(true);
    expect(onCommandLine.test("LOCAL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run dev")).toBe(
      false,
    );
  });
});
