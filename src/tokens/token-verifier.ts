import { decode, verify } from "hono/jwt";
import type { KeyLookup } from "./jwks-key-store";
import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from "./signing-key";

/**
 * A token's signature and `iss`/`aud`, checked the way its header says it was signed, within what this
 * deployment accepts (JWT_MODES):
 * - HS256 with JWT_SECRET (or JWT_SECRET_PREVIOUS, or the release's smoke key): this service's own tokens;
 * - RS256, ES256 or EdDSA with the identity provider's key named by `kid`, only with the algorithm that key
 *   admits (signing-key.ts): `none`, HS256 signed with a public key, an RS/ES mix-up are all refused.
 * Time claims are left to the caller (auth.ts): hono/jwt has no leeway and no lifetime cap.
 */
export interface TokenVerifierOptions {
  /** HS256 keys, the current first; empty when HS256 tokens are not accepted. */
  secrets: readonly string[];
  smokeSecret?: string;
  /** The identity provider's keys; absent when its tokens are not accepted. */
  jwks?: KeyLookup;
  issuer?: string;
  audience?: string;
  /** Where a provider's token names the audience: `aud` (default), or `client_id` (Cognito's access tokens). */
  audienceClaim?: "aud" | "client_id";
}

export type VerifiedBy = "secret" | "smoke key" | "provider key";

export interface VerifiedToken {
  payload: unknown;
  by: VerifiedBy;
  /** The provider key's id, for tokens it signed. */
  kid?: string;
}

/** Why a token was refused, for the log (a name, never the token). */
export class TokenRefused extends Error {
  override name = "TokenRefused";
}

const utf8 = new TextEncoder();

/**
 * The secrets as HMAC keys, imported on first use and kept for the isolate: hono/jwt would import a
 * string secret on every request, and would read one that contains "PRIVATE" or "PUBLIC" as PEM.
 */
function hmacKeys(secrets: readonly string[]): () => Promise<CryptoKey[]> {
  let keys: CryptoKey[] | undefined;
  return async () => {
    keys ??= await Promise.all(
      secrets.map((secret) =>
        crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]),
      ),
    );
    return keys;
  };
}

/** `at+jwt` as RFC 9068 writes it, or with its media type's `application/` prefix (case-insensitive). */
const isAccessTokenTyp = (typ: unknown) =>
  typeof typ === "string" && typ.toLowerCase().replace(/^application\//, "") === "at+jwt";

const isSignatureMismatch = (err: unknown) => err instanceof Error && err.name === "JwtTokenSignatureMismatched";

type TokenHeader = { alg: AsymmetricAlgorithm; kid?: unknown; typ?: unknown };
type Claims = { exp: false; nbf: false; iat: false; iss?: string; aud?: string };

/** Verifies a token signed with a key of the provider's JWKS. */
function providerKeyVerifier(
  jwks: KeyLookup | undefined,
  claims: Claims,
  { audience, audienceClaim }: Pick<TokenVerifierOptions, "audience" | "audienceClaim">,
) {
  // A provider whose access tokens name the API in `client_id`: Cognito's carry no `aud`, and its ID tokens put
  // the client in `aud`, so reading `client_id` also refuses ID tokens
  // (https://docs.aws.amazon.com/verifiedpermissions/latest/userguide/cognito-validation.html).
  const byClientId = audienceClaim === "client_id" && audience !== undefined;
  const { aud: _, ...withoutAud } = claims;
  const checked = byClientId ? withoutAud : claims;

  return async function byProviderKey(
    token: string,
    header: TokenHeader,
    background?: (work: Promise<unknown>) => void,
  ): Promise<VerifiedToken> {
    if (!jwks) throw new TokenRefused(`${header.alg} tokens are not accepted (JWT_MODES)`);
    if (typeof header.kid !== "string") throw new TokenRefused("token has no kid");
    const key = await jwks.key(header.kid, background);
    if (!key) throw new TokenRefused("no provider key with this kid");
    if (key.alg !== header.alg) throw new TokenRefused(`the key is for ${key.alg}, the token says ${header.alg}`);
    // An OAuth access token says so (RFC 9068 `at+jwt`; RFC 8725 3.11 explicit typing); any other token
    // this service takes says `JWT` or nothing, which hono/jwt checks when told no typ.
    const typ = isAccessTokenTyp(header.typ) ? { typ: "at+jwt" } : {};
    const payload = await verify(token, key.key, { alg: key.alg, ...checked, ...typ });
    if (byClientId && (payload as { client_id?: unknown }).client_id !== audience) {
      throw new TokenRefused("client_id is not this API's audience");
    }
    return { payload, by: "provider key", kid: key.kid };
  };
}

export function createTokenVerifier({
  secrets,
  smokeSecret,
  jwks,
  issuer,
  audience,
  audienceClaim = "aud",
}: TokenVerifierOptions) {
  const hmac = hmacKeys(smokeSecret ? [...secrets, smokeSecret] : secrets);
  const claims: Claims = {
    exp: false,
    nbf: false,
    iat: false,
    ...(issuer ? { iss: issuer } : {}),
    ...(audience ? { aud: audience } : {}),
  };
  const byProviderKey = providerKeyVerifier(jwks, claims, { audience, audienceClaim });

  async function bySecret(token: string): Promise<VerifiedToken> {
    let lastError: unknown;
    for (const [index, key] of (await hmac()).entries()) {
      try {
        const payload = await verify(token, key, { alg: "HS256", ...claims });
        return { payload, by: index === secrets.length ? "smoke key" : "secret" };
      } catch (err) {
        lastError = err;
        if (!isSignatureMismatch(err)) break;
      }
    }
    throw lastError;
  }

  return async function verifyToken(
    token: string,
    background?: (work: Promise<unknown>) => void,
  ): Promise<VerifiedToken> {
    const header = decode(token).header as { alg?: unknown; kid?: unknown; typ?: unknown };
    if (header.alg === "HS256") {
      // The smoke key signs HS256 whatever the modes: the release smoke-tests every deployment.
      if (secrets.length === 0 && !smokeSecret) throw new TokenRefused("HS256 tokens are not accepted (JWT_MODES)");
      return bySecret(token);
    }
    if ((ASYMMETRIC_ALGORITHMS as readonly unknown[]).includes(header.alg)) {
      return byProviderKey(token, header as TokenHeader, background);
    }
    throw new TokenRefused(
      `alg ${typeof header.alg === "string" ? header.alg.slice(0, 16) : "missing"} is not accepted`,
    );
  };
}
