import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/domain/app-error";

/** The "Error codes" table of the contract, as code → status. */
function contractCodes(): Record<string, number> {
  const text = readFileSync("docs/API.md", "utf8");
  const section = text.slice(text.indexOf("## Error codes"), text.indexOf("\n## ", text.indexOf("## Error codes") + 1));
  const rows = [...section.matchAll(/^\| ([A-Z_]+) \| (\d{3}) \|/gm)];
  return Object.fromEntries(rows.map((m) => [m[1], Number(m[2])]));
}

describe("the error codes", () => {
  it("are exactly those of docs/API.md, with the same statuses", () => {
    const contract = contractCodes();
    expect(Object.keys(contract).length).toBeGreaterThan(10);
    const code = Object.fromEntries(Object.entries(ERROR_CODES).map(([name, { status }]) => [name, status]));
    expect(code).toEqual(contract);
  });
});
