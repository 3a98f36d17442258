import { describe, expect, it } from "vitest";
import { type Caller, customerOf, scopeOf } from "../../src/domain/caller";

const ISSUER = "https://idp.example/";
const providerAdmin: Caller = { id: "auth0|admin", issuer: ISSUER, role: "admin" };

describe("who a caller is and whose records they see", () => {
  it("scopes a customer to their subject within their issuer, and an admin to everyone", () => {
    const customer: Caller = { id: "auth0|Carol", issuer: ISSUER, role: "customer" };
    expect(scopeOf(customer)).toEqual({ id: "auth0|Carol", issuer: ISSUER });
    expect(scopeOf(providerAdmin)).toBeUndefined();
    expect(customerOf(customer)).not.toHaveProperty("role");
  });
});
