import { describe, expect, it } from "vitest";
import { type Caller, callerKey, customerOf, scopeOf } from "../../src/domain/caller";

const ISSUER = "https://idp.example/";
const providerAdmin: Caller = { id: "auth0|admin", issuer: ISSUER, role: "admin" };

describe("who a caller is and whose records they see", () => {
  it("scopes a customer to their subject within their issuer, and an admin to everyone", () => {
    const customer: Caller = { id: "auth0|Carol", issuer: ISSUER, role: "customer" };
    expect(scopeOf(customer)).toEqual({ id: "auth0|Carol", issuer: ISSUER });
    expect(scopeOf(providerAdmin)).toBeUndefined();
    expect(customerOf(customer)).not.toHaveProperty("role");
  });

  it("keys a caller for the rate limit: ours by id as before, a provider's with its issuer", () => {
    const id = "3f0c7e9a-1b2c-4d5e-8f90-123456789abc";
    expect(callerKey({ id, issuer: "" })).toBe(id);
    expect(callerKey({ id, issuer: ISSUER })).toBe(`${ISSUER} ${id}`);
    expect(callerKey({ id, issuer: ISSUER })).not.toBe(callerKey({ id, issuer: "https://other.example/" }));
  });
});
