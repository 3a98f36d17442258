/**
 * AES-256-GCM keys derived from secrets (HMAC-SHA-256 of a label under each secret), so a setting
 * never doubles as anything else: cursors and sealed webhook secrets each have their label. Derived
 * once, on first use; the first key is the current one, the others open what older ones sealed.
 */
type Keys = [CryptoKey, ...CryptoKey[]];

export function derivedAesKeys(secrets: readonly [string, ...string[]], label: string): () => Promise<Keys> {
  const encoder = new TextEncoder();
  const derive = (secret: string) =>
    crypto.subtle
      .importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then((base) => crypto.subtle.sign("HMAC", base, encoder.encode(label)))
      .then((derived) => crypto.subtle.importKey("raw", derived, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]));
  let keys: Promise<Keys> | undefined;
  return () => {
    keys ??= Promise.all(secrets.map(derive)) as Promise<Keys>;
    return keys;
  };
}
