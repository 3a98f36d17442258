import { derivedAesKeys } from "../lib/derived-keys";

/**
 * Seals webhook signing secrets for the database: AES-256-GCM under a key derived from
 * WEBHOOK_ENCRYPTION_KEY. Sealed with the current key, opened with the current or the previous one
 * (WEBHOOK_ENCRYPTION_KEY_PREVIOUS), so the key rotates like JWT_SECRET (docs/configuration.md).
 */
export interface SecretBox {
  seal(plain: string): Promise<string>;
  /** The secret, and whether it was sealed with an older key (and should be sealed again). */
  open(sealed: string): Promise<{ plain: string; stale: boolean }>;
}

const VERSION = "v1.";
const IV_BYTES = 12;

export function createSecretBox(keys: readonly [string, ...string[]]): SecretBox {
  const encoder = new TextEncoder();
  const aesKeys = derivedAesKeys(keys, "order-service/webhook-secret/v1");

  return {
    async seal(plain) {
      const [current] = await aesKeys();
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt({ name: "AES-GCM", iv }, current, encoder.encode(plain)),
      );
      const bytes = new Uint8Array(IV_BYTES + sealed.byteLength);
      bytes.set(iv);
      bytes.set(sealed, IV_BYTES);
      return VERSION + bytes.toBase64();
    },
    async open(text) {
      if (!text.startsWith(VERSION)) throw new Error("not a sealed webhook secret");
      const bytes = Uint8Array.fromBase64(text.slice(VERSION.length));
      const params = { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES) };
      const all = await aesKeys();
      for (const [i, key] of all.entries()) {
        const opened = await crypto.subtle.decrypt(params, key, bytes.subarray(IV_BYTES)).catch(() => undefined);
        if (opened) return { plain: new TextDecoder().decode(opened), stale: i > 0 };
      }
      throw new Error("no webhook encryption key opens this secret");
    },
  };
}
