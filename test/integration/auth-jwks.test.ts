import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  hmacToken,
  jwksOf,
  type ProviderKey,
  providerKey,
  providerToken,
  unsignedToken,
} from "../support/identity-provider";
import type { JwksAnswer } from "../support/jwks-answer";
import { emptyOrder, rendered } from "../support/orders";
import { TEST_SECRET, testApp } from "../support/test-app";

/**
 * Tokens from an identity provider, verified against its JWKS served by a local server
 * (test/support/node/jwks-server.ts) and fetched by the worker as in production.
 */
const endpoint = (env as unknown as { TEST_JWKS_ENDPOINT: string }).TEST_JWKS_ENDPOINT;
const ISSUER = "https://idp.example/";
const AUDIENCE = "orders-api";
const sub = "7d1a4c1e-8f2b-4b6e-9c3d-2e1f0a9b8c7d";
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  sub,
  iss: ISSUER,
  aud: AUDIENCE,
  exp: now() + 600,
  ...extra,
});

let rsa: ProviderKey;
let ec: ProviderKey;
let ed: ProviderKey;
beforeAll(async () => {
  [rsa, ec, ed] = await Promise.all([
    providerKey("RS256", "rsa-1"),
    providerKey("ES256", "ec-1", { declareAlg: false }),
    providerKey("EdDSA", "ed-1"),
  ]);
});

let providers = 0;
/** A provider of its own (a path of the local server) answering as told. */
async function provider(answer: JwksAnswer): Promise<{ url: string; name: string }> {
  const name = `idp-${Date.now().toString(36)}-${++providers}`;
  await fetch(`${endpoint}/_control/${name}`, { method: "POST", body: JSON.stringify(answer) });
  return { url: `${endpoint}/${name}`, name };
}
const fetchesOf = async (name: string) =>
  ((await (await fetch(`${endpoint}/_control/${name}/stats`)).json()) as { fetches: number }).fetches;

function appFor(jwksUrl: string, extra: Record<string, string> = {}) {
  const seen: unknown[] = [];
  const { app, lines } = testApp({
    env: { JWT_MODES: "hs256,jwks", JWT_JWKS_URL: jwksUrl, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, ...extra },
    orders: {
      get: async (caller) => {
        seen.push(caller);
        return rendered(emptyOrder(caller.id));
      },
    },
  });
  const get = (token: string) =>
    app.request("/v1/orders/5d2f1c3b-0000-4000-8000-000000000001", { headers: { Authorization: `Bearer ${token}` } });
  return { app, get, seen, lines };
}

