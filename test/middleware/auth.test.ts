import { Hono } from "hono";
import { sign } from "hono/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hmacSigningKey, signToken } from "../../scripts/smoke-checks";
import type { AppEnv } from "../../src/app-env";
import { auth } from "../../src/middleware/auth";
import { onError } from "../../src/middleware/error-response";
import { emptyOrder, rendered } from "../support/orders";
import { TEST_SECRET, testApp } from "../support/test-app";

const sub = "3f0c7e9a-1b2c-4d5e-8f90-123456789abc";
const now = () => Math.floor(Date.now() / 1000);
const order = emptyOrder(sub);

function appSeeingCaller(env: Record<string, string> = {}, clock?: () => number) {
  const seen: unknown[] = [];
  const { app, lines } = testApp({
    env,
    clock,
    orders: {
      get: async (caller) => {
        seen.push(caller);
        return rendered(order);
      },
    },
  });
  const get = (authorization?: string) =>
    app.request(`/v1/orders/${order.id}`, authorization ? { headers: { Authorization: authorization } } : {});
  return { get, seen, lines };
}

const signed = (claims: Record<string, unknown>, secret = TEST_SECRET, alg: "HS256" | "HS512" = "HS256") =>
  sign({ sub, exp: now() + 600, ...claims }, secret, alg);

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/**
 * A signature spelled another way, the same bytes: 32 bytes take 43 characters, whose last two bits are
 * unused (a canonical last character has them clear, and the one after it sets one); or padded with `=`.
 */
const RESPELLINGS = {
  "its unused bits set": (signature: string) =>
    signature.slice(0, -1) + (BASE64URL[BASE64URL.indexOf(signature.at(-1) ?? "") + 1] ?? ""),
  padded: (signature: string) => `${signature}=`,
};
type Respelling = keyof typeof RESPELLINGS;
const respelled = (token: string, how: Respelling) => {
  const [header, payload, signature = ""] = token.split(".");
  return `${header}.${payload}.${RESPELLINGS[how](signature)}`;
};

