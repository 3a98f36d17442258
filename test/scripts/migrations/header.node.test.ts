import { describe, expect, it } from "vitest";
import { migrationHeader } from "../../../scripts/migrations/header.ts";

describe("migrationHeader", () => {
  it("reads a plain migration as one transaction with no expand step", () => {
    expect(migrationHeader("CREATE TABLE a (id int);")).toEqual({ transactional: true, contractAfter: undefined });
  });

  it("runs statement by statement only when the first line says so", () => {
    expect(migrationHeader("\n-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON a (id);").transactional).toBe(
      false,
    );
    expect(migrationHeader("-- why\n-- migrate:no-transaction\nCREATE INDEX i ON a (id);").transactional).toBe(true);
  });

  it("finds the contract step's expand step among the leading comment lines, with the other marker", () => {
    const sql = [
      "-- migrate:no-transaction",
      "  -- migrate:contract-after 0004_customer_subject  ",
      "-- squawk-ignore-file require-concurrent-index-creation",
      "DROP INDEX CONCURRENTLY IF EXISTS i;",
    ].join("\n");
    expect(migrationHeader(sql)).toEqual({ transactional: false, contractAfter: "0004_customer_subject" });
    expect(migrationHeader("-- migrate:contract-after 0001_a").contractAfter).toBe("0001_a");
  });

  it("ignores a marker after the first statement, and one that names nothing", () => {
    expect(migrationHeader("DROP TABLE a;\n-- migrate:contract-after 0001_a").contractAfter).toBeUndefined();
    expect(migrationHeader("-- migrate:contract-after\nDROP TABLE a;").contractAfter).toBeUndefined();
  });
});
