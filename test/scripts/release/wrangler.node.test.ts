import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { WRANGLER_REFUSALS } from "../../../scripts/release/wrangler.ts";

/**
 * What the release reads of wrangler, held to the wrangler in the lockfile: an upgrade that renames a
 * record or rewords a refusal fails here, in `npm test`, instead of in a release. The double
 * (test/support/node/wrangler-double.ts) writes the same records.
 */
const source = readFileSync("node_modules/wrangler/wrangler-dist/cli.js", "utf8");

/** The fields wrangler's `writeOutput({ type: "<type>", … })` call for that record sets. */
function recordFields(type: string): string {
  const at = source.search(new RegExp(`writeOutput\\(\\{\\s*type: "${type}"`));
  expect(at, `wrangler writes no "${type}" record`).toBeGreaterThanOrEqual(0);
  return source.slice(at, source.indexOf("});", at));
}

describe("wrangler's machine-readable output, as the release reads it", () => {
  it("is written where WRANGLER_OUTPUT_FILE_PATH says, one JSON record a line", () => {
    expect(source).toContain('variableName: "WRANGLER_OUTPUT_FILE_PATH"');
    expect(source).toMatch(/appendFileSync\(outputFilePath, entryJSON \+ "\\n"\)/);
  });

  it.each([
    ["deploy", "version_id:"],
    ["version-upload", "version_id:"],
    ["command-failed", "code,"],
  ])("has a %s record with %s", (type, field) => {
    expect(recordFields(type)).toContain(field);
  });

  it("puts the Cloudflare API's error code on a failed API call", () => {
    // throwFetchError: the first error's code becomes the APIError's `code`, which command-failed carries.
    expect(source).toMatch(/const code = errors\[0\]\?\.code;\s*if \(code\) \{\s*error\d*\.code = code;/);
  });

  it.each(Object.entries(WRANGLER_REFUSALS))(
    "still words the refusal %s with the phrase the release knows",
    (_name, phrase) => {
      expect(source).toContain(phrase);
    },
  );
});
