import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UNIT } from "./unit-folders";

/**
 * The project `unit` runs its files in one workerd, unisolated (vitest.config.ts): a file of it must
 * leave nothing running when it ends. What would: the worker itself (SELF, whose queue consumer works
 * on in the background), a database, or one of the run's local servers (test/global-setup.ts).
 */
const REACHES_OUT =
  /cloudflare:test|support\/(database|live-app|http|webhooks)\b|freshDatabase|serverStats|injectFaults|TEST_(JWKS_ENDPOINT|WEBHOOK_RECEIVERS)|env\.DATABASE_HTTP_ENDPOINT/;

const folders = UNIT.map((glob) => glob.replace(/\/\*\*\/\*\.test\.ts$/, ""));

const filesOf = (folder: string) =>
  readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".test.ts") && !file.endsWith(".node.test.ts"))
    .map((file) => join(folder, file));

describe("the unit project's folders", () => {
  it("are folders of test/, each with tests", () => {
    for (const folder of folders) {
      expect(folder).toMatch(/^test\/[a-z-]+$/);
      expect(filesOf(folder).length).toBeGreaterThan(0);
    }
  });

  it("hold no test that reaches the worker, a database or a local server", () => {
    const reaching = folders.flatMap(filesOf).filter((file) => REACHES_OUT.test(readFileSync(file, "utf8")));
    expect(reaching).toEqual([]);
  });

  it("would catch one", () => {
    expect(REACHES_OUT.test('import { SELF } from "cloudflare:test";')).toBe(true);
    expect(REACHES_OUT.test('import { freshDatabase } from "../support/database";')).toBe(true);
    expect(REACHES_OUT.test("const endpoint = env.TEST_JWKS_ENDPOINT;")).toBe(true);
    expect(REACHES_OUT.test("createDatabase({ url, httpEndpoint: env.DATABASE_HTTP_ENDPOINT })")).toBe(true);
    expect(REACHES_OUT.test(`["DATABASE_HTTP_ENDPOINT", "ftp://x/sql"]`)).toBe(false);
    expect(REACHES_OUT.test('import { testApp } from "../support/test-app";')).toBe(false);
  });
});
