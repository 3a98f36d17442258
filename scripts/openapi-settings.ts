/**
 * The token settings the OpenAPI document is built with: both modes, so it covers every deployment
 * (where a provider's tokens are taken, `customer_id` names any subject, this service's UUIDs among them).
 * Nothing is called, so no value here is used.
 */
export const DOCUMENTED_TOKEN_SETTINGS = {
  JWT_MODES: "hs256,jwks",
  JWT_JWKS_URL: "https://idp.invalid/.well-known/jwks.json",
  JWT_ISSUER: "https://idp.invalid/",
  JWT_AUDIENCE: "documentation-build-only",
};
