import { describe, expect, it } from "vitest";
import { derivedAesKeys } from "../../src/lib/derived-keys";

const SECRET = "a-secret-that-is-at-least-32-bytes-long!";
const OLD = "an-older-secret-at-least-32-bytes-long!!";

async function roundTrip(seal: CryptoKey, open: CryptoKey): Promise<boolean> {
  const iv = new Uint8Array(12);
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, seal, new TextEncoder().encode("x"));
  return crypto.subtle.decrypt({ name: "AES-GCM", iv }, open, sealed).then(
    () => true,
    () => false,
  );
}

describe("AES keys derived from secrets", () => {
  it("gives one key per secret, current first, that cannot be exported", async () => {
    const keys = await derivedAesKeys([SECRET, OLD], "label")();
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key.extractable).toBe(false);
      expect(key.algorithm).toMatchObject({ name: "AES-GCM", length: 256 });
      expect(key.usages.toSorted()).toEqual(["decrypt", "encrypt"]);
    }
    const [again] = await derivedAesKeys([SECRET], "label")();
    expect(await roundTrip(keys[0], again as CryptoKey)).toBe(true);
    expect(await roundTrip(keys[1] as CryptoKey, again as CryptoKey)).toBe(false);
  });

  it("derives another key for another label, so a setting never doubles as anything else", async () => {
    const [cursors] = await derivedAesKeys([SECRET], "cursors")();
    const [webhooks] = await derivedAesKeys([SECRET], "webhook secrets")();
    expect(await roundTrip(cursors, webhooks)).toBe(false);
  });

  it("derives once per isolate, on first use", async () => {
    const keys = derivedAesKeys([SECRET], "label");
    expect(await keys()).toBe(await keys());
  });
});
