import type { TokenIssuers } from "./migrator.ts";

/**
 * The tokens a deployment takes, as its JWT_MODES and JWT_ISSUER say (docs/configuration.md): what the
 * migrations that give rows an issuer need (0016, 0017). JWT_MODES defaults to this service's own tokens.
 */
export function tokenIssuersOf(vars: Record<string, string | undefined>): TokenIssuers {
  const modes = (vars.JWT_MODES ?? "").trim() || "hs256";
  if (!/^(hs256|jwks)(,(hs256|jwks))?$/.test(modes)) {
    throw new Error(`JWT_MODES must be "hs256", "jwks" or "hs256,jwks", not ${JSON.stringify(modes)}`);
  }
  const provider = (vars.JWT_ISSUER ?? "").trim();
  if (modes.includes("jwks") && !provider) {
    throw new Error("JWT_MODES takes a provider's tokens (jwks), so JWT_ISSUER must name the provider");
  }
  return { ownTokens: modes.includes("hs256"), provider: modes.includes("jwks") ? provider : undefined };
}
