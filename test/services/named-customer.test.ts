import { describe, expect, it } from "vitest";
import type { Caller } from "../../src/domain/caller";
import { namedCustomer } from "../../src/services/named-customer";

const id = "3f0c7e9a-1b2c-4d5e-8f90-123456789abc";
const ISSUER = "https://idp.example/";
const ownAdmin: Caller = { id: "00000000-0000-4000-8000-0000000000ad", issuer: "", role: "admin" };
const providerAdmin: Caller = { id: "auth0|admin", issuer: ISSUER, role: "admin" };

describe("the customer an admin names by customer_id", () => {
  it("names a customer of this service's own tokens by a UUID in lower case, however it is cased", () => {
    expect(namedCustomer(ownAdmin, id.toUpperCase())).toEqual({ id, issuer: "" });
    expect(namedCustomer(ownAdmin, "auth0|Carol")).toEqual({ id: "auth0|Carol", issuer: "" });
  });

  it("names a provider's customer exactly as written, within the admin's issuer (UUIDs included)", () => {
    expect(namedCustomer(providerAdmin, id.toUpperCase())).toEqual({ id: id.toUpperCase(), issuer: ISSUER });
    expect(namedCustomer(providerAdmin, "auth0|Carol")).toEqual({ id: "auth0|Carol", issuer: ISSUER });
  });
});
