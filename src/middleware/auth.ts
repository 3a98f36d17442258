import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { AppError } from "../domain/app-error";
import { type Caller, OWN_ISSUER, ROLES, type Role } from "../domain/caller";
import { BoundedMap } from "../lib/bounded-map";
import { isUuid } from "../lib/uuid";
import { VISIBLE_TOKEN } from "../lib/visible-token";
import type { KeyLookup } from "../tokens/jwks-key-store";
import { createTokenVerifier, type VerifiedBy } from "../tokens/token-verifier";

const LEEWAY_SECONDS = 30;

export interface AuthOptions {
  /**
   * HS256 keys, the current first, then the previous one while a rotation is under way; empty when
   * JWT_MODES leaves HS256 out.
   */
  secrets: readonly string[];
  /** The identity provider's keys, when JWT_MODES takes its tokens (RS256, ES256, EdDSA). */
  jwks?: KeyLookup;
  /** Where a provider's token says the caller's roles (a string, an array, or space-separated), and which one is admin. */
  roles?: { claim: string; admin: string };
  /**
   * The release's smoke key: tokens it signs are accepted for one customer only, so the deploy
   * pipeline that holds it can mint nothing more (docs/operations.md, "The smoke credential").
   */
  smoke?: { secret: string; customerId: string };
  issuer?: string;
  audience?: string;
  /** Where a provider's token names the audience: `aud`, or `client_id` (Cognito's access tokens). */
  audienceClaim?: "aud" | "client_id";
  /** Longest accepted lifetime: `exp` may lie at most this far after `iat` (or now, without `iat`). */
  maxTtlSeconds: number;
  /** Milliseconds since the epoch; injectable for tests. Token times are whole seconds (RFC 7519). */
  now?: () => number;
  /** Accepted tokens remembered per isolate (see acceptedCaller); the oldest is forgotten first. */
  rememberTokens?: number;
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

interface TimeClaims {
  exp: number | undefined;
  nbf: number | undefined;
  iat: number | undefined;
}

interface Accepted {
  caller: Caller;
  times: TimeClaims;
  /** The provider key that signed it: a token whose key has been retired is checked afresh. */
  kid?: string;
}

/** `exp` required, 30 s of leeway on `exp`/`nbf`/`iat`, and `exp` at most `maxTtlSeconds` after `iat` (or now). */
function checkTimes({ exp, nbf, iat }: TimeClaims, t: number, maxTtlSeconds: number): void {
  if (exp === undefined) throw unauthorized("token has no exp", true);
  if (exp + LEEWAY_SECONDS <= t) throw unauthorized("token expired", true);
  if (nbf !== undefined && nbf - LEEWAY_SECONDS > t) throw unauthorized("token not yet valid (nbf)", true);
  if (iat !== undefined && iat - LEEWAY_SECONDS > t) throw unauthorized("token issued in the future (iat)", true);
  if (exp - (iat ?? t) > maxTtlSeconds + LEEWAY_SECONDS) {
    throw unauthorized(`token lifetime exceeds ${maxTtlSeconds} s`, true);
  }
}

/** Tokens are a few hundred bytes; 1 000 remembered ones of at most this length hold at most 4 MB. */
const REMEMBERED_TOKEN_MAX_LENGTH = 4_096;

/** The JWT of `Authorization: Bearer <JWT>`, or 401. */
function bearerToken(header: string | undefined): string {
  if (!header) throw unauthorized("no Authorization header", false);
  const token = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*) *$/i.exec(header)?.[1];
  if (!token) throw unauthorized("Authorization is not a Bearer JWT", true);
  return token;
}

/**
 * The role a token gives. This service's own tokens (HS256) say `role`, one of ours, customer when
 * absent. A provider's token says it in `roles.claim`, as providers do: a string, an array of strings,
 * or space-separated (`scope`); admin when it holds `roles.admin`, customer otherwise.
 */
function roleOf(payload: Record<string, unknown>, by: VerifiedBy, roles: { claim: string; admin: string }): Role {
  if (by !== "provider key") {
    const role = payload.role ?? "customer";
    if (typeof role !== "string" || !ROLES.includes(role as Role)) throw unauthorized("unknown role", true);
    return role as Role;
  }
  const claim = payload[roles.claim];
  const values = Array.isArray(claim) ? claim : typeof claim === "string" ? claim.split(" ") : [];
  return values.includes(roles.admin) ? "admin" : "customer";
}

/**
 * Who the token speaks for, with the role it gives: this service's own tokens name a UUID (kept in lower
 * case); a provider's any subject, within its issuer and exactly as written (OIDC Core §5.7: `sub` is
 * unique and compared only within `iss`; RFC 8725 §3.8).
 */
function callerOf(payload: Record<string, unknown>, by: VerifiedBy, roles: { claim: string; admin: string }): Caller {
  const { sub, iss } = payload;
  const role = roleOf(payload, by, roles);
  if (by !== "provider key") {
    if (typeof sub !== "string" || !isUuid(sub)) throw unauthorized("sub is not a UUID", true);
    return Object.freeze({ id: sub.toLowerCase(), issuer: OWN_ISSUER, role });
  }
  if (typeof sub !== "string" || !VISIBLE_TOKEN.test(sub)) {
    throw unauthorized("sub is not 1–255 visible ASCII characters", true);
  }
  if (typeof iss !== "string" || !VISIBLE_TOKEN.test(iss))
    throw unauthorized("iss is not 1–255 visible ASCII characters", true);
  return Object.freeze({ id: sub, issuer: iss, role });
}