describe("auth", () => {
  it("puts the verified caller in the context, role defaulting to customer", async () => {
    const { get, seen } = appSeeingCaller();
    expect((await get(`Bearer ${await signed({})}`)).status).toBe(200);
    expect((await get(`bearer ${await signed({ role: "admin" })}`)).status).toBe(200);
    expect(seen).toEqual([
      { id: sub, issuer: "", role: "customer" },
      { id: sub, issuer: "", role: "admin" },
    ]);
  });

  it("asks for credentials with WWW-Authenticate when none are sent", async () => {
    const res = await appSeeingCaller().get();
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="order-service"');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
  });

  it.each([
    ["expired beyond the leeway", () => signed({ exp: now() - 31 })],
    ["without exp", () => sign({ sub }, TEST_SECRET, "HS256")],
    ["with a non-numeric exp", () => signed({ exp: "tomorrow" })],
    ["not valid before a future nbf", () => signed({ nbf: now() + 120 })],
    ["issued in the future", () => signed({ iat: now() + 120 })],
    ["signed with another secret", () => signed({}, "another-secret-that-is-also-32-bytes-long!")],
    ["signed with HS512", () => signed({}, TEST_SECRET, "HS512")],
    ["without sub", () => sign({ exp: now() + 60 }, TEST_SECRET, "HS256")],
    ["with a sub that is not a UUID", () => signed({ sub: "alice" })],
    ["with an unknown role", () => signed({ role: "root" })],
    [
      "whose signature is spelled another way: its unused bits set",
      async () => respelled(await signed({}), "its unused bits set"),
    ],
    ["whose signature is spelled another way: padded", async () => respelled(await signed({}), "padded")],
  ])("refuses a token %s", async (_label, make) => {
    const { get, seen } = appSeeingCaller();
    const res = await get(`Bearer ${await make()}`);
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    expect(seen).toEqual([]);
  });

  it.each(Object.keys(RESPELLINGS) as Respelling[])(
    "respells a signature (%s) as the same bytes, for the refusals above",
    async (how) => {
      const signature = (await signed({})).split(".")[2] ?? "";
      const other = RESPELLINGS[how](signature);
      expect(other).not.toBe(signature);
      expect(Uint8Array.fromBase64(other, { alphabet: "base64url", lastChunkHandling: "loose" })).toEqual(
        Uint8Array.fromBase64(signature, { alphabet: "base64url" }),
      );
    },
  );

  it.each([
    ["alg none", `${btoa('{"alg":"none","typ":"JWT"}')}.${btoa(JSON.stringify({ sub, exp: 9e9 }))}.`],
    ["garbage", "not-a-jwt"],
    ["Basic auth", "Basic dXNlcjpwYXNz"],
  ])("refuses %s", async (_label, credential) => {
    const header = credential.startsWith("Basic") ? credential : `Bearer ${credential.replaceAll("=", "")}`;
    expect((await appSeeingCaller().get(header)).status).toBe(401);
  });

  it("allows 30 s of clock skew on exp, nbf and iat", async () => {
    const { get } = appSeeingCaller();
    expect((await get(`Bearer ${await signed({ exp: now() - 20 })}`)).status).toBe(200);
    expect((await get(`Bearer ${await signed({ nbf: now() + 20, iat: now() + 20 })}`)).status).toBe(200);
  });

  it("checks iss and aud when configured", async () => {
    const { get } = appSeeingCaller({ JWT_ISSUER: "https://id.example", JWT_AUDIENCE: "orders" });
    expect((await get(`Bearer ${await signed({ iss: "https://id.example", aud: "orders" })}`)).status).toBe(200);
    expect((await get(`Bearer ${await signed({ iss: "https://evil.example", aud: "orders" })}`)).status).toBe(401);
    expect((await get(`Bearer ${await signed({ iss: "https://id.example", aud: ["billing"] })}`)).status).toBe(401);
    expect((await get(`Bearer ${await signed({ aud: "orders" })}`)).status).toBe(401);
  });

  it.each([
    ["missing", { JWT_SECRET: "" }],
    ["shorter than 32 bytes", { JWT_SECRET: "short-secret" }],
  ])("fails closed with 500 when JWT_SECRET is %s, and the log names it", async (_label, env) => {
    const { get, seen, lines } = appSeeingCaller(env);
    const res = await get(`Bearer ${await signed({}, "short-secret")}`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "INTERNAL_ERROR",
      message: "an unexpected error occurred",
    });
    expect(seen).toEqual([]);
    expect(JSON.stringify(lines)).toContain("JWT_SECRET");
  });

  it.each([
    ["null", "null"],
    ["an array", '[{"sub":"x"}]'],
    ["a string", '"admin"'],
    ["a number", "42"],
  ])("refuses a validly signed token whose payload is %s: 401, not 500", async (_label, payload) => {
    const { get, seen } = appSeeingCaller();
    const res = await get(`Bearer ${await signedRaw(payload)}`);
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    expect(seen).toEqual([]);
  });

  it("caps a token's lifetime at JWT_MAX_TTL_S (default a day), from iat or from now", async () => {
    const { get } = appSeeingCaller();
    const t = now();
    const status = async (claims: Record<string, unknown>) => (await get(`Bearer ${await signed(claims)}`)).status;
    expect(await status({ iat: t, exp: t + 86_400 })).toBe(200);
    expect(await status({ exp: t + 86_400 })).toBe(200);
    expect(await status({ iat: t, exp: t + 86_400 + 3_600 })).toBe(401);
    expect(await status({ exp: t + 86_400 + 3_600 })).toBe(401);
    // 30 million years ahead.
    expect(await status({ exp: t + 30_000_000 * 365 * 86_400 })).toBe(401);
    // Issued an hour ago for a day: still inside its lifetime.
    expect(await status({ iat: t - 3_600, exp: t - 3_600 + 86_400 })).toBe(200);

    const short = appSeeingCaller({ JWT_MAX_TTL_S: "600" });
    expect((await short.get(`Bearer ${await signed({ iat: t, exp: t + 600 })}`)).status).toBe(200);
    expect((await short.get(`Bearer ${await signed({ iat: t, exp: t + 3_600 })}`)).status).toBe(401);
  });

  it("accepts tokens signed with JWT_SECRET or JWT_SECRET_PREVIOUS, and no other", async () => {
    const previous = "the-previous-secret-of-at-least-32-bytes";
    const { get, seen } = appSeeingCaller({ JWT_SECRET_PREVIOUS: previous });
    expect((await get(`Bearer ${await signed({})}`)).status).toBe(200);
    expect((await get(`Bearer ${await signed({}, previous)}`)).status).toBe(200);
    expect((await get(`Bearer ${await signed({}, "a-third-secret-nobody-configured-here!")}`)).status).toBe(401);
    expect(seen).toHaveLength(2);
    // Without the previous secret configured, its tokens are refused again.
    expect((await appSeeingCaller().get(`Bearer ${await signed({}, previous)}`)).status).toBe(401);
  });

  it("takes a secret as HMAC key bytes even when it reads like a PEM label", async () => {
    // hono/jwt, given a string, would try to import one containing PRIVATE or PUBLIC as a PEM key.
    for (const secret of ["MY-PRIVATE-SIGNING-SECRET-OF-32-BYTES!!", "a-PUBLIC-looking-secret-of-32-bytes-ok"]) {
      const { get } = appSeeingCaller({ JWT_SECRET: secret });
      expect((await get(`Bearer ${await signToken({ sub, exp: now() + 600 }, secret)}`)).status).toBe(200);
      expect((await get(`Bearer ${await signed({})}`)).status).toBe(401);
    }
  });
});

