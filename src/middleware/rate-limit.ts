import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { AppError } from "../domain/app-error";
import type { RateLimitDecision, RateLimiterClient, RateLimitRule } from "../limiters/limiter";

export interface RateLimitOptions {
  /** Names the policy in the headers and prefixes the key: `ip`, `user`. */
  policy: string;
  rule: RateLimitRule;
  limiter: RateLimiterClient;
  /** The key to count under; undefined skips limiting for this request. */
  keyOf: (c: Context<AppEnv>) => string | undefined;
}

/**
 * Rate limiting with the IETF headers (draft-ietf-httpapi-ratelimit-headers):
 * `RateLimit-Policy: "ip";q=300;w=60` and `RateLimit: "ip";r=299;t=1` on every limited answer,
 * plus `Retry-After` on a 429. A limiter that fails lets the request through and logs it:
 * losing the limiter must not take the API down with it.
 */
export const rateLimit = ({ policy, rule, limiter, keyOf }: RateLimitOptions): MiddlewareHandler<AppEnv> =>
  async function rateLimit(c, next) {
    const key = keyOf(c);
    if (key === undefined) return next();
    let decision: RateLimitDecision;
    try {
      decision = await limiter.check(`${policy}:${key}`, rule);
    } catch (err) {
      c.get("logger").warn("rate limiter unavailable, failing open", { policy, cause: err });
      return next();
    }
    c.header("RateLimit-Policy", `"${policy}";q=${rule.limit};w=${rule.periodSeconds}`, { append: true });
    const resetSeconds = Math.ceil(decision.resetMs / 1000);
    c.header("RateLimit", `"${policy}";r=${decision.remaining};t=${resetSeconds}`, { append: true });
    if (!decision.allowed) {
      throw new AppError("RATE_LIMIT_EXCEEDED", {
        detail: `${policy} limit ${rule.limit}/${rule.periodSeconds}s`,
        retryAfterMs: decision.retryAfterMs,
      });
    }
    await next();
  };
