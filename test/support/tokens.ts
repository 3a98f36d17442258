import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";

export interface TokenOptions {
  sub?: string;
  role?: string;
  secret?: string;
  alg?: "HS256" | "HS384" | "HS512";
  claims?: Record<string, unknown>;
  /** Leave out `exp` entirely. */
  noExp?: boolean;
}

/** A signed token as a real identity provider would issue it, valid for an hour unless told otherwise. */
export async function token({
  sub = crypto.randomUUID(),
  role,
  secret,
  alg = "HS256",
  claims = {},
  noExp,
}: TokenOptions = {}) {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { sub, iat: now, ...(noExp ? {} : { exp: now + 3600 }), ...claims };
  if (role) payload.role = role;
  return sign(payload, secret ?? env.JWT_SECRET, alg);
}

/** An unsigned `alg: none` token with the given payload. */
export function unsignedToken(payload: Record<string, unknown>): string {
  const b64 = (v: unknown) => btoa(JSON.stringify(v)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  return `${b64({ alg: "none", typ: "JWT" })}.${b64(payload)}.`;
}

export const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
