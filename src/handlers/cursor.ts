import { validationError } from "../domain/app-error";
import { type Customer, callerKey } from "../domain/caller";
import { derivedAesKeys } from "../lib/derived-keys";
import type { ListPosition } from "../services/keyset-page";

/** Who asked and which filter: a cursor is valid only for the listing that issued it. */
export interface CursorScope {
  caller: Customer;
  status?: string;
  customerId?: string;
  /** Which listing, when not the orders list: its filters and direction (`events:asc:order.created:…`). */
  listing?: string;
}

/**
 * Opaque, tamper-evident page cursors, bound to their listing. A forged, truncated, foreign or
 * re-encoded cursor, or one from another caller or filter, is a VALIDATION_ERROR, never a 500 or
 * someone's data.
 */
export interface CursorCodec {
  encode(position: ListPosition, scope: CursorScope): Promise<string>;
  decode(cursor: string, scope: CursorScope): Promise<ListPosition>;
}

const IV_BYTES = 12;
const POSITION_BYTES = 8 + 16;
const TAG_BYTES = 16;
const CURSOR_BYTES = IV_BYTES + POSITION_BYTES + TAG_BYTES;
/** Unpadded base64url of CURSOR_BYTES: the one form a cursor is issued in. */
const CURSOR_TEXT = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((CURSOR_BYTES * 4) / 3)}}$`);

// The base64url the cursor is written in, unpadded, by the runtime's own Uint8Array codec (ES2026).
const toBase64Url = (bytes: Uint8Array) => bytes.toBase64({ alphabet: "base64url", omitPadding: true });

const fromBase64Url = (text: string) => Uint8Array.fromBase64(text, { alphabet: "base64url" });

const invalid = () =>
  validationError([{ path: "query.cursor", message: "is not a cursor this API issued for this listing" }]);

/** The position in 24 bytes: created_at as a 64-bit millisecond count, then the UUID's 16 bytes. */
function packPosition({ createdAt, id }: ListPosition): Uint8Array {
  const bytes = new Uint8Array(POSITION_BYTES);
  new DataView(bytes.buffer).setBigInt64(0, BigInt(createdAt.getTime()));
  bytes.set(Uint8Array.fromHex(id.replaceAll("-", "")), 8);
  return bytes;
}

function unpackPosition(bytes: Uint8Array): ListPosition {
  const ms = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigInt64(0));
  const hex = bytes.subarray(8).toHex();
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { createdAt: new Date(ms), id };
}

/**
 * AES-256-GCM over the position, with the scope as additional data: the text reveals nothing
 * (not the order id, not the time), and a cursor decrypts only under the caller and filter it was
 * issued for. Keys are derived from each sealing key (WEBHOOK_ENCRYPTION_KEY, then its previous one) under
 * the cursors' own label; cursors are sealed with the first and opened with any, so rotating the key never
 * breaks a client mid-listing, and rotating the token secret does not touch cursors at all.
 */
export function createCursorCodec(secrets: readonly [string, ...string[]]): CursorCodec {
  const encoder = new TextEncoder();
  const keys = derivedAesKeys(secrets, "order-service/cursor/v2");
  const additionalData = ({ caller, status, customerId, listing }: CursorScope) => {
    // callerKey: this service's own customers by their id alone, as before issuers were told apart
    // (their cursors in flight stay valid); a provider's customers with their issuer.
    const who = callerKey(caller);
    return encoder.encode(
      JSON.stringify(listing === undefined ? [who, status ?? null, customerId ?? null] : [who, listing]),
    );
  };

  return {
    async encode(position, scope) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const [current] = await keys();
      const sealed = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: additionalData(scope) },
        current,
        packPosition(position),
      );
      const bytes = new Uint8Array(CURSOR_BYTES);
      bytes.set(iv);
      bytes.set(new Uint8Array(sealed), IV_BYTES);
      return toBase64Url(bytes);
    },
    async decode(cursor, scope) {
      if (!CURSOR_TEXT.test(cursor)) throw invalid();
      const bytes = fromBase64Url(cursor);
      // Base64 leaves spare bits in the last character: only the form we issue is accepted.
      if (toBase64Url(bytes) !== cursor) throw invalid();
      const params = { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES), additionalData: additionalData(scope) };
      for (const key of await keys()) {
        const opened = await crypto.subtle.decrypt(params, key, bytes.subarray(IV_BYTES)).catch(() => undefined);
        if (opened) return unpackPosition(new Uint8Array(opened));
      }
      throw invalid();
    },
  };
}
