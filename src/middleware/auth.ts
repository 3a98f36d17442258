import type { MiddlewareHandler } from "hono";
import { verify } from "hono/jwt";
import type { AppEnv } from "../app-env";
import { AppError } from "../domain/app-error";
import { type Caller, ROLES, type Role } from "../domain/caller";
import { BoundedMap } from "../lib/bounded-map";
import { isUuid } from "../lib/uuid";

const LEEWAY_SECONDS = 30;

export interface AuthOptions {
  /** The current signing key first, then the previous one while a rotation is under way. */
  secrets: readonly string[];
  /**
   * The release's smoke key: tokens it signs are accepted for one customer only, so the deploy
   * pipeline that holds it can mint nothing more (docs/operations.md, "The smoke credential").
   */
  smoke?: { secret: string; customerId: string };
  issuer?: string;
  audience?: string;
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

/** Who the token speaks for: `sub` a UUID, `role` one of ours (customer when absent). */
function callerOf(payload: Record<string, unknown>): Caller {
  const sub = payload.sub;
  if (typeof sub !== "string" || !isUuid(sub)) throw unauthorized("sub is not a UUID", true);
  const role = payload.role ?? "customer";
  if (typeof role !== "string" || !ROLES.includes(role as Role)) throw unauthorized("unknown role", true);
  return Object.freeze({ id: sub.toLowerCase(), role: role as Role });
}

const isSignatureMismatch = (err: unknown) => err instanceof Error && err.name === "JwtTokenSignatureMismatched";

const utf8 = new TextEncoder();

/**
 * The secrets as HMAC keys, imported on first use and kept for the isolate: hono/jwt would import a
 * string secret on every request, and would read one that contains "PRIVATE" or "PUBLIC" as PEM.
 */
function hmacKeys(secrets: readonly string[]): () => Promise<CryptoKey[]> {
  let keys: CryptoKey[] | undefined;
  return async () => {
    keys ??= await Promise.all(
      secrets.map((secret) =>
        crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]),
      ),
    );
    return keys;
  };
}

/**
 * Checks a token's signature (and `iss`/`aud`) against each key in turn: the current secret, the
 * previous one, then the smoke key. Returns the payload and whether the smoke key signed it.
 */
function signatureVerifier({
  secrets,
  smoke,
  issuer,
  audience,
}: Pick<AuthOptions, "secrets" | "smoke" | "issuer" | "audience">) {
  const keys = hmacKeys(smoke ? [...secrets, smoke.secret] : secrets);
  const verifyWith = (token: string, key: CryptoKey) =>
    verify(token, key, {
      alg: "HS256",
      exp: false,
      nbf: false,
      iat: false,
      ...(issuer ? { iss: issuer } : {}),
      ...(audience ? { aud: audience } : {}),
    });

  /** The verified payload, and whether the smoke key is the one that signed it. */
  async function verifyAny(token: string): Promise<{ payload: unknown; bySmokeKey: boolean }> {
    let lastError: unknown;
    for (const [index, key] of (await keys()).entries()) {
      try {
        return { payload: await verifyWith(token, key), bySmokeKey: index === secrets.length };
      } catch (err) {
        lastError = err;
        if (!isSignatureMismatch(err)) break;
      }
    }
    throw lastError;
  }
  return verifyAny;
}

/**
 * Verifies `Authorization: Bearer <JWT>` and puts the typed caller in the context.
 * hono/jwt checks the signature, `alg` (HS256 only), `iss` and `aud`; it accepts a token without
 * `exp`, has no leeway and no lifetime cap, so time claims are checked here: `exp` required, 30 s
 * leeway on `exp`/`nbf`/`iat`, and `exp` at most `maxTtlSeconds` after `iat` (or now). A token
 * signed with the previous key is accepted while a rotation is under way.
 */
export const auth = ({
  secrets,
  issuer,
  audience,
  maxTtlSeconds,
  smoke,
  now = Date.now,
  rememberTokens = 1_000,
}: AuthOptions): MiddlewareHandler<AppEnv> => {
  if (secrets.length === 0) throw new Error("auth needs at least one secret");
  const nowSeconds = () => Math.floor(now() / 1000);
  const verifyAny = signatureVerifier({ secrets, smoke, issuer, audience });

  // Tokens already verified in this isolate, with what they say; see acceptedCaller.
  const accepted = new BoundedMap<string, Accepted>(rememberTokens);

  /** Everything about a token that does not change with time: signature, iss/aud, claims, sub, role. */
  async function accept(token: string): Promise<Accepted> {
    let verified: unknown;
    let bySmokeKey = false;
    try {
      ({ payload: verified, bySmokeKey } = await verifyAny(token));
    } catch (err) {
      throw unauthorized(`token rejected: ${err instanceof Error ? err.name : "unknown"}`, true);
    }
    if (verified === null || typeof verified !== "object" || Array.isArray(verified)) {
      throw unauthorized("token payload is not a JSON object", true);
    }
    const payload = verified as Record<string, unknown>;
    const times = {
      exp: numericClaim(payload, "exp"),
      nbf: numericClaim(payload, "nbf"),
      iat: numericClaim(payload, "iat"),
    };
    // Checked here too, so that a token failing on time and on content reports time, as it always has.
    checkTimes(times, nowSeconds(), maxTtlSeconds);
    const caller = callerOf(payload);
    if (bySmokeKey && (caller.role !== "customer" || caller.id !== smoke?.customerId)) {
      throw unauthorized("the smoke key signs tokens for the smoke customer only", true);
    }
    return { caller, times };
  }

  /**
   * A client sends the same token with every request for its lifetime, so a token accepted once is
   * remembered, keyed by its exact text: only those very bytes, signature included, can match, and
   * they verify the same way for as long as the isolate holds the same secrets. What changes with
   * time (exp, nbf, the lifetime cap) is checked on every request. Refused tokens are not
   * remembered, so a flood of forgeries cannot push out the accepted ones; nor are tokens longer than
   * REMEMBERED_TOKEN_MAX_LENGTH, so the memory held stays small whatever an issuer puts in its tokens.
   */
  async function acceptedCaller(token: string): Promise<Caller> {
    const known = accepted.get(token);
    if (known !== undefined) {
      try {
        checkTimes(known.times, nowSeconds(), maxTtlSeconds);
      } catch (err) {
        accepted.delete(token);
        throw err;
      }
      return known.caller;
    }
    const fresh = await accept(token);
    if (token.length <= REMEMBERED_TOKEN_MAX_LENGTH) accepted.set(token, fresh);
    return fresh.caller;
  }

  return async function auth(c, next) {
    c.set("caller", await acceptedCaller(bearerToken(c.req.header("Authorization"))));
    await next();
  };
};

/** 403 unless the caller has the role. Runs after auth, so the caller is known. */
export const requireRole = (role: Role): MiddlewareHandler<AppEnv> =>
  async function requireRole(c, next) {
    if (c.get("caller").role !== role) throw new AppError("FORBIDDEN", { message: `requires the ${role} role` });
    await next();
  };