describe("auth remembers the tokens it accepted", () => {
  afterEach(() => vi.restoreAllMocks());
  const verifications = () => vi.spyOn(crypto.subtle, "verify");

  it("checks a token's signature once per isolate, and its times on every request", async () => {
    const clock = { now: Date.now() };
    const { get, seen } = appSeeingCaller({}, () => clock.now);
    const t = Math.floor(clock.now / 1000);
    const token = `Bearer ${await signed({ iat: t, exp: t + 60 })}`;
    const verify = verifications();
    expect((await get(token)).status).toBe(200);
    expect((await get(token)).status).toBe(200);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([
      { id: sub, issuer: "", role: "customer" },
      { id: sub, issuer: "", role: "customer" },
    ]);
    // Past exp and its 30 s of leeway: refused, though its signature is known good.
    clock.now += 91_000;
    const expired = await get(token);
    expect(expired.status).toBe(401);
    expect(expired.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    expect(seen).toHaveLength(2);
  });

  it("does not remember a token it refused", async () => {
    const { get } = appSeeingCaller();
    const notAUuid = `Bearer ${await signed({ sub: "someone" })}`;
    const verify = verifications();
    expect((await get(notAUuid)).status).toBe(401);
    expect((await get(notAUuid)).status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it("matches a token only by its exact text: another signature is verified, and refused", async () => {
    const { get } = appSeeingCaller();
    const good = await signed({});
    expect((await get(`Bearer ${good}`)).status).toBe(200);
    const [header, payload] = good.split(".");
    const forged = `${header}.${payload}.${"A".repeat(43)}`;
    const verify = verifications();
    expect((await get(`Bearer ${forged}`)).status).toBe(401);
    expect(verify).toHaveBeenCalled();
  });

  it("verifies a token of more than 4 KiB every time: such tokens are not remembered", async () => {
    const { get } = appSeeingCaller();
    const large = `Bearer ${await signed({ groups: "g".repeat(4_096) })}`;
    const verify = verifications();
    expect((await get(large)).status).toBe(200);
    expect((await get(large)).status).toBe(200);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it("holds at most rememberTokens, forgetting the oldest", async () => {
    const app = new Hono<AppEnv>();
    app.onError(onError);
    app.use(auth({ secrets: [TEST_SECRET], maxTtlSeconds: 3_600, rememberTokens: 2 }));
    app.get("/", (c) => c.text("ok"));
    const tokens = await Promise.all(["a", "b", "c"].map((nonce) => signed({ nonce })));
    const get = async (token: string | undefined) =>
      (await app.request("/", { headers: { Authorization: `Bearer ${token}` } })).status;
    for (const token of tokens) expect(await get(token)).toBe(200);
    const verify = verifications();
    expect(await get(tokens[2])).toBe(200);
    expect(await get(tokens[1])).toBe(200);
    expect(verify).toHaveBeenCalledTimes(0);
    expect(await get(tokens[0])).toBe(200);
    expect(verify).toHaveBeenCalledTimes(1);
  });
});

/** An HS256 token over any payload text, signed with the test secret (hono's sign only takes objects). */
async function signedRaw(payloadJson: string, secret = TEST_SECRET): Promise<string> {
  const b64 = (bytes: Uint8Array) =>
    btoa(String.fromCharCode(...bytes))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");
  const text = (s: string) => b64(new TextEncoder().encode(s));
  const input = `${text(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${text(payloadJson)}`;
  const key = await hmacSigningKey(secret);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(input)));
  return `${input}.${b64(mac)}`;
}

describe("auth: the release's smoke key", () => {
  const SMOKE_SECRET = "smoke-key-that-is-at-least-32-bytes-long!";
  const SMOKE_CUSTOMER_ID = "0b8f6a52-7a53-4c59-9d0e-5a1a2b3c4d5e";
  const smokeApp = () => appSeeingCaller({ SMOKE_SECRET, SMOKE_CUSTOMER_ID });

  it("accepts a customer token it signed for the smoke customer", async () => {
    const { get, seen } = smokeApp();
    const token = await signed({ sub: SMOKE_CUSTOMER_ID, role: "customer" }, SMOKE_SECRET);
    expect((await get(`Bearer ${token}`)).status).toBe(200);
    expect(seen).toEqual([{ id: SMOKE_CUSTOMER_ID, issuer: "", role: "customer" }]);
  });

  it.each([
    ["another customer", { sub }],
    ["the smoke customer as admin", { sub: SMOKE_CUSTOMER_ID, role: "admin" }],
  ])("refuses a token it signed for %s: it can mint nothing else", async (_label, claims) => {
    const { get, seen, lines } = smokeApp();
    const res = await get(`Bearer ${await signed(claims, SMOKE_SECRET)}`);
    expect(res.status).toBe(401);
    expect(seen).toEqual([]);
    expect(JSON.stringify(lines)).toContain("the smoke key signs tokens for the smoke customer only");
  });

  it.each([
    ["without SMOKE_CUSTOMER_ID", { SMOKE_SECRET }, "SMOKE_CUSTOMER_ID is required when SMOKE_SECRET is set"],
    [
      "equal to JWT_SECRET",
      { SMOKE_SECRET: TEST_SECRET, SMOKE_CUSTOMER_ID },
      "SMOKE_SECRET must differ from JWT_SECRET",
    ],
  ])("fails closed with 500 when the smoke key is set %s, and the log names it", async (_label, env, problem) => {
    const { get, lines } = appSeeingCaller(env);
    const res = await get(`Bearer ${await signed({ sub: SMOKE_CUSTOMER_ID }, env.SMOKE_SECRET)}`);
    expect(res.status).toBe(500);
    expect(JSON.stringify(lines)).toContain(problem);
  });
});