describe("tokens from an identity provider (JWKS)", () => {
  it.each([
    ["RS256", () => rsa],
    ["ES256, from a key listed without alg", () => ec],
    ["EdDSA", () => ed],
  ])("accepts %s", async (_label, key) => {
    const { url } = await provider({ jwks: jwksOf(rsa, ec, ed) });
    const { get, seen } = appFor(url);
    expect((await get(await providerToken(key(), claims()))).status).toBe(200);
    expect(seen).toEqual([{ id: sub, issuer: ISSUER, role: "customer" }]);
  });

  it.each([
    ["alg none", () => unsignedToken(claims(), { kid: "rsa-1" })],
    [
      "HS256 keyed with the provider's public key",
      () => hmacToken(JSON.stringify(rsa.jwk), claims(), { kid: "rsa-1" }),
    ],
    ["HS256 keyed with the modulus", () => hmacToken(String(rsa.jwk.n), claims(), { kid: "rsa-1" })],
    ["an RSA key's kid with alg ES256", () => providerToken(ec, claims(), { kid: "rsa-1" })],
    ["an EC key's kid with alg RS256", () => providerToken(rsa, claims(), { kid: "ec-1" })],
    ["RS384", () => providerToken(rsa, claims(), { alg: "RS384" })],
    ["no kid", () => providerToken(rsa, claims(), { kid: undefined })],
    ["a kid the provider does not list", () => providerToken(rsa, claims(), { kid: "rsa-9" })],
    ["no aud", () => providerToken(rsa, claims({ aud: undefined }))],
    ["another audience", () => providerToken(rsa, claims({ aud: "billing" }))],
    ["another issuer", () => providerToken(rsa, claims({ iss: "https://evil.example/" }))],
    ["an expired token", () => providerToken(rsa, claims({ exp: now() - 60 }))],
  ])("refuses %s with 401", async (_label, token) => {
    const { url } = await provider({ jwks: jwksOf(rsa, ec, ed) });
    const { get, seen } = appFor(url);
    const res = await get(await token());
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    expect(seen).toEqual([]);
  });

  it.each([
    ["role, a string", {}, { role: "admin" }],
    [
      "an array in a namespaced claim",
      { JWT_ROLE_CLAIM: "https://example.com/roles" },
      { "https://example.com/roles": ["orders:read", "admin"] },
    ],
    [
      "scope, space-separated",
      { JWT_ROLE_CLAIM: "scope", JWT_ADMIN_ROLE: "orders:admin" },
      { scope: "openid orders:admin" },
    ],
    [
      "permissions, an array",
      { JWT_ROLE_CLAIM: "permissions", JWT_ADMIN_ROLE: "manage:orders" },
      { permissions: ["manage:orders"] },
    ],
  ])("takes admin from %s", async (_label, settings, roleClaims) => {
    const { url } = await provider({ jwks: jwksOf(rsa) });
    const { get, seen } = appFor(url, settings);
    expect((await get(await providerToken(rsa, claims(roleClaims)))).status).toBe(200);
    expect(
      (
        await get(
          await providerToken(
            rsa,
            claims({ ...roleClaims, jti: "2", [Object.keys(roleClaims)[0] ?? "role"]: "viewer" }),
          ),
        )
      ).status,
    ).toBe(200);
    expect(seen).toEqual([
      { id: sub, issuer: ISSUER, role: "admin" },
      { id: sub, issuer: ISSUER, role: "customer" },
    ]);
  });

  it("takes OAuth access tokens (typ at+jwt, RFC 9068) and tokens typed JWT or not at all; refuses any other typ", async () => {
    const { url } = await provider({ jwks: jwksOf(rsa) });
    const { get } = appFor(url);
    for (const typ of ["at+jwt", "application/at+jwt", "AT+JWT", "JWT", undefined]) {
      expect((await get(await providerToken(rsa, claims(), { typ }))).status, String(typ)).toBe(200);
    }
    for (const typ of ["dpop+jwt", "secevent+jwt", "logout+jwt", "at+jwt+x"]) {
      expect((await get(await providerToken(rsa, claims(), { typ }))).status, typ).toBe(401);
    }
  });

  it("with JWT_AUDIENCE_CLAIM=client_id takes a token naming this API in client_id and no aud (Cognito's access tokens)", async () => {
    const { url } = await provider({ jwks: jwksOf(rsa) });
    const { get, seen } = appFor(url, { JWT_AUDIENCE_CLAIM: "client_id" });
    const cognito = (extra: Record<string, unknown>) => claims({ aud: undefined, token_use: "access", ...extra });
    expect((await get(await providerToken(rsa, cognito({ client_id: AUDIENCE }), { typ: undefined }))).status).toBe(
      200,
    );
    for (const [label, extra] of [
      ["another client", { client_id: "billing" }],
      ["no client_id", {}],
      ["client_id as a list", { client_id: [AUDIENCE] }],
      ["the audience in aud only", { aud: AUDIENCE }],
      ["another issuer", { client_id: AUDIENCE, iss: "https://evil.example/" }],
    ] as const) {
      expect((await get(await providerToken(rsa, cognito({ jti: label, ...extra })))).status, label).toBe(401);
    }
    expect(seen).toEqual([{ id: sub, issuer: ISSUER, role: "customer" }]);
  });

  it("refuses a client_id in place of aud unless told (JWT_AUDIENCE_CLAIM defaults to aud)", async () => {
    const { url } = await provider({ jwks: jwksOf(rsa) });
    const { get } = appFor(url);
    expect((await get(await providerToken(rsa, claims({ aud: undefined, client_id: AUDIENCE })))).status).toBe(401);
  });

  it("serves a jwks-only deployment that has no JWT_SECRET, and refuses HS256 there", async () => {
    const { url } = await provider({ jwks: jwksOf(rsa) });
    const { get, seen } = appFor(url, { JWT_MODES: "jwks", JWT_SECRET: "" });
    expect((await get(await providerToken(rsa, claims()))).status).toBe(200);
    expect((await get(await hmacToken(TEST_SECRET, claims(), {}))).status).toBe(401);
    expect(seen).toEqual([{ id: sub, issuer: ISSUER, role: "customer" }]);
  });

  it("fetches the key set once for many tokens, and once per interval for a flood of invented kids", async () => {
    const { url, name } = await provider({ jwks: jwksOf(rsa) });
    const { get } = appFor(url);
    for (let i = 0; i < 5; i++)
      expect((await get(await providerToken(rsa, claims({ jti: String(i) })))).status).toBe(200);
    const flood = await Promise.all(
      Array.from(
        { length: 50 },
        async (_, i) => (await get(await providerToken(rsa, claims(), { kid: `invented-${i}` }))).status,
      ),
    );
    expect(new Set(flood)).toEqual(new Set([401]));
    expect(await fetchesOf(name)).toBe(1);
  });

  it("follows a rotation: a new kid is fetched and accepted; a retired key's remembered tokens are checked afresh", async () => {
    const next = await providerKey("ES256", "ec-2");
    let t = Date.now();
    const { url, name } = await provider({ jwks: jwksOf(rsa) });
    const { app } = testApp({
      clock: () => t,
      env: { JWT_MODES: "jwks", JWT_JWKS_URL: url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE },
      orders: { get: async (caller) => rendered(emptyOrder(caller.id)) },
    });
    const get = (token: string) =>
      app.request("/v1/orders/5d2f1c3b-0000-4000-8000-000000000001", { headers: { Authorization: `Bearer ${token}` } });
    const old = await providerToken(rsa, claims());
    expect((await get(old)).status).toBe(200);
    t += 60_000;
    // The provider rotates: the next key is published and the old one retired.
    await fetch(`${endpoint}/_control/${name}`, { method: "POST", body: JSON.stringify({ jwks: jwksOf(next) }) });
    expect((await get(await providerToken(next, claims()))).status).toBe(200);
    expect((await get(old)).status).toBe(401);
  });

  it.each([
    ["is down", { status: 503 }],
    ["answers HTML", { raw: "<html><body>Sign in</body></html>", contentType: "text/html" }],
    ["answers 10 MB", { streamBytes: 10 * 1024 * 1024 }],
    ["lists only keys it cannot use", { jwks: { keys: [{ kty: "oct", kid: "k", k: "c2VjcmV0" }] } }],
  ])("answers 401, never 500, when the provider %s, and /readyz says so without failing", async (_label, answer) => {
    const { url } = await provider(answer);
    const { app, get } = appFor(url);
    const res = await get(await providerToken(rsa, claims()));
    expect(res.status).toBe(401);
    const ready = await app.request("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { database: "ok", keys: "unavailable" } });
  });

  it("still takes this service's own HS256 tokens in hs256,jwks mode, and only the provider's in jwks mode", async () => {
    const { url } = await provider({ jwks: jwksOf(rsa) });
    const own = await hmacToken(TEST_SECRET, { sub, exp: now() + 600, iss: ISSUER, aud: AUDIENCE }, {});
    expect((await appFor(url).get(own)).status).toBe(200);
    expect((await appFor(url, { JWT_MODES: "jwks" }).get(own)).status).toBe(401);
  });

  it.each([
    ["no JWT_JWKS_URL", { JWT_JWKS_URL: "" }, "JWT_JWKS_URL", "is required when JWT_MODES"],
    ["no JWT_AUDIENCE", { JWT_AUDIENCE: "" }, "JWT_AUDIENCE", "is required when JWT_MODES"],
    [
      "an http:// JWKS elsewhere than this machine",
      { JWT_JWKS_URL: "http://idp.example/jwks.json" },
      "JWT_JWKS_URL",
      "must be an https:// URL",
    ],
    ["an unknown mode", { JWT_MODES: "rs256" }, "JWT_MODES", "must be"],
  ])(
    "is misconfigured with %s: /readyz names the setting, the log says what is wrong",
    async (_l, settings, name, problem) => {
      const { url } = await provider({ jwks: jwksOf(rsa) });
      const { app, lines } = appFor(url, settings);
      const ready = await app.request("/readyz");
      expect(ready.status).toBe(503);
      expect(JSON.stringify(await ready.json())).toContain(name);
      expect(JSON.stringify(lines)).toContain(`${name} ${problem}`);
    },
  );

  it.each(["auth0|65f0c0ffee123456789abcde", "user_2AbCdEfGhIjKlMnOp", "google-oauth2|109876543210", "x".repeat(255)])(
    "takes a provider's subject %s exactly as the provider wrote it",
    async (subject) => {
      const { url } = await provider({ jwks: jwksOf(rsa) });
      const { get, seen } = appFor(url);
      expect((await get(await providerToken(rsa, claims({ sub: subject })))).status).toBe(200);
      expect(seen).toEqual([{ id: subject, issuer: ISSUER, role: "customer" }]);
    },
  );

  it("keeps a provider's UUID subject as written, and tells it from this service's own customer of that UUID", async () => {
    const { url } = await provider({ jwks: jwksOf(rsa) });
    const { get, seen } = appFor(url);
    expect((await get(await providerToken(rsa, claims({ sub: sub.toUpperCase() })))).status).toBe(200);
    const own = await hmacToken(
      TEST_SECRET,
      { sub: sub.toUpperCase(), exp: now() + 600, iss: ISSUER, aud: AUDIENCE },
      {},
    );
    expect((await get(own)).status).toBe(200);
    expect(seen).toEqual([
      { id: sub.toUpperCase(), issuer: ISSUER, role: "customer" },
      { id: sub, issuer: "", role: "customer" },
    ]);
  });

  it.each([
    ["of 256 characters", "x".repeat(256)],
    ["with a space", "auth0|a b"],
    ["that is empty", ""],
    ["that is a number", 42],
    ["with a non-ASCII character", "auth0|é"],
  ])("refuses a provider's subject %s", async (_label, subject) => {
    const { url } = await provider({ jwks: jwksOf(rsa) });
    const { get, seen } = appFor(url);
    expect((await get(await providerToken(rsa, claims({ sub: subject })))).status).toBe(401);
    expect(seen).toEqual([]);
  });

  it("keeps this service's own HS256 tokens to UUID subjects", async () => {
    const { url } = await provider({ jwks: jwksOf(rsa) });
    const own = await hmacToken(
      TEST_SECRET,
      { sub: "auth0|someone", exp: now() + 600, iss: ISSUER, aud: AUDIENCE },
      {},
    );
    expect((await appFor(url).get(own)).status).toBe(401);
  });
});
