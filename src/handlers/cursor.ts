import { isUuid } from "../domain/uuid";
import type { ListPosition } from "../services/order-repository";
import { validationError } from "./validation";

/**
 * Opaque, tamper-evident page cursors: base64url(JSON position) + "." + base64url(HMAC-SHA256).
 * A forged, truncated or foreign cursor is a VALIDATION_ERROR, never a 500 or someone's data.
 */
export interface CursorCodec {
  encode(position: ListPosition): Promise<string>;
  decode(cursor: string): Promise<ListPosition>;
}

const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

const invalid = () => validationError([{ path: "query.cursor", message: "is not a cursor this API issued" }]);

/**
 * Cursors are signed with the first secret (the current JWT_SECRET) and accepted under any of them,
 * so rotating the secret never breaks a client halfway through a listing.
 */
export function createCursorCodec(secrets: readonly [string, ...string[]]): CursorCodec {
  const encoder = new TextEncoder();
  // A key of its own, derived from each secret, so cursors never double as anything else.
  // Derived once per isolate, on first use.
  const derive = (secret: string) =>
    crypto.subtle
      .importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then((base) => crypto.subtle.sign("HMAC", base, encoder.encode("order-service/cursor/v1")))
      .then((derived) =>
        crypto.subtle.importKey("raw", derived, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]),
      );
  let derivedKeys: Promise<[CryptoKey, ...CryptoKey[]]> | undefined;
  const keys = () => {
    derivedKeys ??= Promise.all(secrets.map(derive)) as Promise<[CryptoKey, ...CryptoKey[]]>;
    return derivedKeys;
  };
  async function verifiedByAny(signature: Uint8Array, payload: Uint8Array): Promise<boolean> {
    for (const key of await keys()) {
      if (await crypto.subtle.verify("HMAC", key, signature, payload)) return true;
    }
    return false;
  }

  return {
    async encode({ createdAt, id }) {
      const payload = encoder.encode(JSON.stringify([createdAt.getTime(), id]));
      const [current] = await keys();
      const mac = new Uint8Array(await crypto.subtle.sign("HMAC", current, payload));
      return `${toBase64Url(payload)}.${toBase64Url(mac)}`;
    },
    async decode(cursor) {
      // An empty or missing part simply fails the signature check.
      const [body = "", mac = "", extra] = cursor.split(".");
      if (extra !== undefined) throw invalid();
      let payload: Uint8Array;
      let signature: Uint8Array;
      try {
        payload = fromBase64Url(body);
        signature = fromBase64Url(mac);
      } catch {
        throw invalid();
      }
      if (!(await verifiedByAny(signature, payload))) throw invalid();
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(payload));
      } catch {
        throw invalid();
      }
      if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
      const [ms, id] = parsed as [unknown, unknown];
      if (typeof ms !== "number" || !Number.isSafeInteger(ms) || typeof id !== "string" || !isUuid(id)) throw invalid();
      return { createdAt: new Date(ms), id };
    },
  };
}
