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
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

const invalid = () => validationError([{ path: "query.cursor", message: "is not a cursor this API issued" }]);

export function createCursorCodec(secret: string): CursorCodec {
  const encoder = new TextEncoder();
  // A key of its own, derived from the secret, so cursors never double as anything else.
  // Derived on first use: a missing secret then fails the request, not the isolate.
  let derivedKey: Promise<CryptoKey> | undefined;
  const key = () => {
    derivedKey ??= crypto.subtle
      .importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then((base) => crypto.subtle.sign("HMAC", base, encoder.encode("order-service/cursor/v1")))
      .then((derived) =>
        crypto.subtle.importKey("raw", derived, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]),
      );
    return derivedKey;
  };

  return {
    async encode({ createdAt, id }) {
      const payload = encoder.encode(JSON.stringify([createdAt.getTime(), id]));
      const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await key(), payload));
      return `${toBase64Url(payload)}.${toBase64Url(mac)}`;
    },
    async decode(cursor) {
      const [body, mac, extra] = cursor.split(".");
      if (!body || !mac || extra !== undefined) throw invalid();
      let payload: Uint8Array;
      let signature: Uint8Array;
      try {
        payload = fromBase64Url(body);
        signature = fromBase64Url(mac);
      } catch {
        throw invalid();
      }
      if (!(await crypto.subtle.verify("HMAC", await key(), signature, payload))) throw invalid();
      const parsed: unknown = JSON.parse(new TextDecoder().decode(payload));
      if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
      const [ms, id] = parsed as [unknown, unknown];
      if (typeof ms !== "number" || !Number.isSafeInteger(ms) || typeof id !== "string" || !isUuid(id)) throw invalid();
      return { createdAt: new Date(ms), id };
    },
  };
}
