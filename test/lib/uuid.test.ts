import { describe, expect, it } from "vitest";
import { isUuid } from "../../src/lib/uuid";

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
