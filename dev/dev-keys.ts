/**
 * The local identity provider's keys for `npm run dev` with `JWT_MODES` including `jwks`: one key pair
 * per algorithm a provider may use (RS256, ES256, EdDSA), generated once and kept in
 * .data/dev-keys.json (git-ignored, mode 600), so tokens minted by `npm run token -- --alg …` stay
 * valid across restarts. Never used outside this machine.
 */

import type { webcrypto } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { sign } from "hono/jwt";
import type { JWTPayload } from "hono/utils/jwt/types";
import { createLoopbackServer } from "./loopback-server.ts";

export const DEV_ALGORITHMS = ["RS256", "ES256", "EdDSA"] as const;
export type DevAlgorithm = (typeof DEV_ALGORITHMS)[number];
type PrivateJwk = webcrypto.JsonWebKey & { kid: string; alg: DevAlgorithm };

const GENERATE = {
  RS256: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  EdDSA: { name: "Ed25519" },
} as const;

async function generate(alg: DevAlgorithm): Promise<PrivateJwk> {
  const pair = (await crypto.subtle.generateKey(GENERATE[alg], true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  return { ...(await crypto.subtle.exportKey("jwk", pair.privateKey)), kid: `dev-${alg.toLowerCase()}`, alg };
}

export async function devKeys(path = ".data/dev-keys.json") {
  let keys: PrivateJwk[];
  if (existsSync(path)) keys = JSON.parse(readFileSync(path, "utf8")) as PrivateJwk[];
  else {
    keys = await Promise.all(DEV_ALGORITHMS.map(generate));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(keys), { mode: 0o600 });
  }
  return {
    /** The public halves, as a provider's JWKS lists them. */
    jwks: {
      keys: keys.map(({ kty, n, e, crv, x, y, kid, alg }) =>
        Object.fromEntries(
          Object.entries({ kty, n, e, crv, x, y, kid, alg, use: "sig" }).filter(([, v]) => v !== undefined),
        ),
      ),
    },
    /** A token signed as the provider would sign it (`kid` in the header). */
    sign(alg: DevAlgorithm, payload: JWTPayload): Promise<string> {
      const key = keys.find((k) => k.alg === alg);
      if (!key) throw new Error(`no ${alg} key in ${path}`);
      return sign(payload, key as never);
    },
  };
}

/**
 * The local identity provider on a port of this machine: its JWKS (any path answers) with the given
 * max-age, and its signer. `npm run dev` and the benchmark both run one.
 */
export async function serveDevProvider({
  path,
  port = 0,
  maxAgeSeconds,
}: {
  path?: string;
  port?: number;
  maxAgeSeconds: number;
}) {
  const keys = await devKeys(path);
  const server = createLoopbackServer((_req, res) => {
    res
      .writeHead(200, { "Content-Type": "application/json", "Cache-Control": `max-age=${maxAgeSeconds}` })
      .end(JSON.stringify(keys.jwks));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    sign: keys.sign,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
