/**
 * A provider's public key (one JWK of its JWKS) made ready to verify with, bound to the one algorithm
 * it may verify: the `alg` the key declares, or the one its type and curve admit (RSA → RS256, EC P-256 →
 * ES256, OKP Ed25519 → EdDSA). A token never chooses its key's algorithm (RFC 8725 §3.1).
 */
export const ASYMMETRIC_ALGORITHMS = ["RS256", "ES256", "EdDSA"] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

export interface SigningKey {
  kid: string;
  alg: AsymmetricAlgorithm;
  key: CryptoKey;
}

interface Jwk {
  kty?: unknown;
  kid?: unknown;
  alg?: unknown;
  use?: unknown;
  key_ops?: unknown;
  crv?: unknown;
}

/** The algorithm a key of this type admits, or why it is not one of ours. */
function algorithmOf(jwk: Jwk): AsymmetricAlgorithm | string {
  const admitted =
    jwk.kty === "RSA"
      ? "RS256"
      : jwk.kty === "EC" && jwk.crv === "P-256"
        ? "ES256"
        : jwk.kty === "OKP" && jwk.crv === "Ed25519"
          ? "EdDSA"
          : undefined;
  if (!admitted) return `key type ${String(jwk.kty)}${jwk.crv ? `/${String(jwk.crv)}` : ""} is not supported`;
  if (jwk.alg !== undefined && jwk.alg !== admitted)
    return `alg ${String(jwk.alg)} does not fit a ${String(jwk.kty)} key`;
  return admitted;
}

const IMPORT: Record<AsymmetricAlgorithm, Parameters<typeof crypto.subtle.importKey>[2]> = {
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  EdDSA: { name: "Ed25519" },
};

/** The key, or the reason it is skipped (logged by the key store, never fatal). */
export async function importSigningKey(jwk: Jwk): Promise<SigningKey | { skipped: string }> {
  if (typeof jwk.kid !== "string" || jwk.kid === "" || jwk.kid.length > 256) return { skipped: "no usable kid" };
  if (jwk.use !== undefined && jwk.use !== "sig") return { skipped: `use ${String(jwk.use)}` };
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes("verify")) return { skipped: "key_ops without verify" };
  const alg = algorithmOf(jwk);
  if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) return { skipped: alg };
  const algorithm = alg as AsymmetricAlgorithm;
  // Only the public members: a JWKS that leaks a private member (`d`) must not make a private key here.
  const { kty, crv, n, e, x, y } = jwk as Record<string, string | undefined>;
  const material: JsonWebKey = {
    kty: kty as string,
    ...(crv ? { crv } : {}),
    ...(n ? { n, e } : {}),
    ...(x ? { x } : {}),
    ...(y ? { y } : {}),
  };
  try {
    const key = await crypto.subtle.importKey("jwk", material, IMPORT[algorithm], false, ["verify"]);
    return { kid: jwk.kid, alg: algorithm, key };
  } catch (err) {
    return { skipped: `not importable (${err instanceof Error ? err.name : "error"})` };
  }
}
