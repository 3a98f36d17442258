import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { literalSecretsFile } from "../../../scripts/release/secrets-file.ts";

const dir = mkdtempSync(join(tmpdir(), "secrets-file-"));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** A value dotenv-expand would rewrite twice over: `$HOME` and `${PATH}`. */
const DOLLARS = ["ab$HOME", "{PATH}cd"].join("$");

describe("the Worker's secrets as the release hands them to wrangler", () => {
  it("takes NAME=value lines literally: $VAR is not expanded, and the environment overrides nothing", () => {
    process.env.DATABASE_URL = "postgres://owner:the-owners-password@host/db";
    const copy = literalSecretsFile(
      write("worker.env", `JWT_SECRET=${DOLLARS}\nDATABASE_URL='postgres://order_service_app:p$w@h/db'\n`),
    );
    expect(JSON.parse(readFileSync(copy.path, "utf8"))).toEqual({
      JWT_SECRET: DOLLARS,
      DATABASE_URL: "postgres://order_service_app:p$w@h/db",
    });
    expect(statSync(copy.path).mode & 0o777).toBe(0o600);
    copy.remove();
    expect(existsSync(copy.path)).toBe(false);
    delete process.env.DATABASE_URL;
  });

  it("takes a JSON file as written", () => {
    const copy = literalSecretsFile(
      write("worker.json", JSON.stringify({ JWT_SECRET: "$x", WEBHOOK_ENCRYPTION_KEY: "k" })),
    );
    expect(JSON.parse(readFileSync(copy.path, "utf8"))).toEqual({ JWT_SECRET: "$x", WEBHOOK_ENCRYPTION_KEY: "k" });
    copy.remove();
  });

  it("refuses a file with no secrets in it", () => {
    expect(() => literalSecretsFile(write("empty.env", "# nothing\n"))).toThrow(/holds no secrets/);
  });
});
