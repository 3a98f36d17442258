import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * `npm run test:postgres` (CI) runs only the folders it names again on PostgreSQL. A test file that
 * reaches a database from anywhere else would run on PGlite alone; this keeps such files in those folders.
 */
const script = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts[
  "test:postgres"
];
const folders = (script ?? "").split(/\s+/).filter((word) => word.startsWith("test/"));

/** What a test reaches a database through: the SQL server's helpers, the app with its database, PostgreSQL. */
const REACHES_A_DATABASE =
  /support\/(database|live-app)|freshDatabase|TEST_DATABASE_URL|createProvider|start(Test)?SqlServer/;

const testFiles = readdirSync("test", { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".test.ts"))
  .map((file) => join("test", file));

describe("the PostgreSQL suites", () => {
  it("are folders of test/", () => {
    expect(folders).toEqual(expect.arrayContaining(["test/integration", "test/repositories"]));
  });

  it("hold every test file that reaches a database", () => {
    const outside = testFiles
      .filter((file) => !folders.some((folder) => file.startsWith(`${folder}/`)))
      // The checks themselves, which name what they look for.
      .filter(
        (file) => !["database-suites.node.test.ts", "unit-folders.node.test.ts"].includes(file.slice("test/".length)),
      )
      .filter((file) => REACHES_A_DATABASE.test(readFileSync(file, "utf8")));
    expect(outside).toEqual([]);
  });

  it("would catch one", () => {
    expect(REACHES_A_DATABASE.test('import { freshDatabase } from "../support/database";')).toBe(true);
    expect(REACHES_A_DATABASE.test("const sql = await startTestSqlServer();")).toBe(true);
    expect(REACHES_A_DATABASE.test('import { createFakeOrderRepository } from "../support/orders";')).toBe(false);
  });
});
