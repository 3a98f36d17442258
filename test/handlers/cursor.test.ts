import { describe, expect, it } from "vitest";
import { type CursorScope, createCursorCodec } from "../../src/handlers/cursor";

const current = "the-current-secret-of-at-least-32-bytes!";
const previous = "the-previous-secret-of-at-least-32-bytes";
const position = { createdAt: new Date("2026-11-25T12:00:00.123Z"), id: "5d2f1c3b-0000-4000-8000-000000000001" };
const scope: CursorScope = { caller: { id: "c0ffee00-0000-4000-8000-000000000001", issuer: "" } };

const refusal = {
  code: "VALIDATION_ERROR",
  fields: [{ path: "query.cursor", message: "is not a cursor this API issued for this listing" }],
};

/** Flips one character to another of the base64url alphabet. */
const flip = (c: string, at: number) => `${c.slice(0, at)}${c.at(at) === "A" ? "B" : "A"}${c.slice(at + 1)}`;

describe("cursor codec", () => {
  it("round-trips a position through an opaque, URL-safe string that reveals neither id nor time", async () => {
    const codec = createCursorCodec([current]);
    const cursor = await codec.encode(position, scope);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]{70}$/);
    const decoded = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    expect(decoded).not.toContain(String(position.createdAt.getTime()));
    expect(decoded).not.toContain(position.id);
    const hex = [...decoded].map((ch) => ch.charCodeAt(0).toString(16).padStart(2, "0")).join("");
    expect(hex).not.toContain(position.id.replaceAll("-", ""));
    expect(await codec.decode(cursor, scope)).toEqual(position);
  });

  it("binds a cursor to the caller and the filter it was issued for", async () => {
    const codec = createCursorCodec([current]);
    const filtered: CursorScope = { ...scope, status: "paid" };
    const admin: CursorScope = { caller: scope.caller, customerId: "5d2f1c3b-0000-4000-8000-0000000000aa" };
    const byScope = await codec.encode(position, filtered);
    expect(await codec.decode(byScope, filtered)).toEqual(position);
    for (const other of [
      scope,
      { ...filtered, status: "pending" },
      { ...filtered, caller: { id: "c0ffee00-0000-4000-8000-000000000002", issuer: "" } },
      { ...filtered, caller: { ...scope.caller, issuer: "https://idp.example/" } },
      { ...filtered, customerId: scope.caller.id },
    ]) {
      await expect(codec.decode(byScope, other)).rejects.toMatchObject(refusal);
    }
    const forOne = await codec.encode(position, admin);
    await expect(codec.decode(forOne, { caller: scope.caller })).rejects.toMatchObject(refusal);
  });

  it("binds a cursor to the listing it was issued for (the events feed, a webhook's deliveries)", async () => {
    const codec = createCursorCodec([current]);
    const feed: CursorScope = { caller: scope.caller, listing: "events:asc:order.created" };
    const cursor = await codec.encode(position, feed);
    expect(await codec.decode(cursor, feed)).toEqual(position);
    for (const other of [scope, { ...feed, listing: "events:desc:order.created" }, { ...feed, listing: "" }]) {
      await expect(codec.decode(cursor, other)).rejects.toMatchObject(refusal);
    }
  });

  it.each([
    ["an edited first character", (c: string) => flip(c, 0)],
    ["an edited middle", (c: string) => flip(c, 30)],
    ["an edited last character", (c: string) => flip(c, 69)],
    ["the last character truncated", (c: string) => c.slice(0, -1)],
    ["a character more", (c: string) => `${c}A`],
    ["padding", (c: string) => `${c}==`],
    ["standard base64", (c: string) => `${c.slice(0, 10)}+/${c.slice(12)}`],
    ["a leading space", (c: string) => ` ${c}`],
    ["a trailing space", (c: string) => `${c} `],
    ["nothing", () => ""],
  ])("refuses %s", async (_label, tamper) => {
    const codec = createCursorCodec([current]);
    await expect(codec.decode(tamper(await codec.encode(position, scope)), scope)).rejects.toMatchObject(refusal);
  });

  it("refuses the same bytes in a form it never issues (the last character's spare bits set)", async () => {
    const codec = createCursorCodec([current]);
    const cursor = await codec.encode(position, scope);
    // 52 bytes leave 2 spare bits in the 70th character: the alphabet index + 1 sets one of them.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(cursor.at(-1) ?? "");
    const twin = `${cursor.slice(0, -1)}${alphabet[last + 1]}`;
    const bytes = (t: string) => atob(t.replaceAll("-", "+").replaceAll("_", "/"));
    expect(bytes(twin)).toBe(bytes(cursor));
    await expect(codec.decode(twin, scope)).rejects.toMatchObject(refusal);
  });

  it("keeps its format: a cursor sealed as documented (before a deploy) still opens after it", async () => {
    // Built here from the documented recipe, not by the codec: the key is HMAC-SHA256(secret,
    // "order-service/cursor/v2") used for AES-256-GCM, the IV comes first, the scope is the
    // additional data, and the position is 8 bytes of milliseconds then the UUID's 16 bytes.
    const encoder = new TextEncoder();
    const base = await crypto.subtle.importKey(
      "raw",
      encoder.encode(current),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const raw = await crypto.subtle.sign("HMAC", base, encoder.encode("order-service/cursor/v2"));
    const key = await crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt"]);
    const plain = new Uint8Array(24);
    new DataView(plain.buffer).setBigInt64(0, BigInt(position.createdAt.getTime()));
    plain.set(
      position.id
        .replaceAll("-", "")
        .match(/../g)
        ?.map((h) => Number.parseInt(h, 16)) ?? [],
      8,
    );
    const iv = new Uint8Array(12).fill(7);
    const additionalData = encoder.encode(JSON.stringify([scope.caller.id, null, null]));
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData }, key, plain));
    const bytes = new Uint8Array([...iv, ...sealed]);
    const cursor = btoa(String.fromCharCode(...bytes))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");
    expect(await createCursorCodec([current]).decode(cursor, scope)).toEqual(position);
  });

  it("refuses a cursor sealed with a key it does not hold", async () => {
    const foreign = await createCursorCodec([previous]).encode(position, scope);
    await expect(createCursorCodec([current]).decode(foreign, scope)).rejects.toMatchObject(refusal);
  });

  it("seals with the first key and opens with any: a rotation keeps listings walkable", async () => {
    const old = await createCursorCodec([previous]).encode(position, scope);
    const rotated = createCursorCodec([current, previous]);
    expect(await rotated.decode(old, scope)).toEqual(position);
    const fresh = await rotated.encode(position, scope);
    expect(await createCursorCodec([current]).decode(fresh, scope)).toEqual(position);
    await expect(createCursorCodec([previous]).decode(fresh, scope)).rejects.toMatchObject(refusal);
  });

  it.each([0, 1, 1_000, 1_795_608_000_123])("round-trips any time (createdAt %i ms) in the same length", async (ms) => {
    const codec = createCursorCodec([current]);
    const at = { createdAt: new Date(ms), id: "ffffffff-ffff-4fff-bfff-ffffffffffff" };
    const cursor = await codec.encode(at, scope);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]{70}$/);
    expect(await codec.decode(cursor, scope)).toEqual(at);
  });
});
