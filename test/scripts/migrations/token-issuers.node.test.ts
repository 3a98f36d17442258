import { describe, expect, it } from "vitest";
import { tokenIssuersOf } from "../../../scripts/migrations/token-issuers.ts";

const ISSUER = "https://tenant.idp.example/";

describe("the tokens a deployment takes, for the migrations", () => {
  it.each([
    ["nothing set", {}, { ownTokens: true, provider: undefined }],
    [
      "hs256, an issuer its own tokens carry",
      { JWT_MODES: "hs256", JWT_ISSUER: ISSUER },
      { ownTokens: true, provider: undefined },
    ],
    ["jwks", { JWT_MODES: "jwks", JWT_ISSUER: ISSUER }, { ownTokens: false, provider: ISSUER }],
    ["both", { JWT_MODES: "hs256,jwks", JWT_ISSUER: ISSUER }, { ownTokens: true, provider: ISSUER }],
  ])("reads %s", (_label, vars, expected) => {
    expect(tokenIssuersOf(vars)).toEqual(expected);
  });

  it.each([
    ["jwks without an issuer", { JWT_MODES: "jwks" }, /JWT_ISSUER must name the provider/],
    ["an unknown mode", { JWT_MODES: "rs256" }, /JWT_MODES must be/],
  ])("refuses %s", (_label, vars, message) => {
    expect(() => tokenIssuersOf(vars)).toThrow(message);
  });
});
