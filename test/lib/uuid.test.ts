import { describe, expect, it } from "vitest";
import { canonicalSubject, isUuid } from "../../src/lib/uuid";

const id = "5d2f1c3b-0000-4000-8000-00000000abcd";

describe("isUuid", () => {
  it("accepts a textual UUID in either case", () => {
    expect(isUuid(id)).toBe(true);
    expect(isUuid(id.toUpperCase())).toBe(true);
  });

  it.each([
    ["with something before", `x${id}`],
    ["with something after", `${id}x`],
    ["inside a longer string", `urn:uuid:${id} `],
    ["without dashes", id.replaceAll("-", "")],
    ["with a non-hex digit", id.replace("a", "g")],
    ["empty", ""],
  ])("refuses one %s", (_label, value) => {
    expect(isUuid(value)).toBe(false);
  });
});

describe("canonicalSubject", () => {
  it("keys a UUID subject in lower case, however its issuer cased it", () => {
    expect(canonicalSubject(id.toUpperCase())).toBe(id);
    expect(canonicalSubject(id)).toBe(id);
  });

  it("keeps any other subject exactly as its issuer wrote it (provider subjects are case-sensitive)", () => {
    for (const subject of ["auth0|65F0aB", "user_2AbC", `${id.toUpperCase()}-X`]) {
      expect(canonicalSubject(subject)).toBe(subject);
    }
  });
});
