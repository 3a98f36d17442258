import { execFileSync } from "node:child_process";
import { verify } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { devKeys } from "../../dev/dev-keys.ts";
import { DEV_DEFAULTS, DEV_PROVIDER } from "../../dev/settings.ts";

const run = (args: string[], env: Record<string, string> = {}) =>
  execFileSync(process.execPath, ["scripts/token.ts", ...args], {
    encoding: "utf8",
    // Captured, not echoed: a refusal's message is asserted on, not printed among the test results.
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, JWT_SECRET: "", ...env },
  }).trim();

describe("npm run token", () => {
  it.each(["RS256", "ES256", "EdDSA"])("mints a %s token as the local identity provider signs it", async (alg) => {
    const token = run(["--alg", alg, "--sub", "8b0b4a84-8a5c-4c8e-9d53-5f3f3c1a2b11"], { JWT_MODES: "hs256,jwks" });
    const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as Record<string, string>;
    expect(header).toMatchObject({ alg, kid: `dev-${alg.toLowerCase()}` });
    const { jwks } = await devKeys();
    const jwk = jwks.keys.find((k) => k.kid === header.kid);
    await expect(verify(token, jwk as never, alg as "RS256")).resolves.toMatchObject({
      sub: "8b0b4a84-8a5c-4c8e-9d53-5f3f3c1a2b11",
      iss: DEV_PROVIDER.issuer,
      aud: DEV_PROVIDER.audience,
    });
  });

  it("refuses an algorithm it has no key for", () => {
    expect(() => run(["--alg", "PS256"])).toThrow(/--alg must be HS256 or one of RS256, ES256, EdDSA/);
  });

  it("mints an HS256 token the worker accepts, with sub, role and exp", async () => {
    const sub = "8b0b4a84-8a5c-4c8e-9d53-5f3f3c1a2b11";
    const token = run(["--sub", sub, "--role", "admin", "--ttl", "120"], { JWT_SECRET: DEV_DEFAULTS.JWT_SECRET ?? "" });
    const payload = await verify(token, DEV_DEFAULTS.JWT_SECRET ?? "", "HS256");
    expect(payload).toMatchObject({ sub, role: "admin" });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(120);
  });

  it("signs with JWT_SECRET from the environment", async () => {
    const secret = "another-secret-another-secret-another-secret";
    const token = run(["--sub", "8b0b4a84-8a5c-4c8e-9d53-5f3f3c1a2b11"], { JWT_SECRET: secret });
    await expect(verify(token, secret, "HS256")).resolves.toMatchObject({ role: "customer" });
  });

  it("signs with a secret that reads like a PEM label (PRIVATE) as plain key bytes", async () => {
    const secret = "MY-PRIVATE-SIGNING-SECRET-OF-32-BYTES!!";
    const token = run(["--sub", "8b0b4a84-8a5c-4c8e-9d53-5f3f3c1a2b11"], { JWT_SECRET: secret });
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    await expect(verify(token, key, "HS256")).resolves.toMatchObject({ role: "customer" });
  });

  it.each([
    [["--sub", "alice"], "--sub must be a UUID"],
    [["--sub", "8b0b4a84-8a5c-4c8e-9d53-5f3f3c1a2b11", "--role", "root"], "--role must be customer or admin"],
  ])("refuses %j", (args, message) => {
    expect(() => run(args as string[])).toThrow(message);
  });
});
