/**
 * An identity provider in miniature, for tests: key pairs of the kinds providers use (RS256, ES256,
 * EdDSA), their public JWKs as a JWKS publishes them, and tokens signed the way providers sign them
 * (`kid` in the header). WebCrypto only, so it runs in workerd and in Node.
 */
export type ProviderAlg = "RS256" | "ES256" | "EdDSA";

export interface ProviderKey {
  kid: string;
  alg: ProviderAlg;
  privateKey: CryptoKey;
  /** As the provider's JWKS lists it. */
  jwk: JsonWebKey & { kid: string; use?: string; alg?: string };
}

const GENERATE = {
  RS256: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  EdDSA: { name: "Ed25519" },
} as const;

const SIGN = {
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  ES256: { name: "ECDSA", hash: "SHA-256" },
  EdDSA: { name: "Ed25519" },
};

/** A new key pair; `declareAlg: false` lists the key without `alg`, as some providers do. */
export async function providerKey(alg: ProviderAlg, kid: string, { declareAlg = true } = {}): Promise<ProviderKey> {
  const pair = (await crypto.subtle.generateKey(GENERATE[alg], true, ["sign", "verify"])) as CryptoKeyPair;
  const { kty, n, e, crv, x, y } = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  const jwk = { kty, n, e, crv, x, y, kid, use: "sig", ...(declareAlg ? { alg } : {}) };
  for (const k of Object.keys(jwk) as (keyof typeof jwk)[]) if (jwk[k] === undefined) delete jwk[k];
  return { kid, alg, privateKey: pair.privateKey, jwk };
}

export const jwksOf = (...keys: ProviderKey[]) => ({ keys: keys.map((k) => k.jwk) });

const utf8 = new TextEncoder();
const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
const part = (value: unknown) => base64url(utf8.encode(JSON.stringify(value)));

/** A token signed with the key; `header` replaces or adds header members (an attacker's header, say). */
export async function providerToken(
  key: ProviderKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  const signingInput = `${part({ alg: key.alg, typ: "JWT", kid: key.kid, ...header })}.${part(claims)}`;
  const signature = await crypto.subtle.sign(SIGN[key.alg], key.privateKey, utf8.encode(signingInput));
  return `${signingInput}.${base64url(new Uint8Array(signature))}`;
}

/** An HS256 token over any header, keyed with any bytes: the algorithm-confusion attacks. */
export async function hmacToken(secret: string, claims: Record<string, unknown>, header: Record<string, unknown>) {
  const signingInput = `${part({ alg: "HS256", typ: "JWT", ...header })}.${part(claims)}`;
  const key = await crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return `${signingInput}.${base64url(new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(signingInput))))}`;
}

/** `alg: none`, unsigned. */
export const unsignedToken = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  `${part({ alg: "none", typ: "JWT", ...header })}.${part(claims)}.`;
