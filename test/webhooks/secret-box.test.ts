import { describe, expect, it } from "vitest";
import { createSecretBox } from "../../src/webhooks/secret-box";

const OLD = "old-webhook-encryption-key-0123456789abcdef";
const NEW = "new-webhook-encryption-key-0123456789abcdef";

describe("the secret box", () => {
  it("seals so the text reveals nothing and opens what it sealed", async () => {
    const box = createSecretBox([NEW]);
    const sealed = await box.seal("whsec_c2VjcmV0");
    expect(sealed).not.toContain("c2VjcmV0");
    expect(await box.seal("whsec_c2VjcmV0")).not.toBe(sealed);
    expect(await box.open(sealed)).toEqual({ plain: "whsec_c2VjcmV0", stale: false });
  });

  it("opens with the previous key after a rotation and says so", async () => {
    const sealed = await createSecretBox([OLD]).seal("whsec_b2xk");
    expect(await createSecretBox([NEW, OLD]).open(sealed)).toEqual({ plain: "whsec_b2xk", stale: true });
    await expect(createSecretBox([NEW]).open(sealed)).rejects.toThrow(/no webhook encryption key opens/);
  });

  it("refuses text it did not seal, and tampered text", async () => {
    const box = createSecretBox([NEW]);
    await expect(box.open("whsec_plain")).rejects.toThrow(/not a sealed/);
    const sealed = await box.seal("whsec_dGFtcGVy");
    const flipped = `${sealed.slice(0, -4)}${sealed.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
    await expect(box.open(flipped)).rejects.toThrow();
  });

  it("opens a secret sealed by an earlier release: the key's derivation and the format are stored data's contract", async () => {
    const box = createSecretBox(["stored-secrets-fixture-key-0123456789abcdef"]);
    const sealed =
      "v1.5IEaAXRKzqSuYWqmzFNoSpCJRK/f4kIKyP2bbPs3yFytVgBWsUZYJIy0k3R0ycClRRe885kI/gt6wGK8GzO7QLaDKv+PcIDTSok=";
    expect(await box.open(sealed)).toEqual({ plain: "whsec_c3RvcmVkIGluIGFuIGVhcmxpZXIgcmVsZWFzZQ==", stale: false });
  });
});
