import type { MiddlewareHandler } from "hono";
import { verify } from "hono/jwt";
import type { AppEnv } from "../app-env";
import { AppError } from "../domain/app-error";
import { type Caller, ROLES, type Role } from "../domain/caller";
import { isUuid } from "../domain/uuid";

/** HS256 keys shorter than this are guessable offline from any token. */
export const MIN_SECRET_BYTES = 32;
const LEEWAY_SECONDS = 30;

export interface AuthOptions {
  secret: string | undefined;
  issuer?: string;
  audience?: string;
  /** Seconds since the epoch; injectable for tests. */
  now?: () => number;
}

function unauthorized(detail: string, tokenPresent: boolean): AppError {
  // RFC 6750: no error attribute when no credentials were sent at all.
  const challenge = tokenPresent
    ? 'Bearer realm="order-service", error="invalid_token", error_description="the access token is invalid or expired"'
    : 'Bearer realm="order-service"';
  return new AppError("UNAUTHORIZED", { detail, headers: { "WWW-Authenticate": challenge } });
}

function numericClaim(payload: Record<string, unknown>, name: string): number | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw unauthorized(`claim ${name} is not a number`, true);
  return value;
}

/**
 * Verifies `Authorization: Bearer <JWT>` and puts the typed caller in the context.
 * hono/jwt checks the signature, `alg` (HS256 only), `iss` and `aud`; it accepts a token without
 * `exp` and has no leeway, so time claims are checked here: `exp` required, 30 s leeway on
 * `exp`/`nbf`/`iat`. A missing or short secret fails closed: 500, and the log names JWT_SECRET.
 */
export const auth = ({
  secret,
  issuer,
  audience,
  now = () => Math.floor(Date.now() / 1000),
}: AuthOptions): MiddlewareHandler<AppEnv> => {
  const secretProblem =
    secret === undefined
      ? "JWT_SECRET is not set"
      : new TextEncoder().encode(secret).byteLength < MIN_SECRET_BYTES
        ? `JWT_SECRET is shorter than ${MIN_SECRET_BYTES} bytes`
        : undefined;

  return async function auth(c, next) {
    if (secretProblem || secret === undefined) {
      throw new AppError("INTERNAL_ERROR", { detail: `${secretProblem}: refusing every token` });
    }
    const header = c.req.header("Authorization");
    if (!header) throw unauthorized("no Authorization header", false);
    const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*) *$/i.exec(header);
    if (!match?.[1]) throw unauthorized("Authorization is not a Bearer JWT", true);

    let payload: Record<string, unknown>;
    try {
      payload = await verify(match[1], secret, {
        alg: "HS256",
        exp: false,
        nbf: false,
        iat: false,
        ...(issuer ? { iss: issuer } : {}),
        ...(audience ? { aud: audience } : {}),
      });
    } catch (err) {
      throw unauthorized(`token rejected: ${err instanceof Error ? err.name : "unknown"}`, true);
    }

    const t = now();
    const exp = numericClaim(payload, "exp");
    if (exp === undefined) throw unauthorized("token has no exp", true);
    if (exp + LEEWAY_SECONDS <= t) throw unauthorized("token expired", true);
    const nbf = numericClaim(payload, "nbf");
    if (nbf !== undefined && nbf - LEEWAY_SECONDS > t) throw unauthorized("token not yet valid (nbf)", true);
    const iat = numericClaim(payload, "iat");
    if (iat !== undefined && iat - LEEWAY_SECONDS > t) throw unauthorized("token issued in the future (iat)", true);

    const sub = payload.sub;
    if (typeof sub !== "string" || !isUuid(sub)) throw unauthorized("sub is not a UUID", true);
    const role = payload.role ?? "customer";
    if (typeof role !== "string" || !ROLES.includes(role as Role)) throw unauthorized("unknown role", true);

    const caller: Caller = { id: sub.toLowerCase(), role: role as Role };
    c.set("caller", caller);
    await next();
  };
};

/** 403 unless the caller has the role. Runs after auth, so the caller is known. */
export const requireRole = (role: Role): MiddlewareHandler<AppEnv> =>
  async function requireRole(c, next) {
    if (c.get("caller").role !== role) throw new AppError("FORBIDDEN", { message: `requires the ${role} role` });
    await next();
  };
