import { describe, expect, it } from "vitest";
import { send } from "../support/http";
import { bearer, token, unsignedToken } from "../support/tokens";

const get = (headers: Record<string, string> = {}) => send("/v1/orders", { headers });
const now = () => Math.floor(Date.now() / 1000);

describe("tokens against the deployed worker", () => {
  it("accepts a valid token", async () => {
    expect((await get(bearer(await token()))).status).toBe(200);
  });

  it.each([
    ["expired", () => token({ claims: { exp: now() - 120 } })],
    ["not yet valid (nbf in the future)", () => token({ claims: { nbf: now() + 600 } })],
    ["signed with the wrong secret", () => token({ secret: "wrong-secret-wrong-secret-wrong-secret!" })],
    ["signed with another HMAC alg", () => token({ alg: "HS512" })],
    ["without exp", () => token({ noExp: true })],
    ["alg none", async () => unsignedToken({ sub: crypto.randomUUID(), exp: now() + 600 })],
  ])("refuses a token that is %s with 401 and WWW-Authenticate", async (_label, make) => {
    const res = await get(bearer(await make()));
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer /);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("UNAUTHORIZED");
    expect(JSON.stringify(body)).not.toMatch(/signature|expired|alg/i);
  });

  it("refuses a request without credentials", async () => {
    const res = await get();
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="order-service"');
  });
});
