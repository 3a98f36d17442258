import { describe, expect, it } from "vitest";
import { VISIBLE_TOKEN } from "../../src/lib/visible-token";

describe("a visible token (an Idempotency-Key, a provider's subject)", () => {
  it("is 1 to 255 visible ASCII characters", () => {
    for (const token of ["a", "auth0|65f0ab", "user_2ab~!", "!".repeat(255), "~"]) {
      expect(VISIBLE_TOKEN.test(token), token).toBe(true);
    }
  });

  it("is never empty, longer than 255, or holding a space, a control character or non-ASCII", () => {
    for (const token of ["", "x".repeat(256), "a b", " a", "a ", "a\\tb", "a\\nb", "caf\\u00e9", "\\u007f"]) {
      expect(VISIBLE_TOKEN.test(JSON.parse(`"${token}"`)), token).toBe(false);
    }
  });
});