/** Everything about a token that does not change with time: signature, iss/aud, claims, sub, role. */
async function acceptToken(
  token: string,
  {
    verifyToken,
    roles,
    smoke,
    maxTtlSeconds,
    nowSeconds,
    background,
  }: {
    verifyToken: ReturnType<typeof createTokenVerifier>;
    roles: { claim: string; admin: string };
    smoke: AuthOptions["smoke"];
    maxTtlSeconds: number;
    nowSeconds: () => number;
    background?: (work: Promise<unknown>) => void;
  },
): Promise<Accepted> {
  let verified: Awaited<ReturnType<typeof verifyToken>>;
  try {
    verified = await verifyToken(token, background);
  } catch (err) {
    const reason = err instanceof Error ? (err.name === "TokenRefused" ? err.message : err.name) : "unknown";
    throw unauthorized(`token rejected: ${reason}`, true);
  }
  const { payload: body, by, kid } = verified;
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw unauthorized("token payload is not a JSON object", true);
  }
  const payload = body as Record<string, unknown>;
  const times = {
    exp: numericClaim(payload, "exp"),
    nbf: numericClaim(payload, "nbf"),
    iat: numericClaim(payload, "iat"),
  };
  // Time first: a token failing on time and on content is reported as expired (or not yet valid).
  checkTimes(times, nowSeconds(), maxTtlSeconds);
  const caller = callerOf(payload, by, roles);
  if (by === "smoke key" && (caller.role !== "customer" || caller.id !== smoke?.customerId)) {
    throw unauthorized("the smoke key signs tokens for the smoke customer only", true);
  }
  return { caller, times, ...(kid ? { kid } : {}) };
}

/**
 * Verifies `Authorization: Bearer <JWT>` and puts the typed caller in the context. The signature,
 * `alg`, `iss` and `aud` are the token verifier's (src/tokens/token-verifier.ts); hono/jwt accepts a
 * token without `exp`, has no leeway and no lifetime cap, so time claims are checked here: `exp`
 * required, 30 s leeway on `exp`/`nbf`/`iat`, and `exp` at most `maxTtlSeconds` after `iat` (or now).
 */
export const auth = ({
  secrets,
  jwks,
  roles = { claim: "role", admin: "admin" },
  issuer,
  audience,
  audienceClaim,
  maxTtlSeconds,
  smoke,
  now = Date.now,
  rememberTokens = 1_000,
}: AuthOptions): MiddlewareHandler<AppEnv> => {
  if (secrets.length === 0 && !jwks) throw new Error("auth needs a secret or a provider's keys");
  const nowSeconds = () => Math.floor(now() / 1000);
  const verifyToken = createTokenVerifier({
    secrets,
    smokeSecret: smoke?.secret,
    jwks,
    issuer,
    audience,
    audienceClaim,
  });

  // Tokens already verified in this isolate, with what they say; see acceptedCaller.
  const accepted = new BoundedMap<string, Accepted>(rememberTokens);

  const accept = (token: string, background?: (work: Promise<unknown>) => void) =>
    acceptToken(token, { verifyToken, roles, smoke, maxTtlSeconds, nowSeconds, background });

  /**
   * A client sends the same token with every request for its lifetime, so a token accepted once is
   * remembered, keyed by its exact text: only those very bytes, signature included, can match, and
   * they verify the same way for as long as the isolate holds the same keys (a provider key retired by
   * a rotation sends its tokens back through verification). What changes with time (exp, nbf, the
   * lifetime cap) is checked on every request. Refused tokens are not remembered, so a flood of
   * forgeries cannot push out the accepted ones; nor are tokens longer than REMEMBERED_TOKEN_MAX_LENGTH,
   * so the memory held stays small whatever an issuer puts in its tokens.
   */
  async function acceptedCaller(token: string, background?: (work: Promise<unknown>) => void): Promise<Caller> {
    const known = accepted.get(token);
    if (known !== undefined && (known.kid === undefined || jwks?.has(known.kid))) {
      try {
        checkTimes(known.times, nowSeconds(), maxTtlSeconds);
      } catch (err) {
        accepted.delete(token);
        throw err;
      }
      return known.caller;
    }
    accepted.delete(token);
    const fresh = await accept(token, background);
    if (token.length <= REMEMBERED_TOKEN_MAX_LENGTH) accepted.set(token, fresh);
    return fresh.caller;
  }

  return async function auth(c, next) {
    const scope = c.get("scope");
    const background = (work: Promise<unknown>) => scope.defer(work);
    c.set("caller", await acceptedCaller(bearerToken(c.req.header("Authorization")), background));
    await next();
  };
};

/** 403 unless the caller has the role. Runs after auth, so the caller is known. */
export const requireRole = (role: Role): MiddlewareHandler<AppEnv> =>
  async function requireRole(c, next) {
    if (c.get("caller").role !== role) throw new AppError("FORBIDDEN", { message: `requires the ${role} role` });
    await next();
  };
