import { beforeAll, describe, expect, it } from "vitest";
import { importSigningKey } from "../../src/tokens/signing-key";
import { type ProviderKey, providerKey } from "../support/identity-provider";

let rsa: ProviderKey;
let ec: ProviderKey;
let ed: ProviderKey;
beforeAll(async () => {
  [rsa, ec, ed] = await Promise.all([providerKey("RS256", "r"), providerKey("ES256", "e"), providerKey("EdDSA", "d")]);
});

describe("a provider's signing key", () => {
  it.each([
    ["an RSA key", () => rsa.jwk, "RS256"],
    ["an EC P-256 key", () => ec.jwk, "ES256"],
    ["an OKP Ed25519 key", () => ed.jwk, "EdDSA"],
    ["a key without alg", () => ({ ...ec.jwk, alg: undefined }), "ES256"],
    ["a key with key_ops [verify]", () => ({ ...rsa.jwk, key_ops: ["verify"] }), "RS256"],
    ["a kid of 256 characters", () => ({ ...rsa.jwk, kid: "k".repeat(256) }), "RS256"],
  ])("imports %s for the one algorithm it admits, public and for verifying only", async (_label, jwk, alg) => {
    const key = await importSigningKey(jwk());
    expect(key).toMatchObject({ alg });
    if ("skipped" in key) throw new Error(key.skipped);
    expect(key.key.type).toBe("public");
    expect(key.key.extractable).toBe(false);
    expect(key.key.usages).toEqual(["verify"]);
  });

  it("never makes a private key of a JWKS entry that leaks its private member", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    const leaked = {
      ...(await crypto.subtle.exportKey("jwk", pair.privateKey)),
      key_ops: undefined,
      kid: "leaky",
      alg: "ES256",
    };
    const key = await importSigningKey(leaked as never);
    expect("skipped" in key ? key.skipped : key.key.type).toBe("public");
  });

  it.each([
    ["no kid", () => ({ ...rsa.jwk, kid: undefined }), "no usable kid"],
    ["an empty kid", () => ({ ...rsa.jwk, kid: "" }), "no usable kid"],
    ["a kid of 257 characters", () => ({ ...rsa.jwk, kid: "k".repeat(257) }), "no usable kid"],
    ["a kid that is not a string", () => ({ ...rsa.jwk, kid: 7 }), "no usable kid"],
    ["use enc", () => ({ ...rsa.jwk, use: "enc" }), "use enc"],
    ["key_ops without verify", () => ({ ...rsa.jwk, key_ops: ["encrypt"] }), "key_ops without verify"],
    ["an EC key on P-384", () => ({ ...ec.jwk, crv: "P-384", alg: undefined }), "key type EC/P-384 is not supported"],
    [
      "an OKP key on X25519",
      () => ({ ...ed.jwk, crv: "X25519", alg: undefined }),
      "key type OKP/X25519 is not supported",
    ],
    [
      "an Ed25519 curve named on an EC key",
      () => ({ ...ec.jwk, crv: "Ed25519", alg: undefined }),
      "key type EC/Ed25519 is not supported",
    ],
    [
      "a P-256 curve named on an OKP key",
      () => ({ ...ed.jwk, crv: "P-256", alg: undefined }),
      "key type OKP/P-256 is not supported",
    ],
    ["a symmetric key", () => ({ kty: "oct", k: "c2VjcmV0", kid: "h" }), "key type oct is not supported"],
    ["an RSA key claiming PS256", () => ({ ...rsa.jwk, alg: "PS256" }), "alg PS256 does not fit a RSA key"],
    ["an EC key claiming EdDSA", () => ({ ...ec.jwk, alg: "EdDSA" }), "alg EdDSA does not fit a EC key"],
    ["an RSA key without its modulus", () => ({ ...rsa.jwk, n: undefined }), "not importable"],
  ])("skips %s, saying why", async (_label, jwk, reason) => {
    const key = await importSigningKey(jwk() as never);
    expect("skipped" in key ? key.skipped : "imported").toContain(reason);
  });
});
