import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

/** Relative Markdown links of a document: `[text](path)` that is not a URL or an in-page anchor. */
function relativeLinks(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? "")
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith("#"));
}

const DOCS = readdirSync("docs")
  .filter((name) => name.endsWith(".md"))
  .map((name) => `docs/${name}`);

describe.each(["README.md", ...DOCS])("%s", (file) => {
  it("links only to files inside this repository, that exist", () => {
    for (const target of relativeLinks(file)) {
      const path = normalize(join(dirname(file), target.split("#")[0] ?? ""));
      expect(path.startsWith(".."), `${target} leaves the repository`).toBe(false);
      expect(existsSync(path), `${target} does not exist`).toBe(true);
    }
  });
});

describe("the README, as the front door", () => {
  it("links every document in docs/", () => {
    expect(relativeLinks("README.md").sort()).toEqual(expect.arrayContaining(DOCS.sort()));
  });

  it("stays at most 200 lines: the rest belongs in docs/", () => {
    expect(readFileSync("README.md", "utf8").split("\n").length).toBeLessThanOrEqual(200);
  });
});
